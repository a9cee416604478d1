/**
 * S3 through the real AWS SDK v3 (path-style and virtual-hosted) and the aws CLI: buckets,
 * objects, listings, bucket policies, batch delete, copy, multipart, errors as S3 shapes them,
 * and object bodies that survive a restart.
 */
import { randomBytes, createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketCorsCommand,
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
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Sha256 } from '@aws-crypto/sha256-js';
import { AttachRolePolicyCommand, CreateRoleCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { startMoto, type Moto } from '../support/moto.js';
import { requireTool } from '../support/tools.js';
import { awsEnv, clients, ROOT, run, CLI_TIMEOUT_MS } from './service-clients.js';

let sandbox: Sandbox;
let s3: S3Client;

beforeAll(async () => {
  sandbox = await startSandbox({
    memory: true,
    timing: { notebookTransitionMs: 0, trainingJobMs: 50 },
  });
  s3 = clients(sandbox.endpoint).s3;
});
afterAll(async () => {
  await sandbox.stop();
});

/** The S3 error a call fails with: its code, HTTP status and message. */
async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (error instanceof S3ServiceException) {
      return { code: error.name, status: error.$metadata.httpStatusCode, message: error.message };
    }
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('buckets', () => {
  it('creates, heads, lists, locates and deletes a bucket', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'lifecycle-bucket' }));
    const head = await s3.send(new HeadBucketCommand({ Bucket: 'lifecycle-bucket' }));
    expect(head.BucketRegion).toBe('us-east-1');
    const { Buckets, Owner } = await s3.send(new ListBucketsCommand({}));
    expect(Buckets?.map((b) => b.Name)).toContain('lifecycle-bucket');
    expect(Buckets?.find((b) => b.Name === 'lifecycle-bucket')?.CreationDate).toBeInstanceOf(Date);
    expect(Owner?.ID).toMatch(/^[0-9a-f]{64}$/);
    const location = await s3.send(new GetBucketLocationCommand({ Bucket: 'lifecycle-bucket' }));
    expect(location.LocationConstraint ?? '').toBe('');
    // us-east-1's legacy answer: re-creating your own bucket succeeds.
    await s3.send(new CreateBucketCommand({ Bucket: 'lifecycle-bucket' }));
    await s3.send(new DeleteBucketCommand({ Bucket: 'lifecycle-bucket' }));
    expect(
      await failure(s3.send(new HeadBucketCommand({ Bucket: 'lifecycle-bucket' }))),
    ).toMatchObject({
      code: 'NotFound',
      status: 404,
    });
  });

  it('answers BucketAlreadyOwnedByYou outside us-east-1', async () => {
    const west = new S3Client({
      endpoint: sandbox.endpoint,
      region: 'eu-west-1',
      forcePathStyle: true,
      credentials: ROOT,
    });
    const create = () =>
      west.send(
        new CreateBucketCommand({
          Bucket: 'west-bucket',
          CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
        }),
      );
    await create();
    expect(await failure(create())).toMatchObject({
      code: 'BucketAlreadyOwnedByYou',
      status: 409,
      message: 'Your previous request to create the named bucket succeeded and you already own it.',
    });
    const location = await west.send(new GetBucketLocationCommand({ Bucket: 'west-bucket' }));
    expect(location.LocationConstraint).toBe('eu-west-1');
  });

  it('refuses invalid names, missing buckets and non-empty deletes with S3 errors', async () => {
    expect(await failure(s3.send(new CreateBucketCommand({ Bucket: 'Bad_Name' })))).toMatchObject({
      code: 'InvalidBucketName',
      status: 400,
    });
    expect(await failure(s3.send(new ListObjectsV2Command({ Bucket: 'no-such-bucket' })))).toEqual({
      code: 'NoSuchBucket',
      status: 404,
      message: 'The specified bucket does not exist',
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'full-bucket' }));
    await s3.send(new PutObjectCommand({ Bucket: 'full-bucket', Key: 'k', Body: 'x' }));
    expect(await failure(s3.send(new DeleteBucketCommand({ Bucket: 'full-bucket' })))).toEqual({
      code: 'BucketNotEmpty',
      status: 409,
      message: 'The bucket you tried to delete is not empty',
    });
  });

  it('writes S3 error documents with the bucket name and request id', async () => {
    const url = new URL(`${sandbox.endpoint}/no-such-bucket?list-type=2`);
    const signer = new SignatureV4({
      service: 's3',
      region: 'us-east-1',
      credentials: ROOT,
      sha256: Sha256,
    });
    const signed = await signer.sign({
      method: 'GET',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query: { 'list-type': '2' },
      headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    });
    const response = await fetch(url, { headers: signed.headers });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/xml');
    const text = await response.text();
    expect(text).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>NoSuchBucket<\/Code><Message>The specified bucket does not exist<\/Message><BucketName>no-such-bucket<\/BucketName><RequestId>[^<]+<\/RequestId><HostId>[^<]+<\/HostId><\/Error>$/,
    );
  });

  it('refuses anonymous requests with AccessDenied', async () => {
    const response = await fetch(`${sandbox.endpoint}/no-such-bucket?list-type=2`);
    expect(response.status).toBe(403);
    expect(await response.text()).toContain(
      '<Code>AccessDenied</Code><Message>Access Denied</Message>',
    );
  });
});

