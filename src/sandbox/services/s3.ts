/**
 * Amazon S3: buckets, objects (bodies in the blob store, metadata in the JSON state), listings,
 * bucket policies and multipart uploads. Every operation is authorized with its IAM action and the
 * bucket policy, and errors are S3's codes, messages and statuses.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { serviceModel } from '../models/index.js';
import { RestXmlError, restXmlProtocol } from '../protocol/rest-xml.js';
import {
  isBlobRef,
  type BlobRef,
  type BlobStore,
  type EventDetails,
  type PolicyDocument,
  type RequestContext,
  type SandboxCore,
  type ServiceHandler,
} from '../types.js';
import { dict, dictOf, lookup } from '../dict.js';
import { type Input, optBoolean, optList, optNumber, optObject, optString } from './input.js';
import { parsedPolicy } from './iam-state.js';
import { isValidBucketName } from './s3-bucket-name.js';
import { parseBucketPolicy } from './s3-policy.js';

interface S3Object {
  key: string;
  size: number;
  etag: string;
  lastModified: string;
  blob: string;
  contentType: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  expires?: string;
  metadata: Record<string, string>;
  checksums?: Record<string, string>;
}

interface Upload {
  uploadId: string;
  key: string;
  initiated: string;
  object: Omit<S3Object, 'size' | 'etag' | 'lastModified' | 'blob'>;
  parts: Record<string, { etag: string; size: number; blob: string }>;
}

interface Bucket {
  name: string;
  region: string;
  creationDate: string;
  policy?: string;
  objects: Record<string, S3Object>;
  uploads?: Record<string, Upload>;
}

interface S3State {
  buckets: Record<string, Bucket>;
  /** Bodies kept inside the JSON state (base64) when the store offers no blob storage. */
  inline?: Record<string, string>;
}

/** The account's canonical user id, as S3 shows owners (LocalStack's value for 000000000000). */
const OWNER = {
  ID: '75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a',
  DisplayName: 'webfile',
};

const err = (code: string, message: string, status: number, fields: Record<string, string> = {}) =>
  new RestXmlError(code, message, status, fields);
