/** Buckets: create, head, delete, location, bucket policy, and the two object listings. */
import { dict, lookup } from '../../dict.js';
import type { OperationHandler } from '../../types.js';
import { optObject, optString } from '../input.js';
import { creationOwnership } from './acl.js';
import { isValidBucketName } from './bucket-name.js';
import { parseBucketPolicy } from './bucket-policy.js';
import type { S3Context } from './context.js';
import { notConfigured, publicPolicyBlocked, s3Error } from './errors.js';
import { s3IamAction } from '../../../s3-iam-actions.js';
import { listContext, listObjects } from './listing.js';
import { bucketArn, compareKeys, OWNER } from './models.js';
import { isPublicPolicy } from './public-access.js';

export function bucketHandlers(s3: S3Context): Record<string, OperationHandler> {
  const { core } = s3;
  return {
    async ListBuckets(_input, ctx) {
      await s3.authorize(ctx, s3IamAction(ctx.operation), 'arn:aws:s3:::*');
      const buckets = Object.values(s3.state().buckets).sort((a, b) => compareKeys(a.name, b.name));
      return {
        Buckets: buckets.map((b) => ({
          Name: b.name,
          CreationDate: new Date(b.creationDate),
          BucketRegion: b.region,
        })),
        Owner: OWNER,
      };
    },

    async CreateBucket(input, ctx) {
      const name = String(input.Bucket ?? '');
      if (!isValidBucketName(name)) {
        throw s3Error('InvalidBucketName', 'The specified bucket is not valid.', 400, {
          BucketName: name,
        });
      }
      await s3.authorize(ctx, s3IamAction(ctx.operation), bucketArn(name));
      const constraint = optString(
        optObject(input, 'CreateBucketConfiguration') ?? {},
        'LocationConstraint',
      );
      if (ctx.region === 'us-east-1' && constraint === 'us-east-1') {
        throw s3Error(
          'InvalidLocationConstraint',
          'The specified location-constraint is not valid',
          400,
          {
            LocationConstraint: constraint,
          },
        );
      }
      if (ctx.region !== 'us-east-1' && constraint !== ctx.region) {
        throw s3Error(
          'IllegalLocationConstraintException',
          `The ${constraint ?? 'unspecified'} location constraint is incompatible for the region specific endpoint this request was sent to.`,
          400,
        );
      }
      const region = constraint || 'us-east-1';
      const ownership = creationOwnership(input);
      const existing = lookup(s3.state().buckets, name);
      if (existing) {
        // us-east-1 keeps S3's legacy answer: re-creating your own bucket there succeeds.
        if (existing.region === 'us-east-1' && region === 'us-east-1')
          return { Location: `/${name}` };
        throw s3Error(
          'BucketAlreadyOwnedByYou',
          'Your previous request to create the named bucket succeeded and you already own it.',
          409,
          { BucketName: name },
        );
      }
      s3.state().buckets[name] = {
        name,
        region,
        creationDate: new Date(core.now()).toISOString(),
        objects: dict(),
        ...ownership,
      };
      core.store.changed();
      return { Location: `/${name}` };
    },

    async HeadBucket(input, ctx) {
      const bucket = await s3.bucketFor(ctx, input);
      return { BucketRegion: bucket.region };
    },

    async DeleteBucket(input, ctx) {
      const bucket = await s3.bucketFor(ctx, input);
      if (Object.keys(bucket.objects).length > 0 || Object.keys(bucket.versions ?? {}).length > 0) {
        throw s3Error('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409, {
          BucketName: bucket.name,
        });
      }
      delete s3.state().buckets[bucket.name];
      core.store.changed();
      for (const upload of Object.values(bucket.uploads ?? {})) {
        for (const part of Object.values(upload.parts)) await s3.bodies.release(part.blob);
      }
      return {};
    },

    async GetBucketLocation(input, ctx) {
      const bucket = await s3.bucketFor(ctx, input);
      return { LocationConstraint: bucket.region === 'us-east-1' ? undefined : bucket.region };
    },

    async PutBucketPolicy(input, ctx) {
      const bucket = await s3.bucketFor(ctx, input);
      const text = optString(input, 'Policy') ?? '';
      parseBucketPolicy(text, bucket.name);
      if (bucket.publicAccessBlock?.BlockPublicPolicy && isPublicPolicy(text)) {
        throw publicPolicyBlocked(ctx.caller.arn, bucket.name);
      }
      bucket.policy = text;
      core.store.changed();
      return {};
    },

    async GetBucketPolicy(input, ctx) {
      const bucket = await s3.bucketFor(ctx, input);
      if (!bucket.policy) throw notConfigured.policy(bucket.name);
      return { Policy: bucket.policy };
    },

    async DeleteBucketPolicy(input, ctx) {
      const bucket = await s3.bucketFor(ctx, input);
      delete bucket.policy;
      core.store.changed();
      return {};
    },

    async ListObjectsV2(input, ctx) {
      const bucket = await s3.bucketFor(ctx, input, listContext(input));
      const token = optString(input, 'ContinuationToken');
      let after = optString(input, 'StartAfter');
      if (token !== undefined) {
        const decoded = Buffer.from(token, 'base64').toString('utf8');
        if (!decoded.startsWith('1:')) {
          throw s3Error('InvalidArgument', 'The continuation token provided is incorrect', 400, {
            ArgumentName: 'continuation-token',
          });
        }
        after = decoded.slice(2);
      }
      const { page, count, last, enc } = listObjects(
        bucket,
        { ...input, FetchOwner: input.FetchOwner ?? false },
        after,
      );
      return {
        ...page,
        KeyCount: count,
        ContinuationToken: token,
        NextContinuationToken:
          last !== undefined ? Buffer.from(`1:${last}`, 'utf8').toString('base64') : undefined,
        StartAfter: enc(optString(input, 'StartAfter')),
      };
    },

    async ListObjects(input, ctx) {
      const bucket = await s3.bucketFor(ctx, input, listContext(input));
      const marker = optString(input, 'Marker');
      const { page, last, enc } = listObjects(bucket, input, marker || undefined);
      return {
        ...page,
        Marker: enc(marker ?? ''),
        // S3 gives NextMarker only with a delimiter; clients otherwise resume from the last key.
        NextMarker: page.Delimiter !== undefined ? enc(last) : undefined,
      };
    },
  };
}
