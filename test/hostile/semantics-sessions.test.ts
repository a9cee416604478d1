/**
 * Sessions and resource policies as AWS decides them: a session belongs to the role it was issued
 * for (its RoleId), not to whatever role carries the name later; an explicit Deny in a bucket
 * policy binds the account root too, which still keeps its bucket policy actions. Real SDK v3
 * clients against the real sandbox over HTTP.
 */
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  GetRoleCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateBucketCommand,
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { expectAwsError, policy, trustRoot } from '../sandbox/helpers.js';
import { clients } from '../sandbox/service-clients.js';

const ACCOUNT = '000000000000';
const ROOT_ARN = `arn:aws:iam::${ACCOUNT}:root`;
const failures: string[] = [];
let sandbox: Sandbox;
let aws: ReturnType<typeof clients>;

const readAll = policy([
  {
    Effect: 'Allow',
    Action: ['s3:ListAllMyBuckets', 's3:ListBucket', 's3:GetObject'],
    Resource: '*',
  },
]);

beforeAll(async () => {
  sandbox = await startSandbox({ memory: true, log: (m) => failures.push(m) });
  aws = clients(sandbox.endpoint);
  await aws.s3.send(new CreateBucketCommand({ Bucket: 'lab-data' }));
  await aws.s3.send(new PutObjectCommand({ Bucket: 'lab-data', Key: 'a.txt', Body: 'a' }));
});
afterAll(async () => {
  await sandbox.stop();
  expect(failures).toEqual([]);
});

async function createReader(name: string): Promise<string> {
  const { Role } = await aws.iam.send(
    new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trustRoot }),
  );
  await aws.iam.send(
    new PutRolePolicyCommand({ RoleName: name, PolicyName: 'read', PolicyDocument: readAll }),
  );
  return Role?.RoleId ?? '';
}

async function session(roleName: string, sessionName: string) {
  const { Credentials } = await aws.sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/${roleName}`,
      RoleSessionName: sessionName,
    }),
  );
  return clients(sandbox.endpoint, {
    accessKeyId: Credentials?.AccessKeyId ?? '',
    secretAccessKey: Credentials?.SecretAccessKey ?? '',
    sessionToken: Credentials?.SessionToken ?? '',
  });
}

describe('a session of a deleted role', () => {
  it('does not regain rights when a role of the same name is created again', async () => {
    const firstId = await createReader('Reader');
    const old = await session('Reader', 'old-session');
    await old.s3.send(new ListBucketsCommand({}));
    const identity = await old.sts.send(new GetCallerIdentityCommand({}));
    expect(identity.UserId).toBe(`${firstId}:old-session`);

    await aws.iam.send(new DeleteRolePolicyCommand({ RoleName: 'Reader', PolicyName: 'read' }));
    await aws.iam.send(new DeleteRoleCommand({ RoleName: 'Reader' }));
    await expectAwsError(old.s3.send(new ListBucketsCommand({})), 'AccessDenied', 403);

    const secondId = await createReader('Reader');
    expect(secondId).not.toBe(firstId);
    const role = await aws.iam.send(new GetRoleCommand({ RoleName: 'Reader' }));
    expect(role.Role?.RoleId).toBe(secondId);

    const denied = await expectAwsError(
      old.s3.send(new GetObjectCommand({ Bucket: 'lab-data', Key: 'a.txt' })),
      'AccessDenied',
      403,
    );
    expect(denied.message).toBe(
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/Reader/old-session is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::lab-data/a.txt" because no identity-based policy allows the s3:GetObject action`,
    );
    await expectAwsError(old.s3.send(new ListBucketsCommand({})), 'AccessDenied', 403);

    // A session of the new role has the new role's rights.
    const fresh = await session('Reader', 'new-session');
    const got = await fresh.s3.send(new GetObjectCommand({ Bucket: 'lab-data', Key: 'a.txt' }));
    expect(await got.Body?.transformToString()).toBe('a');
  });
});

