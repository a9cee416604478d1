/**
 * Objects: put, copy, get, head, delete. Bodies stream through the blob store (body-store.ts);
 * versions, encryption, tags and ACLs are kept on the object's record.
 */
import { lookup } from '../../dict.js';
import { dictOf } from '../../dict.js';
import type { OperationHandler, RequestContext } from '../../types.js';
import { type Input, optBoolean, optList, optObject, optString } from '../input.js';
import { acceptAcl } from './acl.js';
import type { S3Context } from './context.js';
import { checksumsOf, verifyDigests } from './digests.js';
import { encryptionContext, encryptionHeaders, requestedEncryption } from './encryption.js';
import { invalidRequest, malformedXml, noSuchKey, s3Error } from './errors.js';
import { authorizeKmsUse } from './kms-key-use.js';
import { objectArn, type Bucket, type S3Object } from './models.js';
import type { ObjectAccess } from './object-access.js';
import { parseRange } from './range.js';
import { headerTags } from './tagging.js';
import { deleteMarkerIsCurrent, putVersion, removeObject } from './versioning.js';

export type ObjectFields = Omit<S3Object, 'size' | 'etag' | 'lastModified' | 'blob'>;

/** What a write request says of the object beside its body: metadata, encryption, tags, ACL. */
export function objectFields(ctx: RequestContext, bucket: Bucket, input: Input): ObjectFields {
  const tags = headerTags(input);
  const acl = acceptAcl(bucket, optString(input, 'ACL'));
  return {
    key: String(input.Key),
    contentType: optString(input, 'ContentType') ?? 'binary/octet-stream',
    contentEncoding: optString(input, 'ContentEncoding'),
    contentDisposition: optString(input, 'ContentDisposition'),
    contentLanguage: optString(input, 'ContentLanguage'),
    cacheControl: optString(input, 'CacheControl'),
    expires: input.Expires instanceof Date ? input.Expires.toISOString() : undefined,
    metadata: dictOf(optObject(input, 'Metadata') as Record<string, string> | undefined),
    encryption: requestedEncryption(ctx, bucket, input),
    ...(tags ? { tags } : {}),
    ...(acl ? { acl } : {}),
  };
}

/** Condition keys of a write: its encryption headers and canned ACL. */
export function writeContext(input: Input): Record<string, string> | undefined {
  const context = encryptionContext(input);
  const acl = optString(input, 'ACL');
  if (acl !== undefined) context['s3:x-amz-acl'] = acl;
  return Object.keys(context).length ? context : undefined;
}

/** The headers every read of an object answers with. */
export function objectHeaders(o: S3Object) {
  return {
    ETag: o.etag,
    LastModified: new Date(o.lastModified),
    ContentType: o.contentType,
    ContentEncoding: o.contentEncoding,
    ContentDisposition: o.contentDisposition,
    ContentLanguage: o.contentLanguage,
    CacheControl: o.cacheControl,
    Expires: o.expires ? new Date(o.expires) : undefined,
    Metadata: Object.keys(o.metadata).length ? o.metadata : undefined,
    AcceptRanges: 'bytes',
    VersionId: o.versionId,
    TagCount: o.tags && Object.keys(o.tags).length ? Object.keys(o.tags).length : undefined,
    ...encryptionHeaders(o.encryption),
  };
}

/** The answer a write reports of the object it stored. */
export function writeResult(o: S3Object) {
  const { ServerSideEncryption, SSEKMSKeyId, BucketKeyEnabled } = encryptionHeaders(o.encryption);
  return {
    ETag: o.etag,
    VersionId: o.versionId,
    ServerSideEncryption,
    SSEKMSKeyId,
    BucketKeyEnabled,
  };
}

