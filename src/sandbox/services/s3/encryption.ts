/**
 * Server-side encryption: a bucket's default (Put/Get/DeleteBucketEncryption) and what each object
 * is stored with (the request's x-amz-server-side-encryption headers, else the bucket default,
 * else SSE-S3, which S3 applies to every bucket since January 2023). The sandbox keeps bytes as
 * sent: encryption is what S3 reports and what KMS authorizes, not a cipher.
 */
import type { OperationHandler, RequestContext } from '../../types.js';
import { type Input, optBoolean, optList, optObject, optString } from '../input.js';
import type { S3Context } from './context.js';
import { invalidArgument, malformedXml } from './errors.js';
import { kmsKeyArn } from './kms-key-use.js';
import type { Bucket, ObjectEncryption } from './models.js';

const ALGORITHMS = ['AES256', 'aws:kms', 'aws:kms:dsse'] as const;
const isAlgorithm = (value: string): value is ObjectEncryption['algorithm'] =>
  (ALGORITHMS as readonly string[]).includes(value);

const SSE_S3: ObjectEncryption = { algorithm: 'AES256' };

/** The encryption an object written by this request gets. */
export function requestedEncryption(
  ctx: RequestContext,
  bucket: Bucket,
  input: Input,
): ObjectEncryption {
  const algorithm = optString(input, 'ServerSideEncryption');
  const keyId = optString(input, 'SSEKMSKeyId');
  if (algorithm === undefined) {
    if (keyId !== undefined) {
      throw invalidArgument(
        'Server Side Encryption with KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms',
        'x-amz-server-side-encryption',
        'null',
      );
    }
    const byDefault = bucket.encryption ?? SSE_S3;
    return byDefault.algorithm === 'AES256'
      ? SSE_S3
      : { ...byDefault, kmsKeyId: kmsKeyArn(ctx, byDefault.kmsKeyId) };
  }
  if (!isAlgorithm(algorithm)) {
    throw invalidArgument(
      'The encryption method specified is not supported',
      'x-amz-server-side-encryption',
      algorithm,
    );
  }
  if (algorithm === 'AES256') {
    if (keyId !== undefined) {
      throw invalidArgument(
        'Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id',
        keyId,
      );
    }
    return SSE_S3;
  }
  const defaultKey =
    bucket.encryption?.algorithm === algorithm ? bucket.encryption.kmsKeyId : undefined;
  const bucketKey = optBoolean(input, 'BucketKeyEnabled') ?? bucket.encryption?.bucketKeyEnabled;
  return {
    algorithm,
    kmsKeyId: kmsKeyArn(ctx, keyId ?? defaultKey),
    ...(bucketKey ? { bucketKeyEnabled: true } : {}),
  };
}

/** The response headers that report an object's encryption. */
export function encryptionHeaders(encryption: ObjectEncryption | undefined) {
  const e = encryption ?? SSE_S3;
  return {
    ServerSideEncryption: e.algorithm,
    SSEKMSKeyId: e.kmsKeyId,
    BucketKeyEnabled: e.bucketKeyEnabled,
  };
}

/** Condition keys S3 sets from a write's encryption headers, for "deny unencrypted uploads". */
export function encryptionContext(input: Input): Record<string, string> {
  const context: Record<string, string> = {};
  const algorithm = optString(input, 'ServerSideEncryption');
  const keyId = optString(input, 'SSEKMSKeyId');
  if (algorithm !== undefined) context['s3:x-amz-server-side-encryption'] = algorithm;
  if (keyId !== undefined) context['s3:x-amz-server-side-encryption-aws-kms-key-id'] = keyId;
  return context;
}

export function encryptionHandlers(s3: S3Context): Record<string, OperationHandler> {
  return {
    async PutBucketEncryption(input, ctx) {
      const bucket = await s3.bucketFor(ctx, input);
      const config = optObject(input, 'ServerSideEncryptionConfiguration') ?? {};
      const rules = optList<Input>(config, 'Rules') ?? [];
      const rule = rules[0];
      const byDefault = rule && optObject(rule, 'ApplyServerSideEncryptionByDefault');
      if (rules.length !== 1 || !rule || !byDefault) throw malformedXml();
      const algorithm = optString(byDefault, 'SSEAlgorithm') ?? '';
      if (!isAlgorithm(algorithm)) throw malformedXml();
      const keyId = optString(byDefault, 'KMSMasterKeyID');
      if (keyId !== undefined && algorithm === 'AES256') {
        throw invalidArgument(
          'a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse',
          'ApplyServerSideEncryptionByDefault',
        );
      }
      bucket.encryption = {
        algorithm,
        ...(keyId !== undefined ? { kmsKeyId: keyId } : {}),
        ...(optBoolean(rule, 'BucketKeyEnabled') ? { bucketKeyEnabled: true } : {}),
      };
      s3.core.store.changed();
      return {};
    },

    async GetBucketEncryption(input, ctx) {
      const bucket = await s3.bucketFor(ctx, input);
      const e = bucket.encryption ?? SSE_S3;
      return {
        ServerSideEncryptionConfiguration: {
          Rules: [
            {
              ApplyServerSideEncryptionByDefault: {
                SSEAlgorithm: e.algorithm,
                KMSMasterKeyID: e.kmsKeyId,
              },
              BucketKeyEnabled: e.bucketKeyEnabled ?? false,
            },
          ],
        },
      };
    },

    async DeleteBucketEncryption(input, ctx) {
      const bucket = await s3.bucketFor(ctx, input);
      delete bucket.encryption;
      s3.core.store.changed();
      return {};
    },
  };
}