describe('operations the sandbox does not implement', () => {
  it('answers NotImplemented (501) naming the subresource', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'versioned' }));
    expect(await failure(s3.send(new GetBucketCorsCommand({ Bucket: 'versioned' })))).toEqual({
      code: 'NotImplemented',
      status: 501,
      message: 'The GET ?cors request is not implemented by the labwright sandbox',
    });
  });
});

describe('objects', () => {
  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'objects' }));
  });

  it('stores bodies, content type, metadata and an MD5 ETag', async () => {
    const body = randomBytes(300_000);
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: 'objects',
        Key: 'data/blob.bin',
        Body: body,
        ContentType: 'application/octet-stream',
        Metadata: { purpose: 'test', owner: 'lab' },
      }),
    );
    const md5 = createHash('md5').update(body).digest('hex');
    expect(put.ETag).toBe(`"${md5}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'data/blob.bin' }));
    expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(body);
    expect(got).toMatchObject({
      ContentType: 'application/octet-stream',
      ContentLength: body.length,
      ETag: `"${md5}"`,
      Metadata: { purpose: 'test', owner: 'lab' },
    });
    expect(got.LastModified).toBeInstanceOf(Date);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'objects', Key: 'data/blob.bin' }));
    expect(head).toMatchObject({ ContentLength: body.length, ETag: `"${md5}"` });
  });

  it('decodes aws-chunked streaming uploads', async () => {
    const text = 'streamed line\n'.repeat(5000);
    await s3.send(
      new PutObjectCommand({
        Bucket: 'objects',
        Key: 'streamed.txt',
        Body: Readable.from([Buffer.from(text)]),
        ContentLength: Buffer.byteLength(text),
      }),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'streamed.txt' }));
    expect(await got.Body!.transformToString()).toBe(text);
    expect(got.ContentEncoding).toBeUndefined();
  });

  it('serves byte ranges and refuses unsatisfiable ones', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'abc.txt', Body: 'abcdefghij' }));
    const part = await s3.send(
      new GetObjectCommand({ Bucket: 'objects', Key: 'abc.txt', Range: 'bytes=2-4' }),
    );
    expect(await part.Body!.transformToString()).toBe('cde');
    expect(part.ContentRange).toBe('bytes 2-4/10');
    expect(part.$metadata.httpStatusCode).toBe(206);
    const tail = await s3.send(
      new GetObjectCommand({ Bucket: 'objects', Key: 'abc.txt', Range: 'bytes=-3' }),
    );
    expect(await tail.Body!.transformToString()).toBe('hij');
    expect(
      await failure(
        s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'abc.txt', Range: 'bytes=20-30' })),
      ),
    ).toMatchObject({ code: 'InvalidRange', status: 416 });
  });

  it('answers NoSuchKey (404) for GET and a bodiless 404 for HEAD', async () => {
    expect(
      await failure(s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'missing' }))),
    ).toEqual({
      code: 'NoSuchKey',
      status: 404,
      message: 'The specified key does not exist.',
    });
    expect(
      await failure(s3.send(new HeadObjectCommand({ Bucket: 'objects', Key: 'missing' }))),
    ).toMatchObject({ code: 'NotFound', status: 404 });
  });

  it('deletes objects one by one (idempotently) and in batches', async () => {
    for (const key of ['d/1', 'd/2', 'd/3']) {
      await s3.send(new PutObjectCommand({ Bucket: 'objects', Key: key, Body: key }));
    }
    const single = await s3.send(new DeleteObjectCommand({ Bucket: 'objects', Key: 'd/1' }));
    expect(single.$metadata.httpStatusCode).toBe(204);
    await s3.send(new DeleteObjectCommand({ Bucket: 'objects', Key: 'd/1' }));
    const batch = await s3.send(
      new DeleteObjectsCommand({
        Bucket: 'objects',
        Delete: { Objects: [{ Key: 'd/2' }, { Key: 'd/3' }, { Key: 'd/never' }] },
      }),
    );
    expect(batch.Deleted?.map((d) => d.Key).sort()).toEqual(['d/2', 'd/3', 'd/never']);
    const left = await s3.send(new ListObjectsV2Command({ Bucket: 'objects', Prefix: 'd/' }));
    expect(left.KeyCount).toBe(0);
    expect(left.Contents).toBeUndefined();
  });

  it('copies objects and completes multipart uploads', async () => {
    await s3.send(
      new PutObjectCommand({
        Bucket: 'objects',
        Key: 'orig',
        Body: 'original',
        ContentType: 'text/plain',
      }),
    );
    await s3.send(
      new CopyObjectCommand({ Bucket: 'objects', Key: 'copy', CopySource: 'objects/orig' }),
    );
    const copy = await s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'copy' }));
    expect(await copy.Body!.transformToString()).toBe('original');
    expect(copy.ContentType).toBe('text/plain');

    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: 'objects', Key: 'big' }),
    );
    const parts = [Buffer.alloc(5 * 1024 * 1024, 'a'), Buffer.from('tail')];
    const etags: string[] = [];
    for (const [i, body] of parts.entries()) {
      const part = await s3.send(
        new UploadPartCommand({
          Bucket: 'objects',
          Key: 'big',
          UploadId,
          PartNumber: i + 1,
          Body: body,
        }),
      );
      etags.push(part.ETag!);
    }
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'objects',
        Key: 'big',
        UploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
      }),
    );
    expect(done.ETag).toMatch(/^"[0-9a-f]{32}-2"$/);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'objects', Key: 'big' }));
    expect(head.ContentLength).toBe(5 * 1024 * 1024 + 4);
  });
});

describe('listings', () => {
  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'listing' }));
    for (const key of ['a/1', 'a/2', 'b/1', 'c', 'd']) {
      await s3.send(new PutObjectCommand({ Bucket: 'listing', Key: key, Body: key }));
    }
  });

  it('groups by delimiter into CommonPrefixes and counts keys', async () => {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: 'listing', Delimiter: '/' }));
    expect(page.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/', 'b/']);
    expect(page.Contents?.map((o) => o.Key)).toEqual(['c', 'd']);
    expect(page).toMatchObject({ KeyCount: 4, IsTruncated: false, Delimiter: '/', MaxKeys: 1000 });
    const prefixed = await s3.send(new ListObjectsV2Command({ Bucket: 'listing', Prefix: 'a/' }));
    expect(prefixed.Contents?.map((o) => o.Key)).toEqual(['a/1', 'a/2']);
    expect(prefixed.Contents?.[0]).toMatchObject({ Size: 3, StorageClass: 'STANDARD' });
  });

  it('pages with MaxKeys and ContinuationToken, each entry once', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({
          Bucket: 'listing',
          Delimiter: '/',
          MaxKeys: 1,
          ContinuationToken: token,
        }),
      );
      seen.push(
        ...(page.CommonPrefixes ?? []).map((p) => p.Prefix!),
        ...(page.Contents ?? []).map((o) => o.Key!),
      );
      expect(page.KeyCount).toBe(1);
      token = page.NextContinuationToken;
      expect(page.IsTruncated).toBe(token !== undefined);
      pages++;
    } while (token && pages < 10);
    expect(seen).toEqual(['a/', 'b/', 'c', 'd']);
  });

  it('starts after a key, and lists v1 with markers', async () => {
    const after = await s3.send(new ListObjectsV2Command({ Bucket: 'listing', StartAfter: 'a/2' }));
    expect(after.Contents?.map((o) => o.Key)).toEqual(['b/1', 'c', 'd']);
    expect(after.StartAfter).toBe('a/2');
    const v1 = await s3.send(new ListObjectsCommand({ Bucket: 'listing', MaxKeys: 2 }));
    expect(v1.Contents?.map((o) => o.Key)).toEqual(['a/1', 'a/2']);
    expect(v1.IsTruncated).toBe(true);
    expect(v1.Contents?.[0]?.Owner?.ID).toMatch(/^[0-9a-f]{64}$/);
    const next = await s3.send(new ListObjectsCommand({ Bucket: 'listing', Marker: 'a/2' }));
    expect(next.Contents?.map((o) => o.Key)).toEqual(['b/1', 'c', 'd']);
    const grouped = await s3.send(
      new ListObjectsCommand({ Bucket: 'listing', Delimiter: '/', MaxKeys: 1 }),
    );
    expect(grouped.NextMarker).toBe('a/');
  });
});

describe('bucket policies', () => {
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::000000000000:root' },
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::policy-bucket/*',
      },
    ],
  });

  it('puts, gets and deletes a validated policy', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'policy-bucket' }));
    expect(await failure(s3.send(new GetBucketPolicyCommand({ Bucket: 'policy-bucket' })))).toEqual(
      {
        code: 'NoSuchBucketPolicy',
        status: 404,
        message: 'The bucket policy does not exist',
      },
    );
    await s3.send(new PutBucketPolicyCommand({ Bucket: 'policy-bucket', Policy: policy }));
    const got = await s3.send(new GetBucketPolicyCommand({ Bucket: 'policy-bucket' }));
    expect(JSON.parse(got.Policy!)).toEqual(JSON.parse(policy));
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: 'policy-bucket' }));
    expect(
      await failure(s3.send(new GetBucketPolicyCommand({ Bucket: 'policy-bucket' }))),
    ).toMatchObject({
      code: 'NoSuchBucketPolicy',
    });
  });

  it("accepts the lab's CloudTrail bucket policy (service principal, condition keys)", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'my-bucket-cloudtrail' }));
    const text = readFileSync(
      new URL('../../labs/sagemaker-iam-roles/files/trail-bucket-policy.json', import.meta.url),
      'utf8',
    )
      .replaceAll('${trailBucket}', 'my-bucket-cloudtrail')
      .replaceAll('${account}', '000000000000');
    await s3.send(new PutBucketPolicyCommand({ Bucket: 'my-bucket-cloudtrail', Policy: text }));
    const got = await s3.send(new GetBucketPolicyCommand({ Bucket: 'my-bucket-cloudtrail' }));
    expect(JSON.parse(got.Policy!)).toEqual(JSON.parse(text));
  });

  it('refuses malformed policies with MalformedPolicy', async () => {
    const elsewhere = policy.replace('policy-bucket/*', 'other-bucket/*');
    expect(
      await failure(
        s3.send(new PutBucketPolicyCommand({ Bucket: 'policy-bucket', Policy: elsewhere })),
      ),
    ).toEqual({ code: 'MalformedPolicy', status: 400, message: 'Policy has invalid resource' });
    expect(
      await failure(
        s3.send(new PutBucketPolicyCommand({ Bucket: 'policy-bucket', Policy: 'nope' })),
      ),
    ).toMatchObject({ code: 'MalformedPolicy' });
    const noPrincipal = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::policy-bucket/*' },
      ],
    });
    expect(
      await failure(
        s3.send(new PutBucketPolicyCommand({ Bucket: 'policy-bucket', Policy: noPrincipal })),
      ),
    ).toMatchObject({ code: 'MalformedPolicy', message: 'Missing required field Principal' });
  });
});

describe('virtual-hosted style', () => {
  it.each([
    ['localhost', 'vhost-bucket'],
    ['s3.localhost.localstack.cloud', 'vhost-bucket-2'],
  ])('addresses the bucket by host name (bucket.%s)', async (host, bucket) => {
    // Every name resolves to loopback here; the client still sends Host: <bucket>.<host>.
    const agent = new Agent({
      lookup: (_host, options, callback) => {
        if ((options as { all?: boolean }).all)
          callback(null, [{ address: '127.0.0.1', family: 4 }]);
        else (callback as (e: null, a: string, f: number) => void)(null, '127.0.0.1', 4);
      },
    });
    const seen: string[] = [];
    const virtual = new S3Client({
      endpoint: `http://${host}:${sandbox.port}`,
      region: 'us-east-1',
      credentials: ROOT,
      forcePathStyle: false,
      requestHandler: new NodeHttpHandler({ httpAgent: agent }),
    });
    virtual.middlewareStack.add(
      (next) => async (args) => {
        seen.push(String((args.request as { hostname?: string }).hostname));
        return next(args);
      },
      { step: 'finalizeRequest' },
    );
    await virtual.send(new CreateBucketCommand({ Bucket: bucket }));
    await virtual.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'dir/file.txt', Body: 'virtual' }),
    );
    const listed = await virtual.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual(['dir/file.txt']);
    expect(new Set(seen)).toEqual(new Set([`${bucket}.${host}`]));
    // The same object is visible path-style.
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'dir/file.txt' }));
    expect(await got.Body!.transformToString()).toBe('virtual');
    agent.destroy();
  });
});