const noSuchBucket = (bucket: string) =>
  err('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: bucket });
const internalError = () =>
  err('InternalError', 'We encountered an internal error. Please try again.', 500);
const noSuchKey = (key: string) =>
  err('NoSuchKey', 'The specified key does not exist.', 404, { Key: key });

const bucketArn = (bucket: string) => `arn:aws:s3:::${bucket}`;
const objectArn = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;
const md5 = (data: Uint8Array) => createHash('md5').update(data).digest();

export function s3Service(core: SandboxCore): ServiceHandler {
  const state = () => core.store.get<S3State>('s3', () => ({ buckets: dict() }));
  const inline = inlineBlobs(() => (state().inline ??= dict()), core);
  const files = core.store.blobs ?? inline;
  // Bodies saved inline by an older store stay readable once the store offers blob files.
  const blobs: BlobStore = {
    put: (data) => files.put(data),
    get: async (id) => (await files.get(id)) ?? (files === inline ? undefined : inline.get(id)),
    delete: async (id) => {
      await files.delete(id);
      if (files !== inline && lookup(state().inline, id) !== undefined) await inline.delete(id);
    },
    writer: files.writer?.bind(files),
    unhold: (ref) => files.unhold?.(ref),
    open: async (id, start, end) => {
      const stream = await files.open?.(id, start, end);
      if (stream) return stream;
      const data = await blobs.get(id);
      return (
        data && Readable.from([data.subarray(start ?? 0, end === undefined ? undefined : end + 1)])
      );
    },
  };

  /**
   * A body as PutObject and UploadPart receive it: a BlobRef from the wire (already durable in
   * the blob store, held until the request ends), or bytes from core.invoke (a training job's
   * model artifact), which are stored here.
   */
  const received = async (body: unknown): Promise<{ ref: BlobRef; held: boolean }> => {
    if (isBlobRef(body)) return { ref: body, held: true };
    const data = toBuffer(body);
    if (blobs.writer) {
      const writer = blobs.writer();
      await writer.write(data);
      return { ref: await writer.commit(), held: true };
    }
    const blob = await blobs.put(data);
    const ref: BlobRef = { blob, size: data.length, md5: md5(data).toString('hex') };
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(data) >>> 0);
    ref.crc32 = crc.toString('base64');
    return { ref, held: false };
  };

  /** The parts of a multipart upload, one after the other, streamed into a new blob. */
  const concatenate = async (parts: string[]): Promise<{ ref: BlobRef; held: boolean }> => {
    if (!blobs.writer) {
      const chunks: Buffer[] = [];
      for (const id of parts) {
        const data = await blobs.get(id);
        if (!data) throw internalError();
        chunks.push(data);
      }
      return received(Buffer.concat(chunks));
    }
    const writer = blobs.writer();
    try {
      for (const id of parts) {
        const stream = await blobs.open?.(id);
        if (!stream) throw internalError();
        for await (const chunk of stream as AsyncIterable<Buffer>) await writer.write(chunk);
      }
      return { ref: await writer.commit(), held: true };
    } catch (error) {
      await writer.abort();
      throw error;
    }
  };

  /**
   * After a write that failed (no bucket, AccessDenied, BadDigest), its blob goes unless
   * something else refers to it; after one that succeeded, only the hold ends.
   */
  const settle = async (body: { ref: BlobRef; held: boolean }, failed: boolean) => {
    if (body.held) blobs.unhold?.(body.ref);
    if (failed) await release(body.ref.blob);
  };

  const requireBucket = (name: string | undefined): Bucket => {
    const bucket = name === undefined ? undefined : lookup(state().buckets, name);
    if (!bucket) throw noSuchBucket(name ?? '');
    return bucket;
  };

  const authorize = (
    ctx: RequestContext,
    action: string,
    resource: string,
    bucket?: Bucket,
    context?: Record<string, string>,
  ) => {
    // Parsed once per text: the evaluator's cache then knows an unchanged policy, which matters
    // now that every call on a bucket with a policy is evaluated, the root's included.
    const resourcePolicy = bucket?.policy
      ? (parsedPolicy(bucket.policy) as PolicyDocument)
      : undefined;
    return core.authorize(ctx, action, resource, { resourcePolicy, context });
  };

  /** S3 says NoSuchKey only to callers allowed to list the bucket; others get AccessDenied. */
  const missingKey = async (ctx: RequestContext, bucket: Bucket, key: string): Promise<never> => {
    await authorize(ctx, 's3:ListBucket', bucketArn(bucket.name), bucket);
    throw noSuchKey(key);
  };

  /** Drops a blob once no object or pending part refers to it any more (content-addressed). */
  const release = async (blob: string | undefined) => {
    if (!blob) return;
    for (const b of Object.values(state().buckets)) {
      if (Object.values(b.objects).some((o) => o.blob === blob)) return;
      for (const u of Object.values(b.uploads ?? {})) {
        if (Object.values(u.parts).some((p) => p.blob === blob)) return;
      }
    }
    await blobs.delete(blob);
  };

  /** An object's bytes (`start..end` inclusive), streamed from the blob store as they are sent. */
  const readBody = async (object: S3Object, start?: number, end?: number): Promise<Readable> => {
    const body = await blobs.open?.(object.blob, start, end);
    if (!body)
      throw err('InternalError', 'We encountered an internal error. Please try again.', 500);
    return body;
  };

  const uploadPart = async (input: Input, ctx: RequestContext, ref: BlobRef) => {
    const bucket = requireBucket(optString(input, 'Bucket'));
    const key = String(input.Key ?? '');
    await authorize(ctx, 's3:PutObject', objectArn(bucket.name, key), bucket);
    const upload = requireUpload(bucket, input);
    const partNumber = optNumber(input, 'PartNumber') ?? 0;
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000) {
      throw err(
        'InvalidArgument',
        'Part number must be an integer between 1 and 10000, inclusive',
        400,
        {
          ArgumentName: 'partNumber',
          ArgumentValue: String(partNumber),
        },
      );
    }
    verifyDigests(input, ref);
    const blob = ref.blob;
    const previous = upload.parts[partNumber]?.blob;
    upload.parts[partNumber] = { etag: `"${ref.md5}"`, size: ref.size, blob };
    core.store.changed();
    if (previous !== blob) await release(previous);
    return { ETag: upload.parts[partNumber]?.etag, ...checksumsOf(input) };
  };

  const objectHeaders = (o: S3Object) => ({
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
  });

  const objectMetadata = (
    input: Input,
  ): Omit<S3Object, 'size' | 'etag' | 'lastModified' | 'blob'> => ({
    key: String(input.Key),
    contentType: optString(input, 'ContentType') ?? 'binary/octet-stream',
    contentEncoding: optString(input, 'ContentEncoding'),
    contentDisposition: optString(input, 'ContentDisposition'),
    contentLanguage: optString(input, 'ContentLanguage'),
    cacheControl: optString(input, 'CacheControl'),
    expires: input.Expires instanceof Date ? input.Expires.toISOString() : undefined,
    metadata: dictOf(optObject(input, 'Metadata') as Record<string, string> | undefined),
  });

  const store = async (bucket: Bucket, object: S3Object) => {
    const previous = lookup(bucket.objects, object.key)?.blob;
    bucket.objects[object.key] = object;
    core.store.changed();
    if (previous !== object.blob) await release(previous);
  };

  const list = (bucket: Bucket, input: Input, after: string | undefined) => {
    const prefix = optString(input, 'Prefix') ?? '';
    const delimiter = optString(input, 'Delimiter') || undefined;
    const maxKeys = optNumber(input, 'MaxKeys') ?? 1000;
    if (maxKeys < 0) {
      throw err(
        'InvalidArgument',
        'Argument maxKeys must be an integer between 0 and 2147483647',
        400,
        {
          ArgumentName: 'maxKeys',
          ArgumentValue: String(maxKeys),
        },
      );
    }
    const contents: S3Object[] = [];
    const prefixes: string[] = [];
    let last: string | undefined;
    let truncated = false;
    const keys = Object.keys(bucket.objects).sort(compareKeys);
    for (const key of keys) {
      if (!key.startsWith(prefix)) continue;
      if (
        after !== undefined &&
        (compareKeys(key, after) <= 0 ||
          (delimiter && after.endsWith(delimiter) && key.startsWith(after)))
      ) {
        continue;
      }
      const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
      const entry = cut >= 0 ? key.slice(0, cut + (delimiter?.length ?? 0)) : key;
      if (cut >= 0 && prefixes[prefixes.length - 1] === entry) continue;
      // S3 never returns more than 1000 entries a page, whatever MaxKeys asks for.
      if (contents.length + prefixes.length >= Math.min(maxKeys, 1000)) {
        truncated = true;
        break;
      }
      if (cut >= 0) prefixes.push(entry);
      else contents.push(lookup(bucket.objects, key) as S3Object);
      last = entry;
    }
    const encode = input.EncodingType === 'url';
    const enc = (s: string | undefined) =>
      s === undefined ? undefined : encode ? encodeURIComponent(s).replace(/%2F/g, '/') : s;
    return {
      page: {
        Name: bucket.name,
        Prefix: enc(prefix),
        Delimiter: enc(delimiter),
        MaxKeys: maxKeys,
        EncodingType: encode ? 'url' : undefined,
        IsTruncated: truncated,
        Contents: contents.length
          ? contents.map((o) => ({
              Key: enc(o.key),
              LastModified: new Date(o.lastModified),
              ETag: o.etag,
              Size: o.size,
              StorageClass: 'STANDARD',
              Owner: input.FetchOwner === false ? undefined : OWNER,
            }))
          : undefined,
        CommonPrefixes: prefixes.length ? prefixes.map((p) => ({ Prefix: enc(p) })) : undefined,
      },
      count: contents.length + prefixes.length,
      last: truncated ? last : undefined,
      enc,
    };
  };

  const operations: ServiceHandler['operations'] = {
    async ListBuckets(_input, ctx) {
      await authorize(ctx, 's3:ListAllMyBuckets', 'arn:aws:s3:::*');
      const buckets = Object.values(state().buckets).sort((a, b) => compareKeys(a.name, b.name));
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
        throw err('InvalidBucketName', 'The specified bucket is not valid.', 400, {
          BucketName: name,
        });
      }
      await authorize(ctx, 's3:CreateBucket', bucketArn(name));
      const constraint = optString(
        optObject(input, 'CreateBucketConfiguration') ?? {},
        'LocationConstraint',
      );
      if (ctx.region === 'us-east-1' && constraint === 'us-east-1') {
        throw err(
          'InvalidLocationConstraint',
          'The specified location-constraint is not valid',
          400,
          {
            LocationConstraint: constraint,
          },
        );
      }
      if (ctx.region !== 'us-east-1' && constraint !== ctx.region) {
        throw err(
          'IllegalLocationConstraintException',
          `The ${constraint ?? 'unspecified'} location constraint is incompatible for the region specific endpoint this request was sent to.`,
          400,
        );
      }
      const region = constraint || 'us-east-1';
      const existing = lookup(state().buckets, name);
      if (existing) {
        // us-east-1 keeps S3's legacy answer: re-creating your own bucket there succeeds.
        if (existing.region === 'us-east-1' && region === 'us-east-1')
          return { Location: `/${name}` };
        throw err(
          'BucketAlreadyOwnedByYou',
          'Your previous request to create the named bucket succeeded and you already own it.',
          409,
          { BucketName: name },
        );
      }
      state().buckets[name] = {
        name,
        region,
        creationDate: new Date(core.now()).toISOString(),
        objects: dict(),
      };
      core.store.changed();
      return { Location: `/${name}` };
    },

    async HeadBucket(input, ctx) {
      const bucket = requireBucket(optString(input, 'Bucket'));
      await authorize(ctx, 's3:ListBucket', bucketArn(bucket.name), bucket);
      return { BucketRegion: bucket.region };
    },

    async DeleteBucket(input, ctx) {
      const bucket = requireBucket(optString(input, 'Bucket'));
      await authorize(ctx, 's3:DeleteBucket', bucketArn(bucket.name), bucket);
      if (Object.keys(bucket.objects).length > 0) {
        throw err('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409, {
          BucketName: bucket.name,
        });
      }
      delete state().buckets[bucket.name];
      core.store.changed();
      for (const upload of Object.values(bucket.uploads ?? {})) {
        for (const part of Object.values(upload.parts)) await release(part.blob);
      }
      return {};
    },

    async GetBucketLocation(input, ctx) {
      const bucket = requireBucket(optString(input, 'Bucket'));
      await authorize(ctx, 's3:GetBucketLocation', bucketArn(bucket.name), bucket);
      return { LocationConstraint: bucket.region === 'us-east-1' ? undefined : bucket.region };
    },

    async PutBucketPolicy(input, ctx) {
      const bucket = requireBucket(optString(input, 'Bucket'));
      await authorize(ctx, 's3:PutBucketPolicy', bucketArn(bucket.name), bucket);
      const text = optString(input, 'Policy') ?? '';
      parseBucketPolicy(text, bucket.name);
      bucket.policy = text;
      core.store.changed();
      return {};
    },

    async GetBucketPolicy(input, ctx) {
      const bucket = requireBucket(optString(input, 'Bucket'));
      await authorize(ctx, 's3:GetBucketPolicy', bucketArn(bucket.name), bucket);
      if (!bucket.policy) {
        throw err('NoSuchBucketPolicy', 'The bucket policy does not exist', 404, {
          BucketName: bucket.name,
        });
      }
      return { Policy: bucket.policy };
    },

    async DeleteBucketPolicy(input, ctx) {
      const bucket = requireBucket(optString(input, 'Bucket'));
      await authorize(ctx, 's3:DeleteBucketPolicy', bucketArn(bucket.name), bucket);
      delete bucket.policy;
      core.store.changed();
      return {};
    },

    async ListObjectsV2(input, ctx) {
      const bucket = requireBucket(optString(input, 'Bucket'));
      await authorize(ctx, 's3:ListBucket', bucketArn(bucket.name), bucket, listContext(input));
      const token = optString(input, 'ContinuationToken');
      let after = optString(input, 'StartAfter');
      if (token !== undefined) {
        const decoded = Buffer.from(token, 'base64').toString('utf8');
        if (!decoded.startsWith('1:')) {
          throw err('InvalidArgument', 'The continuation token provided is incorrect', 400, {
            ArgumentName: 'continuation-token',
          });
        }
        after = decoded.slice(2);
      }
      const { page, count, last, enc } = list(
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
      const bucket = requireBucket(optString(input, 'Bucket'));
      await authorize(ctx, 's3:ListBucket', bucketArn(bucket.name), bucket, listContext(input));
      const marker = optString(input, 'Marker');
      const { page, last, enc } = list(bucket, input, marker || undefined);
      return {
        ...page,
        Marker: enc(marker ?? ''),
        // S3 gives NextMarker only with a delimiter; clients otherwise resume from the last key.
        NextMarker: page.Delimiter !== undefined ? enc(last) : undefined,
      };
    },

    async PutObject(input, ctx) {
      const body = await received(input.Body);
      let failed = true;
      try {
        const bucket = requireBucket(optString(input, 'Bucket'));
        const key = String(input.Key ?? '');
        await authorize(ctx, 's3:PutObject', objectArn(bucket.name, key), bucket);
        if (Buffer.byteLength(key) > 1024) {
          throw err('KeyTooLongError', 'Your key is too long', 400, {
            Size: String(Buffer.byteLength(key)),
          });
        }
        verifyDigests(input, body.ref);
        const object: S3Object = {
          ...objectMetadata(input),
          size: body.ref.size,
          etag: `"${body.ref.md5}"`,
          lastModified: new Date(core.now()).toISOString(),
          blob: body.ref.blob,
          checksums: checksumsOf(input),
        };
        await store(bucket, object);
        failed = false;
        return { ETag: object.etag, ...object.checksums };
      } finally {
        await settle(body, failed);
      }
    },

    async CopyObject(input, ctx) {
      const bucket = requireBucket(optString(input, 'Bucket'));
      const key = String(input.Key ?? '');
      const source = decodeURIComponent(String(input.CopySource ?? '').split('?')[0] ?? '').replace(
        /^\//,
        '',
      );
      const slash = source.indexOf('/');
      const sourceBucket = requireBucket(slash > 0 ? source.slice(0, slash) : source);
      const sourceKey = slash > 0 ? source.slice(slash + 1) : '';
      await authorize(ctx, 's3:GetObject', objectArn(sourceBucket.name, sourceKey), sourceBucket);
      await authorize(ctx, 's3:PutObject', objectArn(bucket.name, key), bucket);
      const original = lookup(sourceBucket.objects, sourceKey);
      if (!original) return missingKey(ctx, sourceBucket, sourceKey);
      const replace = input.MetadataDirective === 'REPLACE';
      if (!replace && sourceBucket === bucket && sourceKey === key) {
        throw err(
          'InvalidRequest',
          "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
          400,
        );
      }
      const copy: S3Object = {
        ...(replace ? objectMetadata(input) : { ...original }),
        key,
        size: original.size,
        etag: original.etag,
        blob: original.blob,
        lastModified: new Date(core.now()).toISOString(),
      };
      await store(bucket, copy);
      return { CopyObjectResult: { ETag: copy.etag, LastModified: new Date(copy.lastModified) } };
    },

    async GetObject(input, ctx) {
      const bucket = requireBucket(optString(input, 'Bucket'));
      const key = String(input.Key ?? '');
      await authorize(ctx, 's3:GetObject', objectArn(bucket.name, key), bucket);
      const object = lookup(bucket.objects, key);
      if (!object) return missingKey(ctx, bucket, key);
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
          Body: await readBody(object, range.start, range.end),
          ContentLength: range.end - range.start + 1,
          ContentRange: `bytes ${range.start}-${range.end}/${object.size}`,
        };
      }
      return { ...headers, Body: await readBody(object), ContentLength: object.size };
    },

    async HeadObject(input, ctx) {
      const bucket = requireBucket(optString(input, 'Bucket'));
      const key = String(input.Key ?? '');
      await authorize(ctx, 's3:GetObject', objectArn(bucket.name, key), bucket);
      const object = lookup(bucket.objects, key);
      if (!object) return missingKey(ctx, bucket, key);
      return { ...objectHeaders(object), ContentLength: object.size };
    },

    async DeleteObject(input, ctx) {
      const bucket = requireBucket(optString(input, 'Bucket'));
      const key = String(input.Key ?? '');
      await authorize(ctx, 's3:DeleteObject', objectArn(bucket.name, key), bucket);
      const previous = lookup(bucket.objects, key);
      if (previous) {
        delete bucket.objects[key];
        core.store.changed();
        await release(previous.blob);
      }
      return {};
    },

    async DeleteObjects(input, ctx) {
      const bucket = requireBucket(optString(input, 'Bucket'));
      const request = optObject(input, 'Delete') ?? {};
      const objects = optList<Input>(request, 'Objects') ?? [];
      if (objects.length > 1000) {
        throw err(
          'MalformedXML',
          'The XML you provided was not well-formed or did not validate against our published schema',
          400,
        );
      }
      const quiet = optBoolean(request, 'Quiet') ?? false;
      const deleted: { Key: string }[] = [];
      const errors: { Key: string; Code: string; Message: string }[] = [];
      for (const entry of objects) {
        const key = String(entry.Key ?? '');
        try {
          await authorize(ctx, 's3:DeleteObject', objectArn(bucket.name, key), bucket);
        } catch (error) {
          const e = error as { code?: string; message?: string };
          errors.push({
            Key: key,
            Code: e.code ?? 'AccessDenied',
            Message: e.message ?? 'Access Denied',
          });
          continue;
        }
        const previous = lookup(bucket.objects, key);
        if (previous) {
          delete bucket.objects[key];
          core.store.changed();
          await release(previous.blob);
        }
        if (!quiet) deleted.push({ Key: key });
      }
      return {
        Deleted: deleted.length ? deleted : undefined,
        Errors: errors.length ? errors : undefined,
      };
    },

    async CreateMultipartUpload(input, ctx) {
      const bucket = requireBucket(optString(input, 'Bucket'));
      const key = String(input.Key ?? '');
      await authorize(ctx, 's3:PutObject', objectArn(bucket.name, key), bucket);
      const uploadId = core.ids.opaqueId();
      (bucket.uploads ??= dict())[uploadId] = {
        uploadId,
        key,
        initiated: new Date(core.now()).toISOString(),
        object: objectMetadata(input),
        parts: dict(),
      };
      core.store.changed();
      return { Bucket: bucket.name, Key: key, UploadId: uploadId };
    },

    async UploadPart(input, ctx) {
      const body = await received(input.Body);
      let failed = true;
      try {
        const result = await uploadPart(input, ctx, body.ref);
        failed = false;
        return result;
      } finally {
        await settle(body, failed);
      }
    },

    async CompleteMultipartUpload(input, ctx) {
      const bucket = requireBucket(optString(input, 'Bucket'));
      const key = String(input.Key ?? '');
      await authorize(ctx, 's3:PutObject', objectArn(bucket.name, key), bucket);
      const upload = requireUpload(bucket, input);
      const requested = optList<Input>(optObject(input, 'MultipartUpload') ?? {}, 'Parts') ?? [];
      if (requested.length === 0) {
        throw err(
          'MalformedXML',
          'The XML you provided was not well-formed or did not validate against our published schema',
          400,
        );
      }
      const blobsOfParts: string[] = [];
      const digests: Buffer[] = [];
      let previousNumber = 0;
      for (const part of requested) {
        const number = optNumber(part, 'PartNumber') ?? 0;
        const stored = lookup(upload.parts, String(number));
        if (number <= previousNumber) {
          throw err(
            'InvalidPartOrder',
            'The list of parts was not in ascending order. Parts must be ordered by part number.',
            400,
            {
              UploadId: upload.uploadId,
            },
          );
        }
        previousNumber = number;
        if (
          !stored ||
          (part.ETag !== undefined && normalizeEtag(String(part.ETag)) !== stored.etag)
        ) {
          throw err(
            'InvalidPart',
            "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
            400,
            { UploadId: upload.uploadId, PartNumber: String(number) },
          );
        }
        blobsOfParts.push(stored.blob);
        digests.push(Buffer.from(stored.etag.slice(1, -1), 'hex'));
      }
      const body = await concatenate(blobsOfParts);
      const blob = body.ref.blob;
      const object: S3Object = {
        ...upload.object,
        key,
        size: body.ref.size,
        etag: `"${md5(Buffer.concat(digests)).toString('hex')}-${requested.length}"`,
        lastModified: new Date(core.now()).toISOString(),
        blob,
      };
      delete bucket.uploads?.[upload.uploadId];
      await store(bucket, object);
      await settle(body, false);
      for (const part of Object.values(upload.parts)) await release(part.blob);
      return {
        Location: `/${bucket.name}/${key}`,
        Bucket: bucket.name,
        Key: key,
        ETag: object.etag,
      };
    },

    async AbortMultipartUpload(input, ctx) {
      const bucket = requireBucket(optString(input, 'Bucket'));
      const key = String(input.Key ?? '');
      await authorize(ctx, 's3:AbortMultipartUpload', objectArn(bucket.name, key), bucket);
      const upload = requireUpload(bucket, input);
      delete bucket.uploads?.[upload.uploadId];
      core.store.changed();
      for (const part of Object.values(upload.parts)) await release(part.blob);
      return {};
    },
  };

  return {
    name: 's3',
    protocol: restXmlProtocol(serviceModel('s3')),
    operations,
    describeEvent: (operation, input) => describeS3Event(operation, input),
  };
}

