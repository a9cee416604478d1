/**
 * The server around the services: health endpoints, routing, protocol-shaped errors for
 * unknown operations and services, surviving malformed requests, and state that outlives a
 * restart (and a reset that clears it).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRoleCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { expectAwsError, trustRoot } from './helpers.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** Signs and sends a raw request, for what no SDK would send. */
async function signedFetch(
  endpoint: string,
  service: string,
  init: { method?: string; path?: string; headers?: Record<string, string>; body?: string },
) {
  const url = new URL(endpoint);
  const signer = new SignatureV4({ service, region: 'us-east-1', sha256: Sha256, credentials });
  const signed = await signer.sign({
    method: init.method ?? 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: init.path ?? '/',
    headers: { host: url.host, ...init.headers },
    body: init.body,
  });
  return fetch(`${endpoint}${init.path ?? '/'}`, {
    method: signed.method,
    headers: signed.headers,
    body: init.body,
  });
}

describe('the server', () => {
  let sandbox: Sandbox;
  const failures: string[] = [];
  beforeAll(async () => {
    sandbox = await startSandbox({ memory: true, log: (m) => failures.push(m) });
  });
  afterAll(() => sandbox.stop());

  it('listens on loopback and refuses anything else', async () => {
    expect(sandbox.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await expect(startSandbox({ memory: true, host: '0.0.0.0' })).rejects.toThrow(/loopback/);
  });

  it('answers LocalStack’s health path and its own', async () => {
    for (const path of ['/_localstack/health', '/_labwright/health']) {
      const response = await fetch(`${sandbox.endpoint}${path}`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { services: Record<string, string>; edition: string };
      expect(body.edition).toBe('community');
      expect(body.services).toMatchObject({
        iam: 'running',
        sts: 'running',
        cloudtrail: 'running',
      });
    }
  });

  it('names an unknown query operation as IAM does', async () => {
    const response = await signedFetch(sandbox.endpoint, 'iam', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=CreateUser&Version=2010-05-08&UserName=u',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    const text = await response.text();
    expect(text).toContain('<ErrorResponse');
    expect(text).toContain('<Code>InvalidAction</Code>');
    expect(text).toContain('Could not find operation CreateUser for version 2010-05-08');
  });

  it('names an unknown JSON operation as JSON services do', async () => {
    const response = await signedFetch(sandbox.endpoint, 'cloudtrail', {
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.PutEventSelectors',
      },
      body: '{}',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });

  it('answers an unknown service with a clear 400', async () => {
    const response = await signedFetch(sandbox.endpoint, 'dynamodb', {
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.ListTables',
      },
      body: '{}',
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { __type: string; message: string };
    expect(body.__type).toBe('UnknownService');
    expect(body.message).toContain("'dynamodb'");
  });

  it('survives malformed requests and refuses unsigned ones', async () => {
    const garbage = await signedFetch(sandbox.endpoint, 'cloudtrail', {
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents',
      },
      body: '{"LookupAttributes": 7',
    });
    expect(garbage.status).toBe(400);
    expect(await garbage.json()).toMatchObject({ __type: 'SerializationException' });

    const badAuth = await fetch(`${sandbox.endpoint}/`, {
      method: 'POST',
      headers: {
        authorization: 'AWS4-HMAC-SHA256 nonsense',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'Action=GetRole&Version=2010-05-08&RoleName=x',
    });
    expect(badAuth.status).toBe(403);
    expect(await badAuth.text()).toContain('<Code>IncompleteSignature</Code>');

    const unsigned = await fetch(`${sandbox.endpoint}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=GetRole&Version=2010-05-08&RoleName=x',
    });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.text()).toContain('<Code>MissingAuthenticationToken</Code>');

    expect((await fetch(`${sandbox.endpoint}/_labwright/health`)).status).toBe(200);
  });

  it('turns a handler crash into InternalFailure, logs it and keeps serving', async () => {
    const iam = sandbox.core.registry.get('iam')!.handler;
    sandbox.core.registry.register({
      ...iam,
      operations: {
        ...iam.operations,
        GetRole: () => {
          throw new TypeError('boom');
        },
      },
    });
    const client = new IAMClient({
      endpoint: sandbox.endpoint,
      region: 'us-east-1',
      credentials,
      maxAttempts: 1,
    });
    await expectAwsError(
      client.send(new GetRoleCommand({ RoleName: 'x' })),
      'InternalFailure',
      500,
    );
    expect(failures.join('\n')).toContain('boom');
    sandbox.core.registry.register(iam);
    await expectAwsError(client.send(new GetRoleCommand({ RoleName: 'x' })), 'NoSuchEntity', 404);
  });
});

describe('state', () => {
  const dir = mkdtempSync(join(tmpdir(), 'labwright-sandbox-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const iamAt = (endpoint: string) =>
    new IAMClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });

  it('survives a restart, atomically written, and is cleared by reset', async () => {
    const first = await startSandbox({ stateDir: dir });
    await iamAt(first.endpoint).send(
      new CreateRoleCommand({ RoleName: 'kept', AssumeRolePolicyDocument: trustRoot }),
    );
    await first.stop();
    // The snapshot taken at stop holds the state; the journal holds the call that made it.
    const saved = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as {
      data: { iam: { roles: object } };
    };
    expect(Object.keys(saved.data.iam.roles)).toEqual(['kept']);
    expect(readFileSync(join(dir, 'journal.jsonl'), 'utf8')).toContain('"operation":"CreateRole"');

    const second = await startSandbox({ stateDir: dir });
    const role = await iamAt(second.endpoint).send(new GetRoleCommand({ RoleName: 'kept' }));
    expect(role.Role?.RoleName).toBe('kept');
    expect(second.core.events.all().some((e) => e.eventName === 'CreateRole')).toBe(true);
    await second.stop();

    const third = await startSandbox({ stateDir: dir, reset: true });
    await expectAwsError(
      iamAt(third.endpoint).send(new GetRoleCommand({ RoleName: 'kept' })),
      'NoSuchEntity',
      404,
    );
    expect(third.core.events.all().some((e) => e.eventName === 'CreateRole')).toBe(false);
    await third.stop();
  });
});