describe.skipIf(!requireTool('aws'))('the aws CLI', () => {
  it(
    'makes a bucket, copies files up and down (multipart included) and lists them',
    async () => {
      const env = awsEnv(sandbox.endpoint);
      const dir = mkdtempSync(join(tmpdir(), 'labwright-s3-cli-'));
      try {
        const small = join(dir, 'train.csv');
        writeFileSync(small, 'a,b,c\n1,2,3\n');
        const large = join(dir, 'large.bin');
        const largeBody = randomBytes(9 * 1024 * 1024);
        writeFileSync(large, largeBody);
        expect((await run('aws', ['s3', 'mb', 's3://cli-bucket'], env)).stdout).toContain(
          'make_bucket: cli-bucket',
        );
        const up = await run('aws', ['s3', 'cp', small, 's3://cli-bucket/data/train.csv'], env);
        expect(up.code, up.stderr).toBe(0);
        const upLarge = await run(
          'aws',
          ['s3', 'cp', large, 's3://cli-bucket/data/large.bin'],
          env,
        );
        expect(upLarge.code, upLarge.stderr).toBe(0);
        const ls = await run('aws', ['s3', 'ls', 's3://cli-bucket/data/'], env);
        expect(ls.stdout).toMatch(/\s12 train\.csv/);
        expect(ls.stdout).toMatch(new RegExp(`\\s${largeBody.length} large\\.bin`));
        const down = await run('aws', ['s3', 'cp', 's3://cli-bucket/data/train.csv', '-'], env);
        expect(down.stdout).toBe('a,b,c\n1,2,3\n');
        const back = join(dir, 'back.bin');
        const downLarge = await run(
          'aws',
          ['s3', 'cp', 's3://cli-bucket/data/large.bin', back],
          env,
        );
        expect(downLarge.code, downLarge.stderr).toBe(0);
        expect(readFileSync(back).equals(largeBody)).toBe(true);
        const missing = await run(
          'aws',
          ['s3api', 'head-bucket', '--bucket', 'no-such-cli-bucket'],
          env,
        );
        expect(missing.code).not.toBe(0);
        expect(missing.stderr).toMatch(/404/);
        const rb = await run('aws', ['s3', 'rb', 's3://cli-bucket', '--force'], env);
        expect(rb.code, rb.stderr).toBe(0);
        expect(rb.stdout).toContain('remove_bucket: cli-bucket');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    CLI_TIMEOUT_MS,
  );
});

describe('persistence', () => {
  it('keeps buckets and object bodies across a restart', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'labwright-s3-state-'));
    try {
      const first = await startSandbox({ stateDir });
      const body = randomBytes(2048);
      await clients(first.endpoint).s3.send(new CreateBucketCommand({ Bucket: 'durable' }));
      await clients(first.endpoint).s3.send(
        new PutObjectCommand({ Bucket: 'durable', Key: 'k', Body: body }),
      );
      await first.stop();
      const second = await startSandbox({ stateDir });
      try {
        const got = await clients(second.endpoint).s3.send(
          new GetObjectCommand({ Bucket: 'durable', Key: 'k' }),
        );
        expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(body);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!requireTool('moto_server'))('against moto server', () => {
  let moto: Moto;

  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto.stop();
  });

  /** One call sequence, its outcomes normalized so that two implementations can be compared. */
  async function scenario(endpoint: string) {
    const client = new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: ROOT,
    });
    const west = new S3Client({
      endpoint,
      region: 'eu-west-1',
      forcePathStyle: true,
      credentials: ROOT,
    });
    const outcome = async (call: () => Promise<unknown>) => {
      try {
        await call();
        return 'ok';
      } catch (error) {
        const e = error as S3ServiceException;
        return `${e.name} ${e.$metadata?.httpStatusCode}`;
      }
    };
    const results: Record<string, unknown> = {};
    results.getMissingBucket = await outcome(() =>
      client.send(new GetObjectCommand({ Bucket: 'diff-none', Key: 'k' })),
    );
    results.listMissingBucket = await outcome(() =>
      client.send(new ListObjectsV2Command({ Bucket: 'diff-none' })),
    );
    results.headMissingBucket = await outcome(() =>
      client.send(new HeadBucketCommand({ Bucket: 'diff-none' })),
    );
    await client.send(new CreateBucketCommand({ Bucket: 'diff-bucket' }));
    results.recreateUsEast1 = await outcome(() =>
      client.send(new CreateBucketCommand({ Bucket: 'diff-bucket' })),
    );
    const westBucket = () =>
      west.send(
        new CreateBucketCommand({
          Bucket: 'diff-west',
          CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
        }),
      );
    await westBucket();
    results.recreateWest = await outcome(westBucket);
    results.getMissingKey = await outcome(() =>
      client.send(new GetObjectCommand({ Bucket: 'diff-bucket', Key: 'none' })),
    );
    results.headMissingKey = await outcome(() =>
      client.send(new HeadObjectCommand({ Bucket: 'diff-bucket', Key: 'none' })),
    );
    results.noPolicy = await outcome(() =>
      client.send(new GetBucketPolicyCommand({ Bucket: 'diff-bucket' })),
    );
    for (const key of ['a/1', 'a/2', 'b/1', 'c']) {
      await client.send(new PutObjectCommand({ Bucket: 'diff-bucket', Key: key, Body: key }));
    }
    results.deleteFull = await outcome(() =>
      client.send(new DeleteBucketCommand({ Bucket: 'diff-bucket' })),
    );
    const v2 = await client.send(
      new ListObjectsV2Command({ Bucket: 'diff-bucket', Delimiter: '/', MaxKeys: 2 }),
    );
    results.v2 = {
      keys: v2.Contents?.map((o) => [o.Key, o.Size, o.ETag, o.StorageClass]),
      prefixes: v2.CommonPrefixes?.map((p) => p.Prefix),
      KeyCount: v2.KeyCount,
      MaxKeys: v2.MaxKeys,
      IsTruncated: v2.IsTruncated,
      Delimiter: v2.Delimiter,
      hasToken: v2.NextContinuationToken !== undefined,
    };
    const rest = await client.send(
      new ListObjectsV2Command({
        Bucket: 'diff-bucket',
        Delimiter: '/',
        MaxKeys: 2,
        ContinuationToken: v2.NextContinuationToken,
      }),
    );
    results.v2rest = {
      keys: rest.Contents?.map((o) => o.Key),
      prefixes: rest.CommonPrefixes?.map((p) => p.Prefix),
      KeyCount: rest.KeyCount,
      IsTruncated: rest.IsTruncated,
    };
    const v1 = await client.send(new ListObjectsCommand({ Bucket: 'diff-bucket', MaxKeys: 3 }));
    results.v1 = {
      keys: v1.Contents?.map((o) => o.Key),
      IsTruncated: v1.IsTruncated,
      MaxKeys: v1.MaxKeys,
    };
    const deleted = await client.send(
      new DeleteObjectsCommand({
        Bucket: 'diff-bucket',
        Delete: { Objects: [{ Key: 'a/1' }, { Key: 'zz' }] },
      }),
    );
    results.deleteObjects = deleted.Deleted?.map((d) => d.Key).sort();
    return results;
  }

  it('gives the same error codes, statuses and list shapes', async () => {
    const ours = await scenario(sandbox.endpoint);
    const theirs = await scenario(moto.endpoint);
    expect(ours).toEqual(theirs);
    expect(ours).toMatchObject({
      getMissingBucket: 'NoSuchBucket 404',
      getMissingKey: 'NoSuchKey 404',
      recreateWest: 'BucketAlreadyOwnedByYou 409',
      deleteFull: 'BucketNotEmpty 409',
    });
  });
});

