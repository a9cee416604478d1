/**
 * What every S3 handler shares: the state, the bodies, finding a bucket and authorizing a call
 * with its IAM action (iam-actions.ts) against the caller's policies and the bucket policy.
 */
import { dict, lookup } from '../../dict.js';
import type { PolicyDocument, RequestContext, SandboxCore } from '../../types.js';
import { parsedPolicy } from '../iam-state.js';
import { type Input, optString } from '../input.js';
import { bodyStore, type BodyStore } from './body-store.js';
import { noSuchBucket, noSuchKey } from './errors.js';
import { s3IamAction } from '../../../s3-iam-actions.js';
import { bucketArn, objectArn, type Bucket, type S3State } from './models.js';

export interface S3Context {
  core: SandboxCore;
  state(): S3State;
  bodies: BodyStore;
  /** The bucket the input names; NoSuchBucket otherwise. */
  requireBucket(name: string | undefined): Bucket;
  /** The bucket named by `input.Bucket`, after authorizing the call's own action on it. */
  bucketFor(
    ctx: RequestContext,
    input: Input,
    context?: Record<string, string | string[]>,
  ): Promise<Bucket>;
  /** Authorizes `action` on `resource` with `bucket`'s policy as the resource policy. */
  authorize(
    ctx: RequestContext,
    action: string,
    resource: string,
    bucket?: Bucket,
    context?: Record<string, string | string[]>,
  ): Promise<void>;
  /** The call's own action on the object `key` (its version action when a VersionId is given). */
  authorizeObject(
    ctx: RequestContext,
    bucket: Bucket,
    key: string,
    input: Input,
    context?: Record<string, string | string[]>,
  ): Promise<void>;
  /** S3 says NoSuchKey only to callers allowed to list the bucket; others get AccessDenied. */
  missingKey(ctx: RequestContext, bucket: Bucket, key: string): Promise<never>;
}

export function s3Context(core: SandboxCore): S3Context {
  const state = () => core.store.get<S3State>('s3', () => ({ buckets: dict() }));
  const requireBucket = (name: string | undefined): Bucket => {
    const bucket = name === undefined ? undefined : lookup(state().buckets, name);
    if (!bucket) throw noSuchBucket(name ?? '');
    return bucket;
  };
  const authorize: S3Context['authorize'] = (ctx, action, resource, bucket, context) => {
    // Parsed once per text: the evaluator's cache then knows an unchanged policy, which matters
    // now that every call on a bucket with a policy is evaluated, the root's included.
    const resourcePolicy = bucket?.policy
      ? (parsedPolicy(bucket.policy) as PolicyDocument)
      : undefined;
    return core.authorize(ctx, action, resource, { resourcePolicy, context });
  };
  return {
    core,
    state,
    bodies: bodyStore(core, state),
    requireBucket,
    async bucketFor(ctx, input, context) {
      const bucket = requireBucket(optString(input, 'Bucket'));
      await authorize(ctx, s3IamAction(ctx.operation), bucketArn(bucket.name), bucket, context);
      return bucket;
    },
    authorize,
    authorizeObject(ctx, bucket, key, input, context) {
      const versioned = optString(input, 'VersionId') !== undefined;
      return authorize(
        ctx,
        s3IamAction(ctx.operation, versioned),
        objectArn(bucket.name, key),
        bucket,
        context,
      );
    },
    async missingKey(ctx, bucket, key) {
      await authorize(ctx, 's3:ListBucket', bucketArn(bucket.name), bucket);
      throw noSuchKey(key);
    },
  };
}