function requireUpload(bucket: Bucket, input: Input): Upload {
  const id = optString(input, 'UploadId') ?? '';
  const upload = lookup(bucket.uploads, id);
  if (!upload || upload.key !== input.Key) {
    throw err(
      'NoSuchUpload',
      'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
      404,
      { UploadId: id },
    );
  }
  return upload;
}

/** CloudTrail's view of an S3 call: the bucket (and object) it touched. */
function describeS3Event(operation: string, input: Input): EventDetails {
  const bucket = optString(input, 'Bucket');
  const key = optString(input, 'Key');
  const resources: NonNullable<EventDetails['resources']> = [];
  if (bucket) resources.push({ ARN: bucketArn(bucket), ResourceType: 'AWS::S3::Bucket' });
  if (bucket && key)
    resources.push({ ARN: objectArn(bucket, key), ResourceType: 'AWS::S3::Object' });
  const requestParameters: Record<string, unknown> = {};
  if (bucket) requestParameters.bucketName = bucket;
  if (key) requestParameters.key = key;
  if (operation.startsWith('ListObjects')) {
    for (const [name, param] of [
      ['Prefix', 'prefix'],
      ['Delimiter', 'delimiter'],
      ['MaxKeys', 'max-keys'],
    ] as const) {
      if (input[name] !== undefined) requestParameters[param] = input[name];
    }
  }
  return { resources, requestParameters };
}

