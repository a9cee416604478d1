import { z } from 'zod';
import { defineCheckSpec } from './define.js';
import { bucketName } from './fragments.js';

export const s3BucketExists = defineCheckSpec({
  type: 's3.bucket.exists',
  summary: 'The S3 bucket exists and the checker can reach it.',
  with: z.strictObject({ bucket: bucketName }),
});