describe.skipIf(!requireTool('boto3'))('boto3', () => {
  it(
    'round-trips awkward keys through its url-encoded listings',
    async () => {
      const keys = ['odd/a b+c.txt', 'odd/ünï%code.txt', 'odd/sub dir/x&y.txt'];
      await s3.send(new CreateBucketCommand({ Bucket: 'odd-keys' }));
      for (const key of keys)
        await s3.send(new PutObjectCommand({ Bucket: 'odd-keys', Key: key, Body: 'x' }));
      const script = `import boto3, json
s3 = boto3.client('s3')
v2 = s3.list_objects_v2(Bucket='odd-keys', Prefix='odd/', Delimiter='/')
v1 = s3.list_objects(Bucket='odd-keys', Prefix='odd/')
print(json.dumps({'v2': [o['Key'] for o in v2['Contents']], 'prefixes': [p['Prefix'] for p in v2['CommonPrefixes']], 'v1': [o['Key'] for o in v1['Contents']]}))
`;
      const result = await run('python3', ['-'], awsEnv(sandbox.endpoint), script);
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({
        v2: ['odd/a b+c.txt', 'odd/ünï%code.txt'],
        prefixes: ['odd/sub dir/'],
        v1: ['odd/a b+c.txt', 'odd/sub dir/x&y.txt', 'odd/ünï%code.txt'],
      });
    },
    CLI_TIMEOUT_MS,
  );
});

