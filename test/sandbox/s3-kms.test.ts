/**
 * S3 meets KMS: an SSE-KMS object is written with kms:GenerateDataKey and read with kms:Decrypt on
 * its key, besides s3:PutObject / s3:GetObject, and the key policy has its say. The denial a
 * student must learn to read names the KMS action and the key. SDK v3 and the aws CLI.
 */
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateAliasCommand, CreateKeyCommand } from '@aws-sdk/client-kms';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketEncryptionCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { expectAwsError, policy, trustRoot } from './helpers.js';
import { awsEnv, clients, CLI_TIMEOUT_MS, run, type Credentials } from './service-clients.js';

const ACCOUNT = '000000000000';
let sandbox: Sandbox;
let root: ReturnType<typeof clients>;
let keyArn: string;

/** A role with `statements`, and a session of it. */
async function roleSession(name: string, statements: object[]): Promise<Credentials> {
  await root.iam.send(
    new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trustRoot }),
  );
  await root.iam.send(
    new PutRolePolicyCommand({
      RoleName: name,
      PolicyName: 'access',
      PolicyDocument: policy(statements),
    }),
  );
  const session = await root.sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
      RoleSessionName: 'student',
    }),
  );
  return {
    accessKeyId: session.Credentials!.AccessKeyId!,
    secretAccessKey: session.Credentials!.SecretAccessKey!,
    sessionToken: session.Credentials!.SessionToken!,
  };
}

const readData = {
  Effect: 'Allow',
  Action: ['s3:GetObject', 's3:PutObject'],
  Resource: 'arn:aws:s3:::secure-data/*',
};

beforeAll(async () => {
  sandbox = await startSandbox({ memory: true, log: () => undefined });
  root = clients(sandbox.endpoint);
  const key = await root.kms.send(new CreateKeyCommand({ Description: 'training data' }));
  keyArn = key.KeyMetadata!.Arn!;
  await root.kms.send(
    new CreateAliasCommand({
      AliasName: 'alias/training-data',
      TargetKeyId: key.KeyMetadata!.KeyId!,
    }),
  );
  await root.s3.send(new CreateBucketCommand({ Bucket: 'secure-data' }));
  await root.s3.send(
    new PutBucketEncryptionCommand({
      Bucket: 'secure-data',
      ServerSideEncryptionConfiguration: {
        Rules: [
          {
            ApplyServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: 'alias/training-data',
            },
          },
        ],
      },
    }),
  );
  await root.s3.send(
    new PutObjectCommand({ Bucket: 'secure-data', Key: 'train.csv', Body: 'a,b\n1,2\n' }),
  );
});

afterAll(async () => {
  await sandbox?.stop();
});

describe('SSE-KMS objects', () => {
  it("are reported under their key's ARN, the alias resolved", async () => {
    const head = await root.s3.send(
      new HeadObjectCommand({ Bucket: 'secure-data', Key: 'train.csv' }),
    );
    expect(head.ServerSideEncryption).toBe('aws:kms');
    expect(head.SSEKMSKeyId).toBe(keyArn);
  });

  it(
    'cannot be read without kms:Decrypt on the key, and the denial says so',
    async () => {
      const session = await roleSession('S3Only', [readData]);
      const asRole = clients(sandbox.endpoint, session);
      const error = await expectAwsError(
        asRole.s3.send(new GetObjectCommand({ Bucket: 'secure-data', Key: 'train.csv' })),
        'AccessDenied',
        403,
      );
      expect(error.message).toBe(
        `User: arn:aws:sts::${ACCOUNT}:assumed-role/S3Only/student is not authorized to perform: kms:Decrypt on resource: ${keyArn} because no identity-based policy allows the kms:Decrypt action`,
      );
      // Writing needs the key too: kms:GenerateDataKey.
      const write = await expectAwsError(
        asRole.s3.send(new PutObjectCommand({ Bucket: 'secure-data', Key: 'new.csv', Body: 'x' })),
        'AccessDenied',
        403,
      );
      expect(write.message).toContain('kms:GenerateDataKey');

      // The aws CLI prints the same sentence a student must read.
      const cli = await run(
        'aws',
        ['s3', 'cp', 's3://secure-data/train.csv', '-'],
        awsEnv(sandbox.endpoint, session),
      );
      expect(cli.code).not.toBe(0);
      expect(cli.stderr).toContain('kms:Decrypt');
    },
    CLI_TIMEOUT_MS,
  );

  it('can be read with s3:GetObject and kms:Decrypt on the key', async () => {
    const session = await roleSession('WithKey', [
      readData,
      { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: keyArn },
    ]);
    const asRole = clients(sandbox.endpoint, session);
    const object = await asRole.s3.send(
      new GetObjectCommand({ Bucket: 'secure-data', Key: 'train.csv' }),
    );
    expect(await object.Body!.transformToString()).toBe('a,b\n1,2\n');
    await asRole.s3.send(
      new PutObjectCommand({ Bucket: 'secure-data', Key: 'written.csv', Body: 'y' }),
    );
  });

  it('obey a key policy that does not delegate to IAM, whatever IAM allows', async () => {
    const locked = await root.kms.send(
      new CreateKeyCommand({
        BypassPolicyLockoutSafetyCheck: true,
        Policy: policy([
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
            Action: ['kms:Describe*', 'kms:Get*', 'kms:PutKeyPolicy', 'kms:GenerateDataKey'],
            Resource: '*',
          },
        ]),
      }),
    );
    const lockedArn = locked.KeyMetadata!.Arn!;
    await root.s3.send(
      new PutObjectCommand({
        Bucket: 'secure-data',
        Key: 'locked.csv',
        Body: 'z',
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: lockedArn,
      }),
    );
    const session = await roleSession('AllKms', [
      readData,
      { Effect: 'Allow', Action: 'kms:*', Resource: '*' },
    ]);
    const error = await expectAwsError(
      clients(sandbox.endpoint, session).s3.send(
        new GetObjectCommand({ Bucket: 'secure-data', Key: 'locked.csv' }),
      ),
      'AccessDenied',
      403,
    );
    expect(error.message).toContain(`kms:Decrypt on resource: ${lockedArn}`);
  });

  it('name a key that does not exist as KMS does', async () => {
    await expectAwsError(
      root.s3.send(
        new PutObjectCommand({
          Bucket: 'secure-data',
          Key: 'nokey.csv',
          Body: 'x',
          ServerSideEncryption: 'aws:kms',
          SSEKMSKeyId: 'alias/no-such-key',
        }),
      ),
      'KMS.NotFoundException',
      400,
    );
  });
});
