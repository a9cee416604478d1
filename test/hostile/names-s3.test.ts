/**
 * Bucket names and object keys that are members of every JavaScript object (`constructor`,
 * `__proto__`, ...) through every S3 operation: they are names like any other, a bucket policy
 * never reaches a bucket it was not put on, and nothing answers 500. Real SDK v3 clients
 * against the real sandbox over HTTP.
 */
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketLocationCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { expectAwsError, policy, trustRoot } from '../sandbox/helpers.js';
import { clients } from '../sandbox/service-clients.js';
import { BUCKET_NAMES, expectPristinePrototype, OBJECT_KEYS, sorted } from './names-support.js';

const ACCOUNT = '000000000000';
const prototypeSnapshot = Object.getOwnPropertyNames(Object.prototype).sort();
const failures: string[] = [];
let sandbox: Sandbox;
let aws: ReturnType<typeof clients>;

const allowAll = (bucket: string) =>
  policy([
    {
      Effect: 'Allow',
      Principal: '*',
      Action: 's3:*',
      Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
    },
  ]);

/** Credentials of a role with no policies at all: only a bucket policy can let it in. */
async function policylessSession() {
  const { Credentials } = await aws.sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/no-policies`,
      RoleSessionName: 'reader',
    }),
  );
  return clients(sandbox.endpoint, {
    accessKeyId: Credentials?.AccessKeyId ?? '',
    secretAccessKey: Credentials?.SecretAccessKey ?? '',
    sessionToken: Credentials?.SessionToken ?? '',
  });
}

beforeAll(async () => {
  sandbox = await startSandbox({ memory: true, log: (m) => failures.push(m) });
  aws = clients(sandbox.endpoint);
  await aws.iam.send(
    new CreateRoleCommand({ RoleName: 'no-policies', AssumeRolePolicyDocument: trustRoot }),
  );
  await aws.s3.send(new CreateBucketCommand({ Bucket: 'control-bucket' }));
  await aws.s3.send(
    new PutObjectCommand({ Bucket: 'control-bucket', Key: 'secret.txt', Body: 'secret' }),
  );
});
afterAll(async () => {
  await sandbox.stop();
  expect(failures).toEqual([]);
  expectPristinePrototype(prototypeSnapshot);
});

async function bucketNames(): Promise<string[]> {
  const { Buckets } = await aws.s3.send(new ListBucketsCommand({}));
  return (Buckets ?? []).map((b) => b.Name ?? '');
}

describe('bucket names', () => {
  it('do not exist before they are created, and a policy on one reaches no other bucket', async () => {
    const reader = await policylessSession();
    await expectAwsError(
      reader.s3.send(new GetObjectCommand({ Bucket: 'control-bucket', Key: 'secret.txt' })),
      'AccessDenied',
      403,
    );
    // __proto__ is no valid bucket name, but it used to be found, and its policy then applied
    // to every bucket.
    for (const bucket of ['__proto__', ...BUCKET_NAMES]) {
      await expectAwsError(
        aws.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: allowAll(bucket) })),
        'NoSuchBucket',
        404,
        'The specified bucket does not exist',
      );
      await expectAwsError(aws.s3.send(new HeadBucketCommand({ Bucket: bucket })), 'NotFound', 404);
      await expectAwsError(
        aws.s3.send(new GetBucketPolicyCommand({ Bucket: bucket })),
        'NoSuchBucket',
        404,
      );
      await expectAwsError(
        aws.s3.send(new ListObjectsV2Command({ Bucket: bucket })),
        'NoSuchBucket',
        404,
      );
      await expectAwsError(
        aws.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'x' })),
        'NoSuchBucket',
        404,
      );
    }
    await expectAwsError(
      reader.s3.send(new GetObjectCommand({ Bucket: 'control-bucket', Key: 'secret.txt' })),
      'AccessDenied',
      403,
    );
    expect(await bucketNames()).toEqual(['control-bucket']);
  });

  it('are created, read, listed, given policies and deleted like any bucket', async () => {
    for (const bucket of BUCKET_NAMES) {
      const created = await aws.s3.send(new CreateBucketCommand({ Bucket: bucket }));
      expect(created.Location).toBe(`/${bucket}`);
      await aws.s3.send(new HeadBucketCommand({ Bucket: bucket }));
      const location = await aws.s3.send(new GetBucketLocationCommand({ Bucket: bucket }));
      expect(location.LocationConstraint).toBeUndefined();
    }
    expect(await bucketNames()).toEqual(sorted([...BUCKET_NAMES, 'control-bucket']));

    const reader = await policylessSession();
    await aws.s3.send(
      new PutBucketPolicyCommand({ Bucket: 'constructor', Policy: allowAll('constructor') }),
    );
    const got = await aws.s3.send(new GetBucketPolicyCommand({ Bucket: 'constructor' }));
    expect(JSON.parse(got.Policy ?? '')).toEqual(JSON.parse(allowAll('constructor')));
    await reader.s3.send(new PutObjectCommand({ Bucket: 'constructor', Key: 'k', Body: 'ok' }));
    for (const other of ['prototype', 'control-bucket']) {
      await expectAwsError(
        aws.s3.send(new GetBucketPolicyCommand({ Bucket: other })),
        'NoSuchBucketPolicy',
        404,
      );
    }
    await expectAwsError(
      reader.s3.send(new GetObjectCommand({ Bucket: 'control-bucket', Key: 'secret.txt' })),
      'AccessDenied',
      403,
    );
    await aws.s3.send(new DeleteBucketPolicyCommand({ Bucket: 'constructor' }));
    await expectAwsError(
      reader.s3.send(new GetObjectCommand({ Bucket: 'constructor', Key: 'k' })),
      'AccessDenied',
      403,
    );
    await aws.s3.send(new DeleteObjectCommand({ Bucket: 'constructor', Key: 'k' }));

    for (const bucket of BUCKET_NAMES.filter((b) => b !== 'constructor')) {
      await aws.s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    }
    expect(await bucketNames()).toEqual(['constructor', 'control-bucket']);
  });
});

describe('object keys', () => {
  const bucket = 'constructor';

  it('are missing before they are written', async () => {
    for (const key of OBJECT_KEYS) {
      await expectAwsError(
        aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })),
        'NoSuchKey',
        404,
        'The specified key does not exist.',
      );
      await expectAwsError(
        aws.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })),
        'NotFound',
        404,
      );
      await expectAwsError(
        aws.s3.send(
          new CopyObjectCommand({
            Bucket: bucket,
            Key: 'copy',
            CopySource: `${bucket}/${encodeURIComponent(key)}`,
          }),
        ),
        'NoSuchKey',
        404,
      );
    }
    const listed = await aws.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(listed.KeyCount).toBe(0);
  });

  it('are written, read, copied, listed and deleted like any key', async () => {
    for (const key of OBJECT_KEYS) {
      await aws.s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: `body of ${key}`,
          Metadata: { constructor: 'meta', tostring: 'meta2' },
        }),
      );
    }
    for (const key of OBJECT_KEYS) {
      const got = await aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      expect(await got.Body?.transformToString()).toBe(`body of ${key}`);
      expect(got.Metadata).toEqual({ constructor: 'meta', tostring: 'meta2' });
      const head = await aws.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      expect(head.ContentLength).toBe(Buffer.byteLength(`body of ${key}`));
    }
    const v2 = await aws.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(v2.Contents?.map((o) => o.Key)).toEqual(sorted(OBJECT_KEYS));
    const v1 = await aws.s3.send(new ListObjectsCommand({ Bucket: bucket, Delimiter: '/' }));
    expect(v1.CommonPrefixes?.map((p) => p.Prefix)).toEqual(
      sorted(['__proto__/', 'constructor/', 'ünïcödé/', `${'k'.repeat(1020)}/`]),
    );
    const other = await aws.s3.send(new ListObjectsV2Command({ Bucket: 'control-bucket' }));
    expect(other.Contents?.map((o) => o.Key)).toEqual(['secret.txt']);

    await aws.s3.send(
      new CopyObjectCommand({ Bucket: bucket, Key: 'toString', CopySource: `${bucket}/__proto__` }),
    );
    const copied = await aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'toString' }));
    expect(await copied.Body?.transformToString()).toBe('body of __proto__');

    const deleted = await aws.s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: OBJECT_KEYS.slice(0, 6).map((Key) => ({ Key })) },
      }),
    );
    expect(deleted.Deleted?.map((d) => d.Key)).toEqual(OBJECT_KEYS.slice(0, 6));
    for (const key of OBJECT_KEYS.slice(6)) {
      await aws.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    }
    const empty = await aws.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(empty.KeyCount).toBe(0);
  });

  it('are uploaded in parts, and upload ids are never found on the prototype', async () => {
    for (const uploadId of ['__proto__', 'constructor', 'toString']) {
      await expectAwsError(
        aws.s3.send(
          new UploadPartCommand({
            Bucket: bucket,
            Key: '__proto__',
            UploadId: uploadId,
            PartNumber: 1,
            Body: 'x',
          }),
        ),
        'NoSuchUpload',
        404,
      );
      await expectAwsError(
        aws.s3.send(
          new AbortMultipartUploadCommand({
            Bucket: bucket,
            Key: 'constructor',
            UploadId: uploadId,
          }),
        ),
        'NoSuchUpload',
        404,
      );
    }
    for (const key of ['__proto__', 'constructor']) {
      const { UploadId } = await aws.s3.send(
        new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }),
      );
      const part = await aws.s3.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: key,
          UploadId,
          PartNumber: 1,
          Body: `parts of ${key}`,
        }),
      );
      await aws.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
        }),
      );
      const got = await aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      expect(await got.Body?.transformToString()).toBe(`parts of ${key}`);
    }
    const listed = await aws.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual(['__proto__', 'constructor']);
    await aws.s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: [{ Key: '__proto__' }, { Key: 'constructor' }] },
      }),
    );
    await aws.s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    expect(await bucketNames()).toEqual(['control-bucket']);
  });
});