describe('bucket policies in authorization', () => {
  it('grant a same-account role on their own, and an explicit deny beats AmazonS3FullAccess', async () => {
    const { iam, sts } = clients(sandbox.endpoint);
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::000000000000:root' },
          Action: 'sts:AssumeRole',
        },
      ],
    });
    await iam.send(
      new CreateRoleCommand({ RoleName: 'BucketPolicyReader', AssumeRolePolicyDocument: trust }),
    );
    await iam.send(new CreateRoleCommand({ RoleName: 'FullS3', AssumeRolePolicyDocument: trust }));
    await iam.send(
      new AttachRolePolicyCommand({
        RoleName: 'FullS3',
        PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3FullAccess',
      }),
    );
    await s3.send(new CreateBucketCommand({ Bucket: 'guarded' }));
    await s3.send(new PutObjectCommand({ Bucket: 'guarded', Key: 'secret.txt', Body: 'secret' }));
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: 'guarded',
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: 'arn:aws:iam::000000000000:role/BucketPolicyReader' },
              Action: 's3:ListBucket',
              Resource: 'arn:aws:s3:::guarded',
            },
            {
              Effect: 'Deny',
              Principal: { AWS: 'arn:aws:iam::000000000000:role/FullS3' },
              Action: 's3:GetObject',
              Resource: 'arn:aws:s3:::guarded/*',
            },
          ],
        }),
      }),
    );
    const as = async (role: string) => {
      const { Credentials: c } = await sts.send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::000000000000:role/${role}`,
          RoleSessionName: 'test',
        }),
      );
      return clients(sandbox.endpoint, {
        accessKeyId: c!.AccessKeyId!,
        secretAccessKey: c!.SecretAccessKey!,
        sessionToken: c!.SessionToken!,
      }).s3;
    };
    const reader = await as('BucketPolicyReader');
    const listed = await reader.send(new ListObjectsV2Command({ Bucket: 'guarded' }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual(['secret.txt']);
    expect(
      await failure(reader.send(new GetObjectCommand({ Bucket: 'guarded', Key: 'secret.txt' }))),
    ).toMatchObject({ code: 'AccessDenied', status: 403 });
    const full = await as('FullS3');
    await full.send(new ListObjectsV2Command({ Bucket: 'guarded' }));
    expect(
      await failure(full.send(new GetObjectCommand({ Bucket: 'guarded', Key: 'secret.txt' }))),
    ).toEqual({
      code: 'AccessDenied',
      status: 403,
      message:
        'User: arn:aws:sts::000000000000:assumed-role/FullS3/test is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::guarded/secret.txt" with an explicit deny in a resource-based policy',
    });
  });
});
