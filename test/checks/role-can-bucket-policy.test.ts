/**
 * iam.role.can judges a request with the context the sandbox's own authorizer gives a real one
 * (src/iam/request-context.ts): under the standard "deny everyone but this role" bucket policy,
 * the check allows the role and denies another, as the sandbox does to their real calls.
 */
import {
  CreateRoleCommand,
  GetRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CheckOutcome } from '../../checks/define.js';
import { checkTypes } from '../../checks/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { testCheckContext } from '../support/check-context.js';
import { policy, trustRoot } from '../sandbox/helpers.js';
import type { Credentials } from '../sandbox/service-clients.js';

const BUCKET = 'training-data';
const OBJECT = `arn:aws:s3:::${BUCKET}/data/train.csv`;
const ACCOUNT = '000000000000';
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const READS = policy([
  {
    Effect: 'Allow',
    Action: ['s3:GetObject', 's3:ListBucket'],
    Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
  },
]);

describe('iam.role.can under a bucket policy that denies everyone but one role', () => {
  let sandbox: Sandbox;
  const root = { accessKeyId: 'test', secretAccessKey: 'test' };
  const config = (credentials: Credentials = root) => ({
    endpoint: sandbox.endpoint,
    region: 'us-east-1',
    credentials,
    forcePathStyle: true,
  });
  const can = (input: object): Promise<CheckOutcome> => {
    const check = checkTypes.get('iam.role.can')!;
    return check.run(check.with.parse(input), testCheckContext({ endpoint: sandbox.endpoint }));
  };
  /** Reads the object with a session of the role, as a student's code would. */
  const readAs = async (role: string): Promise<string> => {
    const { Credentials: c } = await new STSClient(config()).send(
      new AssumeRoleCommand({ RoleArn: roleArn(role), RoleSessionName: 'student' }),
    );
    const s3 = new S3Client(
      config({
        accessKeyId: c!.AccessKeyId!,
        secretAccessKey: c!.SecretAccessKey!,
        sessionToken: c!.SessionToken!,
      }),
    );
    try {
      await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'data/train.csv' }));
      return 'allowed';
    } catch (error) {
      return (error as Error).name;
    }
  };
  const setUp = async (bucketPolicy?: string) => {
    const iam = new IAMClient(config());
    for (const name of ['Trainer', 'Intern']) {
      await iam.send(
        new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trustRoot }),
      );
      await iam.send(
        new PutRolePolicyCommand({ RoleName: name, PolicyName: 'Reads', PolicyDocument: READS }),
      );
    }
    const s3 = new S3Client(config());
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'data/train.csv', Body: 'a,b\n' }));
    if (bucketPolicy)
      await s3.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: bucketPolicy }));
  };
  const denyAllBut = (condition: object) =>
    policy([
      {
        Sid: 'OnlyTrainer',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
        Condition: condition,
      },
      {
        Sid: 'HttpsOnly',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ]);

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, memory: true, log: () => {} });
  });
  afterAll(async () => {
    await sandbox.stop();
  });
  beforeEach(() => {
    sandbox.core.reset();
  });

  it('allows the role aws:PrincipalArn names, and denies another, as the sandbox does', async () => {
    await setUp(denyAllBut({ ArnNotEquals: { 'aws:PrincipalArn': roleArn('Trainer') } }));
    const trainer = await can({
      role: 'Trainer',
      allow: [
        { action: 's3:GetObject', resource: OBJECT },
        { action: 's3:ListBucket', resource: `arn:aws:s3:::${BUCKET}` },
      ],
    });
    expect(trainer.status, trainer.message).toBe('passed');
    const intern = await can({
      role: 'Intern',
      allow: [{ action: 's3:GetObject', resource: OBJECT }],
    });
    expect(intern.status).toBe('failed');
    expect(intern.message).toContain('denied explicitly by statement "OnlyTrainer"');
    expect(intern.message).toContain(`the bucket policy of ${BUCKET}`);
    const internDenied = await can({
      role: 'Intern',
      deny: [{ action: 's3:GetObject', resource: OBJECT }],
    });
    expect(internDenied.status, internDenied.message).toBe('passed');
    // The sandbox's authorizer agrees with the check on the real calls.
    expect(await readAs('Trainer')).toBe('allowed');
    expect(await readAs('Intern')).toBe('AccessDenied');
  });

  it('knows the role by its unique id (aws:userid), as the sandbox does', async () => {
    const iam = new IAMClient(config());
    await setUp();
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: 'Trainer' }));
    await new S3Client(config()).send(
      new PutBucketPolicyCommand({
        Bucket: BUCKET,
        Policy: denyAllBut({ StringNotLike: { 'aws:userid': [`${Role!.RoleId}:*`] } }),
      }),
    );
    const trainer = await can({
      role: 'Trainer',
      allow: [{ action: 's3:GetObject', resource: OBJECT }],
    });
    expect(trainer.status, trainer.message).toBe('passed');
    const intern = await can({
      role: 'Intern',
      deny: [{ action: 's3:GetObject', resource: OBJECT }],
    });
    expect(intern.status, intern.message).toBe('passed');
    expect(await readAs('Trainer')).toBe('allowed');
    expect(await readAs('Intern')).toBe('AccessDenied');
  });

  it('lets a probe list one prefix (s3:prefix) and ask about plain HTTP', async () => {
    await setUp(
      policy([
        {
          Sid: 'OnlyData',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:ListBucket',
          Resource: `arn:aws:s3:::${BUCKET}`,
          Condition: { StringNotLike: { 's3:prefix': ['data/*'] } },
        },
        {
          Sid: 'HttpsOnly',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: `arn:aws:s3:::${BUCKET}/*`,
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ]),
    );
    const bucket = `arn:aws:s3:::${BUCKET}`;
    const outcome = await can({
      role: 'Trainer',
      allow: [
        { action: 's3:ListBucket', resource: bucket, context: { 's3:prefix': 'data/' } },
        { action: 's3:GetObject', resource: OBJECT },
      ],
      deny: [
        { action: 's3:ListBucket', resource: bucket, context: { 's3:prefix': 'private/' } },
        { action: 's3:GetObject', resource: OBJECT, context: { 'aws:SecureTransport': 'false' } },
      ],
    });
    expect(outcome.status, outcome.message).toBe('passed');
  });
});
