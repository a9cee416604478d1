/**
 * The IAM checks judge what a role can do, from its managed and inline policies and the bucket
 * policy, and say why in the student's terms. Roles are set up with the AWS SDK against the
 * sandbox; checks run with a CheckContext over real clients.
 */
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
  DeleteRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { CreateBucketCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CheckContext, CheckOutcome } from '../../checks/define.js';
import { checkTypes } from '../../checks/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { testCheckContext } from '../support/check-context.js';

const ROLE = 'SageMakerExecutionRole';
const json = (value: unknown) => JSON.stringify(value);
const doc = (...Statement: Record<string, unknown>[]) => json({ Version: '2012-10-17', Statement });
const trust = (Principal: unknown) => doc({ Effect: 'Allow', Principal, Action: 'sts:AssumeRole' });
const SAGEMAKER = { Service: 'sagemaker.amazonaws.com' };

describe('IAM checks explain their verdicts', () => {
  let sandbox: Sandbox;
  let iam: IAMClient;
  let s3: S3Client;
  let ctx: CheckContext;

  const run = (type: string, input: unknown, context = ctx): Promise<CheckOutcome> => {
    const check = checkTypes.get(type)!;
    return check.run(check.with.parse(input), context);
  };
  const createRole = (principal: unknown = SAGEMAKER) =>
    iam.send(new CreateRoleCommand({ RoleName: ROLE, AssumeRolePolicyDocument: trust(principal) }));
  const putInline = (name: string, document: string) =>
    iam.send(
      new PutRolePolicyCommand({ RoleName: ROLE, PolicyName: name, PolicyDocument: document }),
    );

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, memory: true, log: () => {} });
    const config = {
      endpoint: sandbox.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    };
    iam = new IAMClient(config);
    s3 = new S3Client({ ...config, forcePathStyle: true });
  });
  afterAll(async () => {
    await sandbox.stop();
  });
  beforeEach(() => {
    sandbox.core.reset();
    // A fresh context per test: role policies are read once per context.
    ctx = testCheckContext({ endpoint: sandbox.endpoint });
  });

  it('says which role it looked for, and where', async () => {
    const outcome = await run('iam.role.exists', { role: ROLE });
    expect(outcome.status).toBe('failed');
    expect(outcome.message).toBe(`no role named ${ROLE} in account 000000000000`);
  });

  it('names the statement whose resource misses: ListBucket is on the bucket, not its objects', async () => {
    await createRole();
    await iam.send(
      new CreatePolicyCommand({
        PolicyName: 'SageMakerS3Access',
        PolicyDocument: doc({
          Sid: 'AllowObjects',
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:PutObject', 's3:ListBucket'],
          Resource: 'arn:aws:s3:::my-bucket/*',
        }),
      }),
    );
    await iam.send(
      new AttachRolePolicyCommand({
        RoleName: ROLE,
        PolicyArn: 'arn:aws:iam::000000000000:policy/SageMakerS3Access',
      }),
    );
    const outcome = await run('iam.role.can', {
      role: ROLE,
      allow: [{ action: 's3:ListBucket', resource: 'arn:aws:s3:::my-bucket' }],
    });
    expect(outcome.status).toBe('failed');
    expect(outcome.message).toBe(
      's3:ListBucket applies to the bucket, arn:aws:s3:::my-bucket; your statement "AllowObjects" in policy SageMakerS3Access names only arn:aws:s3:::my-bucket/*',
    );
    expect(outcome.evidence).toMatchObject({
      allow: [{ action: 's3:ListBucket', decision: 'implicitDeny' }],
    });
  });

  it('names the AWS managed policy and statement that allow', async () => {
    await createRole();
    await iam.send(
      new AttachRolePolicyCommand({
        RoleName: ROLE,
        PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3FullAccess',
      }),
    );
    const outcome = await run('iam.role.can', {
      role: ROLE,
      allow: [{ action: 's3:ListBucket', resource: 'arn:aws:s3:::my-bucket' }],
    });
    expect(outcome.status).toBe('passed');
    expect(outcome.message).toMatch(
      /^s3:ListBucket on arn:aws:s3:::my-bucket is allowed by AmazonS3FullAccess \(statement .*s3:\*.* on \*\)$/,
    );
  });

  it('names an explicit Deny, and a condition the request does not meet', async () => {
    await createRole();
    await putInline(
      'Guard',
      doc(
        { Sid: 'Objects', Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::my-bucket/*' },
        { Sid: 'NoDelete', Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' },
        {
          Sid: 'OfficeOnly',
          Effect: 'Allow',
          Action: 's3:ListBucket',
          Resource: 'arn:aws:s3:::my-bucket',
          Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
        },
      ),
    );
    const outcome = await run('iam.role.can', {
      role: ROLE,
      allow: [
        { action: 's3:DeleteObject', resource: 'arn:aws:s3:::my-bucket/a.csv' },
        {
          action: 's3:ListBucket',
          resource: 'arn:aws:s3:::my-bucket',
          context: { 'aws:SourceIp': '198.51.100.7' },
        },
      ],
    });
    expect(outcome.status).toBe('failed');
    expect(outcome.message).toContain(
      's3:DeleteObject on arn:aws:s3:::my-bucket/a.csv is denied explicitly by statement "NoDelete" in inline policy Guard (Deny s3:DeleteObject on *)',
    );
    expect(outcome.message).toContain(
      'your statement "OfficeOnly" in inline policy Guard grants it only when its condition on aws:SourceIp holds',
    );
  });

  it("counts the bucket policy: its explicit Deny wins over the role's Allow", async () => {
    await createRole();
    await putInline(
      'S3',
      doc({ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::my-bucket*' }),
    );
    await s3.send(new CreateBucketCommand({ Bucket: 'my-bucket' }));
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: 'my-bucket',
        Policy: doc({
          Sid: 'KeepData',
          Effect: 'Deny',
          Principal: { AWS: `arn:aws:iam::000000000000:role/${ROLE}` },
          Action: 's3:DeleteObject',
          Resource: 'arn:aws:s3:::my-bucket/*',
        }),
      }),
    );
    const outcome = await run('iam.role.can', {
      role: ROLE,
      allow: [{ action: 's3:GetObject', resource: 'arn:aws:s3:::my-bucket/a.csv' }],
      deny: [{ action: 's3:DeleteObject', resource: 'arn:aws:s3:::my-bucket/a.csv' }],
    });
    expect(outcome.status, outcome.message).toBe('passed');
    expect(outcome.message).toContain(
      's3:DeleteObject on arn:aws:s3:::my-bucket/a.csv stays denied',
    );
  });

  it('names the bucket policy statement that grants the role what its own policies do not', async () => {
    await createRole();
    await s3.send(new CreateBucketCommand({ Bucket: 'my-bucket' }));
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: 'my-bucket',
        Policy: doc({
          Sid: 'TrainingReads',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::000000000000:role/${ROLE}` },
          Action: 's3:ListBucket',
          Resource: 'arn:aws:s3:::my-bucket',
        }),
      }),
    );
    const outcome = await run('s3.objects.list', {
      bucket: 'my-bucket',
      asRole: ROLE,
      minObjects: 0,
    });
    expect(outcome.status, outcome.message).toBe('passed');
    expect(outcome.message).toBe(
      's3://my-bucket lists 0 object(s); s3:ListBucket on arn:aws:s3:::my-bucket is allowed by the bucket policy of my-bucket (statement "TrainingReads": s3:ListBucket on arn:aws:s3:::my-bucket)',
    );
  });

  it('fails a trust policy that lets any principal assume the role', async () => {
    await createRole('*');
    const outcome = await run('iam.role.trusts', {
      role: ROLE,
      service: 'sagemaker.amazonaws.com',
    });
    expect(outcome.status).toBe('failed');
    expect(outcome.message).toContain('the trust policy lets any principal assume the role');
  });

  it('fails a trust policy that also lets EC2 assume the role, unless exclusive is off', async () => {
    await createRole({ Service: ['sagemaker.amazonaws.com', 'ec2.amazonaws.com'] });
    const strict = await run('iam.role.trusts', { role: ROLE, service: 'sagemaker.amazonaws.com' });
    expect(strict.status).toBe('failed');
    expect(strict.message).toBe(
      'besides sagemaker.amazonaws.com, the role also trusts ec2.amazonaws.com',
    );
    const relaxed = await run('iam.role.trusts', {
      role: ROLE,
      service: 'sagemaker.amazonaws.com',
      exclusive: false,
    });
    expect(relaxed.status).toBe('passed');
  });

  it('least privilege: names a service-wide grant of your own and an access probe that leaks', async () => {
    await createRole();
    await putInline(
      'Storage',
      doc({ Sid: 'AllS3', Effect: 'Allow', Action: 's3:*', Resource: '*' }),
    );
    const outcome = await run('iam.role.leastPrivilege', {
      role: ROLE,
      mustDeny: [
        { action: 's3:GetObject', resource: 'arn:aws:s3:::another-teams-bucket/secrets.csv' },
      ],
    });
    expect(outcome.status).toBe('failed');
    expect(outcome.message).toContain(
      'too broad: statement "AllS3" in inline policy Storage allows s3:* on *',
    );
    expect(outcome.message).toContain(
      's3:GetObject on arn:aws:s3:::another-teams-bucket/secrets.csv is allowed by inline policy Storage (statement "AllS3": s3:* on *), but the role must not have it',
    );
  });

  it('iam.role.policies names what is missing and what is still attached', async () => {
    await createRole();
    await iam.send(
      new AttachRolePolicyCommand({
        RoleName: ROLE,
        PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3FullAccess',
      }),
    );
    const outcome = await run('iam.role.policies', {
      role: ROLE,
      attached: ['CloudWatchLogsFullAccess'],
      notAttached: ['arn:aws:iam::aws:policy/AmazonS3FullAccess'],
    });
    expect(outcome.status).toBe('failed');
    expect(outcome.message).toBe(
      `CloudWatchLogsFullAccess is not attached to ${ROLE} (attached: AmazonS3FullAccess); arn:aws:iam::aws:policy/AmazonS3FullAccess is still attached to ${ROLE}`,
    );
  });

  it("is an error, not the student's failure, when the lab's probe is wrong", async () => {
    await createRole();
    const outcome = await run('iam.role.can', {
      role: ROLE,
      allow: [
        { action: 's3:ListBuckets', resource: 'arn:aws:s3:::my-bucket' },
        { action: 's3:GetObject', resource: 'arn:aws:s3:::my-bucket' },
      ],
    });
    expect(outcome.status).toBe('error');
    expect(outcome.message).toBe(
      "the lab's permission probes cannot be evaluated: s3:ListBuckets is not an IAM action; s3:GetObject does not apply to a resource like arn:aws:s3:::my-bucket",
    );
  });

  it("a retry with the same context sees the student's fix", async () => {
    const trusts = { role: ROLE, service: 'sagemaker.amazonaws.com' };
    expect((await run('iam.role.trusts', trusts)).status).toBe('failed');
    await createRole();
    expect((await run('iam.role.trusts', trusts)).status).toBe('passed');
    const probe = {
      role: ROLE,
      allow: [{ action: 's3:ListBucket', resource: 'arn:aws:s3:::my-bucket' }],
    };
    expect((await run('iam.role.can', probe)).status).toBe('failed');
    await putInline(
      'List',
      doc({ Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::my-bucket' }),
    );
    expect((await run('iam.role.can', probe)).status).toBe('passed');
    // A passing verdict keeps the memo: several checks about one role read it once.
    await iam.send(new DeleteRolePolicyCommand({ RoleName: ROLE, PolicyName: 'List' }));
    expect((await run('iam.role.can', probe)).status).toBe('passed');
    expect(
      (await run('iam.role.can', probe, testCheckContext({ endpoint: sandbox.endpoint }))).status,
    ).toBe('failed');
  });
});
