/**
 * Reaching one object (or one version of it) for a call: authorized with the call's own action,
 * S3's errors for what is not there, and changes applied to every copy the state keeps of it.
 */
import { lookup } from '../../dict.js';
import type { RequestContext } from '../../types.js';
import { type Input, optString } from '../input.js';
import type { S3Context } from './context.js';
import { methodNotAllowed } from './errors.js';
import type { Bucket, S3Object } from './models.js';
import { findVersion } from './versioning.js';

export interface ObjectAccess {
  /** The object `input` names (`VersionId` included), after authorizing the call on it. */
  find(ctx: RequestContext, input: Input, method?: string): Promise<S3Object>;
  /** Finds the object, applies `change` to it wherever the state keeps it, and marks the state. */
  update(ctx: RequestContext, input: Input, change: (object: S3Object) => void): Promise<S3Object>;
}

export function objectAccess(s3: S3Context): ObjectAccess {
  const locate = async (
    ctx: RequestContext,
    bucket: Bucket,
    input: Input,
    method: string,
  ): Promise<S3Object> => {
    const key = String(input.Key ?? '');
    await s3.authorizeObject(ctx, bucket, key, input);
    const versionId = optString(input, 'VersionId');
    if (versionId !== undefined) {
      const version = findVersion(bucket, key, versionId);
      if (version.deleteMarker) throw methodNotAllowed(method);
      return version;
    }
    const object = lookup(bucket.objects, key);
    if (!object) return s3.missingKey(ctx, bucket, key);
    return object;
  };
  return {
    find(ctx, input, method = 'GET') {
      return locate(ctx, s3.requireBucket(optString(input, 'Bucket')), input, method);
    },
    async update(ctx, input, change) {
      const bucket = s3.requireBucket(optString(input, 'Bucket'));
      const object = await locate(ctx, bucket, input, 'PUT');
      change(object);
      // A state read back from a snapshot keeps the current version twice (objects, versions).
      const current = lookup(bucket.objects, object.key);
      if (current && current !== object && current.versionId === object.versionId) change(current);
      const versions = lookup(bucket.versions, object.key);
      for (const v of versions ?? []) {
        if (v !== object && !v.deleteMarker && v.versionId === object.versionId) change(v);
      }
      s3.core.store.changed();
      return object;
    },
  };
}