describe('a session of a role replaced by a namesake', () => {
  it('is not the principal a resource policy names by the role ARN', async () => {
    const bucket = 'named-role-bucket';
    await aws.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await aws.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'v' }));
    await aws.iam.send(
      new CreateRoleCommand({ RoleName: 'Named', AssumeRolePolicyDocument: trustRoot }),
    );
    const old = await session('Named', 'old-session');
    await aws.iam.send(new DeleteRoleCommand({ RoleName: 'Named' }));
    await aws.iam.send(
      new CreateRoleCommand({ RoleName: 'Named', AssumeRolePolicyDocument: trustRoot }),
    );
    const namesRole = (principal: object) =>
      policy([
        {
          Effect: 'Allow',
          Principal: principal,
          Action: 's3:GetObject',
          Resource: `arn:aws:s3:::${bucket}/*`,
        },
      ]);
    await aws.s3.send(
      new PutBucketPolicyCommand({
        Bucket: bucket,
        Policy: namesRole({ AWS: `arn:aws:iam::${ACCOUNT}:role/Named` }),
      }),
    );
    await expectAwsError(
      old.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' })),
      'AccessDenied',
      403,
    );
    const fresh = await session('Named', 'new-session');
    const got = await fresh.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' }));
    expect(await got.Body?.transformToString()).toBe('v');

    // A policy open to everyone still lets the old session in, as it would anyone.
    await aws.s3.send(
      new PutBucketPolicyCommand({ Bucket: bucket, Policy: namesRole({ AWS: '*' }) }),
    );
    const open = await old.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' }));
    expect(await open.Body?.transformToString()).toBe('v');
  });
});

describe('an explicit Deny in a bucket policy', () => {
  const bucket = 'deny-everyone';
  const denyReads = policy([
    {
      Sid: 'DenyReads',
      Effect: 'Deny',
      Principal: '*',
      Action: ['s3:GetObject', 's3:ListBucket'],
      Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
    },
  ]);

  beforeAll(async () => {
    await aws.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await aws.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'v' }));
  });

  it('applies to the account root, which needs no Allow for the rest', async () => {
    await aws.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: denyReads }));
    const denied = await expectAwsError(
      aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' })),
      'AccessDenied',
      403,
    );
    expect(denied.message).toBe(
      `User: ${ROOT_ARN} is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::${bucket}/k" with an explicit deny in a resource-based policy`,
    );
    await expectAwsError(
      aws.s3.send(new ListObjectsV2Command({ Bucket: bucket })),
      'AccessDenied',
      403,
    );
    // What the policy does not deny, the root still may, with no Allow anywhere.
    await aws.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k2', Body: 'v2' }));
    const other = await aws.s3.send(new GetObjectCommand({ Bucket: 'lab-data', Key: 'a.txt' }));
    expect(await other.Body?.transformToString()).toBe('a');
  });

  it('never locks the root out of the bucket policy itself', async () => {
    const denyAll = policy([
      {
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
      },
    ]);
    await aws.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: denyAll }));
    await expectAwsError(
      aws.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k3', Body: 'v3' })),
      'AccessDenied',
      403,
    );
    const got = await aws.s3.send(new GetBucketPolicyCommand({ Bucket: bucket }));
    expect(JSON.parse(got.Policy ?? '')).toEqual(JSON.parse(denyAll));
    await aws.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: denyReads }));
    await aws.s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
    const read = await aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' }));
    expect(await read.Body?.transformToString()).toBe('v');
  });

  it('that names another principal leaves the root alone', async () => {
    const denyRole = policy([
      {
        Effect: 'Deny',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/Reader` },
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::${bucket}/*`,
      },
    ]);
    await aws.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: denyRole }));
    const read = await aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' }));
    expect(await read.Body?.transformToString()).toBe('v');
    await aws.s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
  });
});
