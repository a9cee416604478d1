import * as z from 'zod';
import { defineCheckSpec, type CheckType } from './define.js';
import { httpStatusOf, isAwsError } from './support/aws-error.js';
import { failed, passed } from './support/outcome.js';
import { callTarget, onTarget } from './support/target.js';
import { bucketName } from './fragments.js';

export const s3BucketExists = defineCheckSpec({
  type: 's3.bucket.exists',
  summary: 'The S3 bucket exists and the checker can reach it.',
  docs: {
    judges:
      'Asks S3 for the bucket (HeadBucket): it passes when the bucket exists and the checker may reach it; one that exists in another account is said apart from one that does not exist.',
    calls: ['s3:HeadBucket'],
    example: { bucket: '${bucket}' },
  },
  with: z.strictObject({ bucket: bucketName }),
});

export const s3BucketExistsCheck: CheckType<typeof s3BucketExists.with> = onTarget({
  ...s3BucketExists,
  async run(input, ctx) {
    const evidence = { bucket: input.bucket, region: ctx.target.region };
    try {
      await callTarget(ctx, 's3', 'HeadBucket', { Bucket: input.bucket });
    } catch (error) {
      // HeadBucket has no body, so the SDK knows only the status: 404 none, 403 someone else's.
      const status = httpStatusOf(error);
      if (isAwsError(error, 'NotFound', 'NoSuchBucket') || status === 404) {
        return failed(
          `no bucket named ${input.bucket} (create it with \`aws s3 mb s3://${input.bucket}\`)`,
          evidence,
        );
      }
      if (isAwsError(error, 'Forbidden', 'AccessDenied') || status === 403) {
        return failed(
          `the bucket ${input.bucket} exists but the checker may not reach it: it belongs to another account, or your credentials lack s3:ListBucket on it`,
          evidence,
        );
      }
      throw error;
    }
    return passed(`the bucket ${input.bucket} exists`, evidence);
  },
});