/** Condition keys S3 sets for listings, so policies can scope s3:ListBucket by prefix. */
function listContext(input: Input): Record<string, string> | undefined {
  const context: Record<string, string> = {};
  const prefix = optString(input, 'Prefix');
  const delimiter = optString(input, 'Delimiter');
  const maxKeys = optString(input, 'MaxKeys');
  if (prefix !== undefined) context['s3:prefix'] = prefix;
  if (delimiter !== undefined) context['s3:delimiter'] = delimiter;
  if (maxKeys !== undefined) context['s3:max-keys'] = maxKeys;
  return Object.keys(context).length ? context : undefined;
}

function toBuffer(body: unknown): Buffer {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body);
  return Buffer.from(String(body), 'utf8');
}

/**
 * Content-MD5 and the flexible checksums the clients send, against the digests taken as the body
 * streamed in: a mismatch is BadDigest, as on S3.
 */
function verifyDigests(input: Input, ref: BlobRef): void {
  const contentMd5 = optString(input, 'ContentMD5');
  const md5Base64 = Buffer.from(ref.md5, 'hex').toString('base64');
  if (contentMd5 !== undefined && contentMd5 !== md5Base64) {
    throw err('BadDigest', 'The Content-MD5 you specified did not match what we received.', 400, {
      ExpectedDigest: contentMd5,
      CalculatedDigest: md5Base64,
    });
  }
  const crc = optString(input, 'ChecksumCRC32');
  if (crc !== undefined && ref.crc32 !== undefined && crc !== ref.crc32) {
    throw err('BadDigest', 'The CRC32 you specified did not match the calculated checksum.', 400);
  }
  const sha256 = optString(input, 'ChecksumSHA256');
  if (sha256 !== undefined && sha256 !== Buffer.from(ref.blob, 'hex').toString('base64')) {
    throw err('BadDigest', 'The SHA256 you specified did not match the calculated checksum.', 400);
  }
}

