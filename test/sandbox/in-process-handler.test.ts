/**
 * The sandbox served to SDK clients of its own process without a socket (the requestHandler
 * grading uses for replayed hand-ins): every answer must be the one the same client gets over
 * HTTP, errors, streamed bodies and issued session keys included. Each call runs twice, once per
 * transport, against the same sandbox; the answers are compared without their request ids.
 */
import { CreateRoleCommand, GetRoleCommand, ListRolesCommand } from '@aws-sdk/client-iam';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  EncryptCommand,
} from '@aws-sdk/client-kms';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { policy } from './helpers.js';
import { clients, ROOT, type Credentials } from './service-clients.js';

type Clients = ReturnType<typeof clients>;

let sandbox: Sandbox;
let overHttp: Clients;
let inProcess: Clients;

/** The same clients as service-clients.ts makes, with the in-process transport. */
function inProcessClients(credentials: Credentials = ROOT): Clients {
  const made = clients(sandbox.endpoint, credentials);
  for (const client of Object.values(made)) {
    (client.config as { requestHandler: unknown }).requestHandler = sandbox.requestHandler;
  }
  return made;
}

/** An answer without what differs between any two calls: request ids, attempts, timings. */
function comparable(output: unknown): unknown {
  return JSON.parse(
    JSON.stringify(output, (key, value: unknown) =>
      key === '$metadata' || key === 'Body' ? undefined : value,
    ),
  );
}

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  sandbox = await startSandbox({ memory: true, log: () => undefined });
  overHttp = clients(sandbox.endpoint);
  inProcess = inProcessClients();
  await overHttp.iam.send(
    new CreateRoleCommand({
      RoleName: 'reader',
      AssumeRolePolicyDocument: policy([
        {
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::000000000000:root' },
          Action: 'sts:AssumeRole',
        },
      ]),
    }),
  );
  await overHttp.s3.send(new CreateBucketCommand({ Bucket: 'data' }));
});

afterAll(async () => {
  await sandbox?.stop();
});

describe('the in-process request handler', () => {
  it('answers query, JSON and REST-XML calls as HTTP does', async () => {
    const calls: [string, (c: Clients) => Promise<unknown>][] = [
      ['GetRole', (c) => c.iam.send(new GetRoleCommand({ RoleName: 'reader' }))],
      ['ListRoles', (c) => c.iam.send(new ListRolesCommand({ MaxItems: 1 }))],
      ['GetCallerIdentity', (c) => c.sts.send(new GetCallerIdentityCommand({}))],
      [
        'ListObjectsV2',
        (c) => c.s3.send(new ListObjectsV2Command({ Bucket: 'data', Prefix: 'a b/é?' })),
      ],
    ];
    for (const [name, call] of calls) {
      expect(comparable(await call(inProcess)), name).toEqual(comparable(await call(overHttp)));
    }
  });

  it('sends bodies, streamed or not, and streams them back', async () => {
    await inProcess.s3.send(
      new PutObjectCommand({ Bucket: 'data', Key: 'a b/é?.csv', Body: 'x,y\n1,2\n' }),
    );
    await inProcess.s3.send(
      new PutObjectCommand({
        Bucket: 'data',
        Key: 'streamed.bin',
        Body: Readable.from([Buffer.alloc(70_000, 1), Buffer.alloc(10, 2)]),
        ContentLength: 70_010,
      }),
    );
    const text = await inProcess.s3.send(
      new GetObjectCommand({ Bucket: 'data', Key: 'a b/é?.csv' }),
    );
    expect(await text.Body!.transformToString()).toBe('x,y\n1,2\n');
    const range = await inProcess.s3.send(
      new GetObjectCommand({ Bucket: 'data', Key: 'streamed.bin', Range: 'bytes=69999-70001' }),
    );
    expect([...(await range.Body!.transformToByteArray())]).toEqual([1, 2, 2]);
    for (const Key of ['a b/é?.csv', 'streamed.bin']) {
      expect(
        comparable(await inProcess.s3.send(new HeadObjectCommand({ Bucket: 'data', Key }))),
      ).toEqual(comparable(await overHttp.s3.send(new HeadObjectCommand({ Bucket: 'data', Key }))));
    }
    const listed = (c: Clients) => c.s3.send(new ListObjectsV2Command({ Bucket: 'data' }));
    expect(comparable(await listed(inProcess))).toEqual(comparable(await listed(overHttp)));
  });

  it('gives the same errors, a HEAD without a body included', async () => {
    const errors: [string, (c: Clients) => Promise<unknown>][] = [
      ['NoSuchEntityException', (c) => c.iam.send(new GetRoleCommand({ RoleName: 'nobody' }))],
      ['NotFound', (c) => c.s3.send(new HeadObjectCommand({ Bucket: 'data', Key: 'missing' }))],
      ['NoSuchKey', (c) => c.s3.send(new GetObjectCommand({ Bucket: 'data', Key: 'missing' }))],
      ['NoSuchBucket', (c) => c.s3.send(new ListObjectsV2Command({ Bucket: 'none' }))],
    ];
    for (const [name, call] of errors) {
      const got = await failure(call(inProcess));
      expect(got.name, name).toBe(name);
      expect(got).toEqual(await failure(call(overHttp)));
    }
  });

  it('serves the session keys the sandbox issued, and refuses what the role may not do', async () => {
    const assumed = await inProcess.sts.send(
      new AssumeRoleCommand({
        RoleArn: 'arn:aws:iam::000000000000:role/reader',
        RoleSessionName: 'grader',
      }),
    );
    const session = inProcessClients({
      accessKeyId: assumed.Credentials!.AccessKeyId!,
      secretAccessKey: assumed.Credentials!.SecretAccessKey!,
      sessionToken: assumed.Credentials!.SessionToken!,
    });
    const who = await session.sts.send(new GetCallerIdentityCommand({}));
    expect(who.Arn).toBe('arn:aws:sts::000000000000:assumed-role/reader/grader');
    const denied = await failure(session.s3.send(new ListObjectsV2Command({ Bucket: 'data' })));
    expect(denied).toMatchObject({ name: 'AccessDenied', status: 403 });
  });

  it('encrypts and decrypts with KMS (binary members in JSON)', async () => {
    const key = await inProcess.kms.send(new CreateKeyCommand({ Description: 'in-process' }));
    await inProcess.kms.send(
      new CreateAliasCommand({ AliasName: 'alias/inproc', TargetKeyId: key.KeyMetadata!.KeyId! }),
    );
    const sealed = await inProcess.kms.send(
      new EncryptCommand({ KeyId: 'alias/inproc', Plaintext: Buffer.from('secret') }),
    );
    const opened = await overHttp.kms.send(
      new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob! }),
    );
    expect(Buffer.from(opened.Plaintext!).toString()).toBe('secret');
  });
});
