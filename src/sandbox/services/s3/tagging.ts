/**
 * Bucket and object tags: a TagSet body (Put*Tagging) or the x-amz-tagging header of PutObject
 * (URL-encoded `k=v&k2=v2`), with S3's limits (50 per bucket, 10 per object, keys up to 128
 * characters, values up to 256, no duplicate keys, no `aws:` prefix).
 */
import { dict } from '../../dict.js';
import type { OperationHandler } from '../../types.js';
import { type Input, optList, optObject, optString } from '../input.js';
import type { S3Context } from './context.js';
import { invalidTag, notConfigured, s3Error } from './errors.js';
import type { ObjectAccess } from './object-access.js';

function checkedTags(
  pairs: [string, string][],
  max: number,
  forObject: boolean,
): Record<string, string> {
  if (pairs.length > max) {
    throw forObject
      ? s3Error('BadRequest', 'Object tags cannot be greater than 10', 400)
      : invalidTag('Bucket tag count cannot be greater than 50');
  }
  const tags: Record<string, string> = dict();
  for (const [key, value] of pairs) {
    if (key.length === 0 || key.length > 128)
      throw invalidTag('The TagKey you have provided is invalid');
    if (value.length > 256) throw invalidTag('The TagValue you have provided is invalid');
    if (key.toLowerCase().startsWith('aws:')) {
      throw invalidTag('System tags cannot be added/updated by requester');
    }
    if (key in tags) throw invalidTag('Cannot provide multiple Tags with the same key');
    tags[key] = value;
  }
  return tags;
}

/** The tags of a Tagging body. */
function tagSetOf(input: Input, max: number, forObject: boolean): Record<string, string> {
  const set = optList<Input>(optObject(input, 'Tagging') ?? {}, 'TagSet') ?? [];
  return checkedTags(
    set.map((t) => [optString(t, 'Key') ?? '', optString(t, 'Value') ?? '']),
    max,
    forObject,
  );
}

/** The tags of PutObject's x-amz-tagging header, if any. */
export function headerTags(input: Input): Record<string, string> | undefined {
  const header = optString(input, 'Tagging');
  if (header === undefined || header === '') return undefined;
  return checkedTags([...new URLSearchParams(header).entries()], 10, true);
}

const tagSet = (tags: Record<string, string> | undefined) =>
  Object.entries(tags ?? {}).map(([Key, Value]) => ({ Key, Value }));

export function taggingHandlers(
  s3: S3Context,
  objects: ObjectAccess,
): Record<string, OperationHandler> {
  return {
    async PutBucketTagging(input, ctx) {
      const bucket = await s3.bucketFor(ctx, input);
      bucket.tags = tagSetOf(input, 50, false);
      s3.core.store.changed();
      return {};
    },
    async GetBucketTagging(input, ctx) {
      const bucket = await s3.bucketFor(ctx, input);
      if (!bucket.tags || Object.keys(bucket.tags).length === 0) {
        throw notConfigured.tagging(bucket.name);
      }
      return { TagSet: tagSet(bucket.tags) };
    },
    async DeleteBucketTagging(input, ctx) {
      const bucket = await s3.bucketFor(ctx, input);
      delete bucket.tags;
      s3.core.store.changed();
      return {};
    },
    async PutObjectTagging(input, ctx) {
      const tags = tagSetOf(input, 10, true);
      const object = await objects.update(ctx, input, (o) => {
        if (Object.keys(tags).length) o.tags = tags;
        else delete o.tags;
      });
      return { VersionId: object.versionId };
    },
    async GetObjectTagging(input, ctx) {
      const object = await objects.find(ctx, input);
      return { TagSet: tagSet(object.tags), VersionId: object.versionId };
    },
    async DeleteObjectTagging(input, ctx) {
      const object = await objects.update(ctx, input, (o) => delete o.tags);
      return { VersionId: object.versionId };
    },
  };
}