function checksumsOf(input: Input): Record<string, string> | undefined {
  const checksums: Record<string, string> = {};
  for (const name of [
    'ChecksumCRC32',
    'ChecksumCRC32C',
    'ChecksumCRC64NVME',
    'ChecksumSHA1',
    'ChecksumSHA256',
  ]) {
    const value = optString(input, name);
    if (value !== undefined) checksums[name] = value;
  }
  return Object.keys(checksums).length ? checksums : undefined;
}

/** `bytes=a-b`, `bytes=a-` or `bytes=-n`; anything unsatisfiable is InvalidRange (416). */
function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // S3 ignores a Range it cannot parse (multiple ranges included) and sends the whole object.
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    start = Math.max(0, size - suffix);
    end = size - 1;
    if (suffix === 0) start = size;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start >= size || start > end) {
    throw err('InvalidRange', 'The requested range is not satisfiable', 416, {
      RangeRequested: header,
      ActualObjectSize: String(size),
    });
  }
  return { start, end };
}

function normalizeEtag(etag: string): string {
  return etag.startsWith('"') ? etag : `"${etag}"`;
}

/** S3 lists keys in UTF-8 binary order. */
function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Object bodies inside the service's JSON state, for a store without blob storage: slower and
 * bigger than files, but they survive a restart like everything else.
 */
function inlineBlobs(table: () => Record<string, string>, core: SandboxCore): BlobStore {
  return {
    async put(data) {
      const id = createHash('sha256').update(data).digest('hex');
      table()[id] = Buffer.from(data).toString('base64');
      core.store.changed();
      return id;
    },
    async get(id) {
      const data = lookup(table(), id);
      return data === undefined ? undefined : Buffer.from(data, 'base64');
    },
    async delete(id) {
      delete table()[id];
      core.store.changed();
    },
  };
}