export function objectHandlers(
  s3: S3Context,
  objects: ObjectAccess,
): Record<string, OperationHandler> {
  const { core } = s3;

  /** Stores `object` as its key's current version; releases what no version needs any more. */
  const store = async (bucket: Bucket, object: S3Object) => {
    const released = putVersion(core, bucket, object);
    core.store.changed();
    for (const blob of released) if (blob !== object.blob) await s3.bodies.release(blob);
  };

  /** A read of an SSE-KMS object needs the caller's use of the key, as on AWS. */
  const readable = async (ctx: RequestContext, object: S3Object) => {
    const keyId = object.encryption?.kmsKeyId;
    if (keyId) await authorizeKmsUse(core, ctx, keyId, 'kms:Decrypt');
  };

  const find = async (ctx: RequestContext, input: Input, method: string) => {
    const bucket = s3.requireBucket(optString(input, 'Bucket'));
    const key = String(input.Key ?? '');
    if (optString(input, 'VersionId') === undefined && deleteMarkerIsCurrent(bucket, key)) {
      await s3.authorizeObject(ctx, bucket, key, input);
      throw noSuchKey(key);
    }
    const object = await objects.find(ctx, input, method);
    // Only the body needs the key: a HEAD reads metadata, which S3 keeps in the clear.
    if (method !== 'HEAD') await readable(ctx, object);
    return object;
  };

  const remove = async (bucket: Bucket, key: string, versionId: string | undefined) => {
    const removal = removeObject(core, bucket, key, versionId);
    core.store.changed();
    for (const blob of removal.released) await s3.bodies.release(blob);
    return removal;
  };

  return {
    async PutObject(input, ctx) {
      const body = await s3.bodies.received(input.Body);
      let failed = true;
      try {
        const bucket = s3.requireBucket(optString(input, 'Bucket'));
        const key = String(input.Key ?? '');
        await s3.authorize(
          ctx,
          's3:PutObject',
          objectArn(bucket.name, key),
          bucket,
          writeContext(input),
        );
        if (Buffer.byteLength(key) > 1024) {
          throw s3Error('KeyTooLongError', 'Your key is too long', 400, {
            Size: String(Buffer.byteLength(key)),
          });
        }
        verifyDigests(input, body.ref);
        const fields = objectFields(ctx, bucket, input);
        const keyId = fields.encryption?.kmsKeyId;
        if (keyId && fields.encryption) {
          fields.encryption.kmsKeyId = await authorizeKmsUse(
            core,
            ctx,
            keyId,
            'kms:GenerateDataKey',
          );
        }
        const object: S3Object = {
          ...fields,
          size: body.ref.size,
          etag: `"${body.ref.md5}"`,
          lastModified: new Date(core.now()).toISOString(),
          blob: body.ref.blob,
          checksums: checksumsOf(input),
        };
        await store(bucket, object);
        failed = false;
        return { ...writeResult(object), ...object.checksums };
      } finally {
        await s3.bodies.settle(body, failed);
      }
    },

    async CopyObject(input, ctx) {
      const bucket = s3.requireBucket(optString(input, 'Bucket'));
      const key = String(input.Key ?? '');
      const [path = '', query = ''] = String(input.CopySource ?? '').split('?');
      const source = decodeURIComponent(path).replace(/^\//, '');
      const sourceVersion = new URLSearchParams(query).get('versionId') ?? undefined;
      const slash = source.indexOf('/');
      const sourceBucket = s3.requireBucket(slash > 0 ? source.slice(0, slash) : source);
      const sourceKey = slash > 0 ? source.slice(slash + 1) : '';
      await s3.authorize(
        ctx,
        sourceVersion ? 's3:GetObjectVersion' : 's3:GetObject',
        objectArn(sourceBucket.name, sourceKey),
        sourceBucket,
      );
      await s3.authorize(
        ctx,
        's3:PutObject',
        objectArn(bucket.name, key),
        bucket,
        writeContext(input),
      );
      const original = sourceVersion
        ? await objects.find(ctx, {
            Bucket: sourceBucket.name,
            Key: sourceKey,
            VersionId: sourceVersion,
          })
        : lookup(sourceBucket.objects, sourceKey);
      if (!original) return s3.missingKey(ctx, sourceBucket, sourceKey);
      await readable(ctx, original);
      const replace = input.MetadataDirective === 'REPLACE';
      const reEncrypt = optString(input, 'ServerSideEncryption') !== undefined;
      if (!replace && !reEncrypt && sourceBucket === bucket && sourceKey === key) {
        throw invalidRequest(
          "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
        );
      }
      const fields = objectFields(ctx, bucket, input);
      const copy: S3Object = {
        ...(replace ? fields : { ...original, tags: original.tags, acl: fields.acl }),
        encryption: fields.encryption,
        key,
        size: original.size,
        etag: original.etag,
        blob: original.blob,
        lastModified: new Date(core.now()).toISOString(),
      };
      delete copy.versionId;
      if (!copy.acl) delete copy.acl;
      await store(bucket, copy);
      const { ETag, ...rest } = writeResult(copy);
      return {
        CopyObjectResult: { ETag, LastModified: new Date(copy.lastModified) },
        ...rest,
        VersionId: copy.versionId,
        CopySourceVersionId: original.versionId,
      };
    },

    async GetObject(input, ctx) {
      const object = await find(ctx, input, 'GET');
      const range = parseRange(optString(input, 'Range'), object.size);
      const headers = {
        ...objectHeaders(object),
        ContentType: optString(input, 'ResponseContentType') ?? object.contentType,
        ContentDisposition:
          optString(input, 'ResponseContentDisposition') ?? object.contentDisposition,
        CacheControl: optString(input, 'ResponseCacheControl') ?? object.cacheControl,
      };
      if (range) {
        return {
          ...headers,
          Body: await s3.bodies.open(object.blob, range.start, range.end),
          ContentLength: range.end - range.start + 1,
          ContentRange: `bytes ${range.start}-${range.end}/${object.size}`,
        };
      }
      return { ...headers, Body: await s3.bodies.open(object.blob), ContentLength: object.size };
    },

    async HeadObject(input, ctx) {
      const object = await find(ctx, input, 'HEAD');
      return { ...objectHeaders(object), ContentLength: object.size };
    },

    async DeleteObject(input, ctx) {
      const bucket = s3.requireBucket(optString(input, 'Bucket'));
      const key = String(input.Key ?? '');
      await s3.authorizeObject(ctx, bucket, key, input);
      const removal = await remove(bucket, key, optString(input, 'VersionId'));
      return { VersionId: removal.versionId, DeleteMarker: removal.deleteMarker };
    },

    async DeleteObjects(input, ctx) {
      const bucket = s3.requireBucket(optString(input, 'Bucket'));
      const request = optObject(input, 'Delete') ?? {};
      const entries = optList<Input>(request, 'Objects') ?? [];
      if (entries.length > 1000) throw malformedXml();
      const quiet = optBoolean(request, 'Quiet') ?? false;
      const deleted: Record<string, unknown>[] = [];
      const errors: { Key: string; Code: string; Message: string }[] = [];
      for (const entry of entries) {
        const key = String(entry.Key ?? '');
        const versionId = optString(entry, 'VersionId');
        try {
          await s3.authorize(
            ctx,
            versionId ? 's3:DeleteObjectVersion' : 's3:DeleteObject',
            objectArn(bucket.name, key),
            bucket,
          );
        } catch (error) {
          const e = error as { code?: string; message?: string };
          errors.push({
            Key: key,
            Code: e.code ?? 'AccessDenied',
            Message: e.message ?? 'Access Denied',
          });
          continue;
        }
        const removal = await remove(bucket, key, versionId);
        if (!quiet) {
          deleted.push({
            Key: key,
            VersionId: versionId,
            DeleteMarker: removal.deleteMarker,
            DeleteMarkerVersionId: versionId === undefined ? removal.versionId : undefined,
          });
        }
      }
      return {
        Deleted: deleted.length ? deleted : undefined,
        Errors: errors.length ? errors : undefined,
      };
    },
  };
}
