/** Multipart uploads: parts stored as blobs, concatenated into one object on completion. */
import { dict, lookup } from '../../dict.js';
import type { BlobRef, OperationHandler, RequestContext } from '../../types.js';
import { type Input, optList, optNumber, optObject, optString } from '../input.js';
import { md5 } from './body-store.js';
import type { S3Context } from './context.js';
import { checksumsOf, normalizeEtag, verifyDigests } from './digests.js';
import { s3Error } from './errors.js';
import { objectArn, type Bucket, type S3Object, type Upload } from './models.js';
import { objectFields, writeResult } from './objects.js';
import { putVersion } from './versioning.js';

function requireUpload(bucket: Bucket, input: Input): Upload {
  const id = optString(input, 'UploadId') ?? '';
  const upload = lookup(bucket.uploads, id);
  if (!upload || upload.key !== input.Key) {
    throw s3Error(
      'NoSuchUpload',
      'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
      404,
      { UploadId: id },
    );
  }
  return upload;
}

export function multipartHandlers(s3: S3Context): Record<string, OperationHandler> {
  const { core } = s3;
  const uploadPart = async (input: Input, ctx: RequestContext, ref: BlobRef) => {
    const bucket = s3.requireBucket(optString(input, 'Bucket'));
    const key = String(input.Key ?? '');
    await s3.authorize(ctx, 's3:PutObject', objectArn(bucket.name, key), bucket);
    const upload = requireUpload(bucket, input);
    const partNumber = optNumber(input, 'PartNumber') ?? 0;
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000) {
      throw s3Error(
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
    if (previous !== blob) await s3.bodies.release(previous);
    return { ETag: upload.parts[partNumber]?.etag, ...checksumsOf(input) };
  };

  return {
    async CreateMultipartUpload(input, ctx) {
      const bucket = s3.requireBucket(optString(input, 'Bucket'));
      const key = String(input.Key ?? '');
      await s3.authorize(ctx, 's3:PutObject', objectArn(bucket.name, key), bucket);
      const uploadId = core.ids.opaqueId();
      (bucket.uploads ??= dict())[uploadId] = {
        uploadId,
        key,
        initiated: new Date(core.now()).toISOString(),
        object: objectFields(ctx, bucket, input),
        parts: dict(),
      };
      core.store.changed();
      return { Bucket: bucket.name, Key: key, UploadId: uploadId };
    },

    async UploadPart(input, ctx) {
      const body = await s3.bodies.received(input.Body);
      let failed = true;
      try {
        const result = await uploadPart(input, ctx, body.ref);
        failed = false;
        return result;
      } finally {
        await s3.bodies.settle(body, failed);
      }
    },

    async CompleteMultipartUpload(input, ctx) {
      const bucket = s3.requireBucket(optString(input, 'Bucket'));
      const key = String(input.Key ?? '');
      await s3.authorize(ctx, 's3:PutObject', objectArn(bucket.name, key), bucket);
      const upload = requireUpload(bucket, input);
      const requested = optList<Input>(optObject(input, 'MultipartUpload') ?? {}, 'Parts') ?? [];
      if (requested.length === 0) {
        throw s3Error(
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
          throw s3Error(
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
          throw s3Error(
            'InvalidPart',
            "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
            400,
            { UploadId: upload.uploadId, PartNumber: String(number) },
          );
        }
        blobsOfParts.push(stored.blob);
        digests.push(Buffer.from(stored.etag.slice(1, -1), 'hex'));
      }
      const body = await s3.bodies.concatenate(blobsOfParts);
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
      const released = putVersion(core, bucket, object);
      core.store.changed();
      for (const old of released) if (old !== object.blob) await s3.bodies.release(old);
      await s3.bodies.settle(body, false);
      for (const part of Object.values(upload.parts)) await s3.bodies.release(part.blob);
      return {
        Location: `/${bucket.name}/${key}`,
        Bucket: bucket.name,
        Key: key,
        ...writeResult(object),
      };
    },

    async AbortMultipartUpload(input, ctx) {
      const bucket = s3.requireBucket(optString(input, 'Bucket'));
      const key = String(input.Key ?? '');
      await s3.authorize(ctx, 's3:AbortMultipartUpload', objectArn(bucket.name, key), bucket);
      const upload = requireUpload(bucket, input);
      delete bucket.uploads?.[upload.uploadId];
      core.store.changed();
      for (const part of Object.values(upload.parts)) await s3.bodies.release(part.blob);
      return {};
    },
  };
}
