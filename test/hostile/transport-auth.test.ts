/**
 * Hostile requests over HTTP to a real sandbox (SDK and raw, signed with the SDK's own signer):
 * request times far from the clock, presigned URLs with bad or past expiries, S3-only payload
 * hashes sent to IAM and STS, and JSON and XML nested 20,000 deep. Each is answered as AWS
 * answers it, and the sandbox keeps serving.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { expectAwsError } from '../sandbox/helpers.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const YEAR_MS = 365 * 24 * 3600 * 1000;

interface RawInit {
  method?: string;
  path?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  signingDate?: Date;
}

describe('signatures and bodies AWS refuses', () => {
  let sandbox: Sandbox;
  const failures: string[] = [];
  beforeAll(async () => {
    sandbox = await startSandbox({ memory: true, log: (m) => failures.push(m) });
    const s3 = new S3Client({
      endpoint: sandbox.endpoint,
      region: 'us-east-1',
      credentials,
      forcePathStyle: true,
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'hostile' }));
    await s3.send(new PutObjectCommand({ Bucket: 'hostile', Key: 'k', Body: 'hello' }));
  });
  afterAll(async () => {
    await sandbox.stop();
    // Nothing here is the sandbox's fault: no request was an internal failure.
    expect(failures).toEqual([]);
  });

  async function signed(service: string, init: RawInit) {
    const url = new URL(sandbox.endpoint);
    const signer = new SignatureV4({ service, region: 'us-east-1', sha256: Sha256, credentials });
    const request = await signer.sign(
      {
        method: init.method ?? 'POST',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: init.path ?? '/',
        query: init.query,
        headers: { host: url.host, ...init.headers },
        body: init.body,
      },
      { signingDate: init.signingDate },
    );
    const query = new URLSearchParams(init.query).toString();
    return fetch(`${sandbox.endpoint}${init.path ?? '/'}${query ? `?${query}` : ''}`, {
      method: request.method,
      headers: request.headers,
      body: init.body,
    });
  }

  async function presigned(path: string, expiresIn: number, signingDate = new Date()) {
    const url = new URL(sandbox.endpoint);
    const signer = new SignatureV4({
      service: 's3',
      region: 'us-east-1',
      sha256: Sha256,
      credentials,
    });
    const request = await signer.presign(
      {
        method: 'GET',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path,
        headers: { host: url.host },
      },
      { expiresIn, signingDate },
    );
    return new URLSearchParams(request.query as Record<string, string>);
  }

  const iamForm = (action: string) => ({
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: `Action=${action}&Version=2010-05-08`,
  });

  it('refuses query calls signed a year ago or a year ahead (Signature expired / not yet current)', async () => {
    const past = await signed('iam', {
      ...iamForm('ListRoles'),
      signingDate: new Date(Date.now() - YEAR_MS),
    });
    expect(past.status).toBe(403);
    const pastText = await past.text();
    expect(pastText).toContain('<Code>SignatureDoesNotMatch</Code>');
    expect(pastText).toMatch(
      /Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)/,
    );

    const future = await signed('sts', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
      signingDate: new Date(Date.now() + YEAR_MS),
    });
    expect(future.status).toBe(403);
    expect(await future.text()).toMatch(
      /Signature not yet current: \d{8}T\d{6}Z is still later than/,
    );

    // Fourteen minutes off is within AWS's 15.
    const close = await signed('iam', {
      ...iamForm('ListRoles'),
      signingDate: new Date(Date.now() - 14 * 60_000),
    });
    expect(close.status).toBe(200);
  });

  it('refuses an SDK whose clock is a year off, with AWS’s code', async () => {
    const iam = new IAMClient({
      endpoint: sandbox.endpoint,
      region: 'us-east-1',
      credentials,
      systemClockOffset: -YEAR_MS,
      maxAttempts: 1,
    });
    await expectAwsError(iam.send(new ListRolesCommand({})), 'SignatureDoesNotMatch', 403);
    const sts = new STSClient({
      endpoint: sandbox.endpoint,
      region: 'us-east-1',
      credentials,
      systemClockOffset: YEAR_MS,
      maxAttempts: 1,
    });
    await expectAwsError(sts.send(new GetCallerIdentityCommand({})), 'SignatureDoesNotMatch', 403);
  });

  it('answers RequestTimeTooSkewed to S3 and InvalidSignatureException to JSON services', async () => {
    const s3 = await signed('s3', {
      method: 'GET',
      path: '/hostile/k',
      headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      signingDate: new Date('2000-01-01T00:00:00Z'),
    });
    expect(s3.status).toBe(403);
    const text = await s3.text();
    expect(text).toContain('<Code>RequestTimeTooSkewed</Code>');
    expect(text).toContain(
      '<Message>The difference between the request time and the current time is too large.</Message>',
    );
    expect(text).toContain('<RequestTime>20000101T000000Z</RequestTime>');
    expect(text).toContain('<MaxAllowedSkewMilliseconds>900000</MaxAllowedSkewMilliseconds>');

    const logs = await signed('logs', {
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'Logs_20140328.DescribeLogGroups',
      },
      body: '{}',
      signingDate: new Date(Date.now() - YEAR_MS),
    });
    expect(logs.status).toBe(400);
    const body = (await logs.json()) as { __type: string; message: string };
    expect(body.__type).toBe('InvalidSignatureException');
    expect(body.message).toMatch(/^Signature expired: /);
  });

  it('refuses presigned URLs whose X-Amz-Expires is not 1..604800, or past', async () => {
    const good = await presigned('/hostile/k', 60);
    expect((await fetch(`${sandbox.endpoint}/hostile/k?${good}`)).status).toBe(200);

    const cases: [string, string][] = [
      ['NaN', 'X-Amz-Expires should be a number'],
      ['1e3', 'X-Amz-Expires should be a number'],
      ['0', 'X-Amz-Expires must be non-negative'],
      ['-5', 'X-Amz-Expires must be non-negative'],
      [
        '604801',
        'X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds',
      ],
    ];
    for (const [expires, message] of cases) {
      const query = new URLSearchParams(good);
      query.set('X-Amz-Expires', expires);
      const response = await fetch(`${sandbox.endpoint}/hostile/k?${query}`);
      expect(response.status, expires).toBe(400);
      const text = await response.text();
      expect(text).toContain('<Code>AuthorizationQueryParametersError</Code>');
      expect(text).toContain(`<Message>${message}</Message>`);
    }

    const old = await presigned('/hostile/k', 3600, new Date(Date.now() - 2 * 3600_000));
    const expired = await fetch(`${sandbox.endpoint}/hostile/k?${old}`);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain(
      '<Code>AccessDenied</Code><Message>Request has expired</Message>',
    );

    const week = await presigned('/hostile/k', 604800, new Date(Date.now() - 8 * 24 * 3600_000));
    expect((await fetch(`${sandbox.endpoint}/hostile/k?${week}`)).status).toBe(403);
  });

  it('refuses UNSIGNED-PAYLOAD and STREAMING payload hashes anywhere but S3', async () => {
    for (const hash of [
      'UNSIGNED-PAYLOAD',
      'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
    ]) {
      const iam = await signed('iam', {
        ...iamForm('ListRoles'),
        headers: { ...iamForm('ListRoles').headers, 'x-amz-content-sha256': hash },
      });
      expect(iam.status, hash).toBe(403);
      expect(await iam.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    }
    const sts = await signed('sts', {
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
      },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    expect(sts.status).toBe(403);
    // S3 still takes it.
    const s3 = await signed('s3', {
      method: 'GET',
      path: '/hostile/k',
      headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    });
    expect(s3.status).toBe(200);
    expect(await s3.text()).toBe('hello');
  });

  it('answers JSON nested 20,000 deep with SerializationException and keeps serving', async () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    for (const body of [
      `{"logGroupNamePrefix": ${deep}}`,
      `{"tags": {"a": ${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}, "logGroupName": "g"}`,
    ]) {
      const response = await signed('logs', {
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'Logs_20140328.CreateLogGroup',
        },
        body,
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { __type: string }).__type).toBe('SerializationException');
    }
    // A value of the wrong kind, however shallow, never reaches the state either.
    const smuggled = await signed('logs', {
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'Logs_20140328.CreateLogGroup',
      },
      body: '{"logGroupName": "g", "tags": {"k": {"nested": [1, 2, 3]}}}',
    });
    expect(smuggled.status).toBe(400);
    expect(((await smuggled.json()) as { __type: string }).__type).toBe('SerializationException');

    const ok = await signed('logs', {
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'Logs_20140328.DescribeLogGroups',
      },
      body: '{}',
    });
    expect(ok.status).toBe(200);
  });

  it('answers XML nested 20,000 deep with MalformedXML', async () => {
    const body = `<Delete>${'<Object>'.repeat(20_000)}${'</Object>'.repeat(20_000)}</Delete>`;
    const response = await signed('s3', {
      path: '/hostile',
      query: { delete: '' },
      headers: {
        'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
        'content-md5': 'x',
        'content-type': 'application/xml',
      },
      body,
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('<Code>MalformedXML</Code>');
  });

  it('refuses oversized bodies from their Content-Length, before reading them', async () => {
    const response = await signed('iam', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `Action=ListRoles&Version=2010-05-08&Marker=${'x'.repeat(2 * 1024 * 1024)}`,
    });
    expect(response.status).toBe(413);
    expect(await response.text()).toContain('<Code>RequestEntityTooLarge</Code>');
    const healthy = await fetch(`${sandbox.endpoint}/_labwright/health`);
    expect(healthy.status).toBe(200);
  });
});
