/**
 * `labwright notebook-shell`, the notebook's terminal, through the real CLI on the sandbox
 * target, with the aws CLI and boto3 (the lesson's own script) as the command: the script is
 * refused until the role may list the bucket, as in the notebook; a notebook on another role
 * gets that role; a role that does not trust SageMaker is refused, naming its trust policy.
 */
import {
  CreateRoleCommand,
  DeleteRolePolicyCommand,
  IAMClient,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateNotebookInstanceCommand,
  DescribeNotebookInstanceCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/server.js';
import { requireTool } from '../support/tools.js';
import { labwright, makeHome, sharedSandbox, STACK_FRAME, type Home } from './support.js';

const ready = requireTool('aws') && requireTool('boto3');
const ACCOUNT = '000000000000';
const trust = (service: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
  });

let home: Home;
let sandbox: Sandbox;
let iam: IAMClient;
let sagemaker: SageMakerClient;

/** `labwright notebook-shell sagemaker-iam-roles <notebook> -- <command...>` */
const inNotebook = (notebook: string, ...command: string[]) =>
  labwright(home, ['notebook-shell', 'sagemaker-iam-roles', notebook, '--', ...command]);

async function notebookOn(name: string, role: string): Promise<void> {
  await sagemaker.send(
    new CreateNotebookInstanceCommand({
      NotebookInstanceName: name,
      InstanceType: 'ml.t2.medium',
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/${role}`,
    }),
  );
  for (let i = 0; i < 100; i++) {
    const out = await sagemaker.send(
      new DescribeNotebookInstanceCommand({ NotebookInstanceName: name }),
    );
    if (out.NotebookInstanceStatus === 'InService') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  if (!ready) return;
  home = makeHome();
  sandbox = await sharedSandbox(home);
  const config = {
    endpoint: sandbox.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
  iam = new IAMClient(config);
  sagemaker = new SageMakerClient(config);
  // Steps 2 and 3 as the lesson does them: the role with the lesson's policies, the notebook.
  const solved = await labwright(home, [
    'solve',
    'sagemaker-iam-roles',
    '--step',
    'create-role',
    '--step',
    'assign-role',
  ]);
  expect(solved.status, solved.stdout + solved.stderr).toBe(0);
  // Step 4's data, put there with the account's own credentials.
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'my-bucket' }));
  await s3.send(
    new PutObjectCommand({ Bucket: 'my-bucket', Key: 'data/train.csv', Body: '1,2\n' }),
  );
  s3.destroy();
}, 240_000);

afterAll(async () => {
  iam?.destroy();
  sagemaker?.destroy();
  await sandbox?.stop();
});

describe.skipIf(!ready)("labwright notebook-shell: the notebook's terminal", () => {
  it('runs the aws CLI as the notebook’s role, assumed by SageMaker', async () => {
    const result = await inNotebook(
      'MyNotebookInstance',
      'aws',
      'sts',
      'get-caller-identity',
      '--query',
      'Arn',
      '--output',
      'text',
    );
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe(
      `arn:aws:sts::${ACCOUNT}:assumed-role/SageMakerExecutionRole/SageMaker`,
    );
    expect(result.stderr).toContain('assumed by SageMaker, as in the notebook');
  });

  it("refuses the lesson's script until the role may list the bucket, then lists it", async () => {
    const before = await inNotebook(
      'MyNotebookInstance',
      'python3',
      'files/test_s3_access.py',
      'my-bucket',
    );
    expect(before.status).not.toBe(0);
    expect(before.stderr).toContain('AccessDenied');
    expect(before.stderr).toContain(
      `assumed-role/SageMakerExecutionRole/SageMaker is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::my-bucket"`,
    );

    // The fix the step asks for, made from the student's own terminal.
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'SageMakerExecutionRole',
        PolicyName: 'ListTheBucket',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::my-bucket' },
          ],
        }),
      }),
    );
    const after = await inNotebook(
      'MyNotebookInstance',
      'python3',
      'files/test_s3_access.py',
      'my-bucket',
    );
    expect(after.status, after.stderr).toBe(0);
    expect(after.stdout.trim()).toBe('data/train.csv');
    await iam.send(
      new DeleteRolePolicyCommand({
        RoleName: 'SageMakerExecutionRole',
        PolicyName: 'ListTheBucket',
      }),
    );
  });

  it('gives a notebook on another role that role', async () => {
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'OtherNotebookRole',
        AssumeRolePolicyDocument: trust('sagemaker.amazonaws.com'),
      }),
    );
    await notebookOn('OtherNotebook', 'OtherNotebookRole');
    const result = await inNotebook(
      'OtherNotebook',
      'aws',
      'sts',
      'get-caller-identity',
      '--query',
      'Arn',
      '--output',
      'text',
    );
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe(
      `arn:aws:sts::${ACCOUNT}:assumed-role/OtherNotebookRole/SageMaker`,
    );
    // That role may not list the bucket either: the account's permissions never leak in.
    const listing = await inNotebook('OtherNotebook', 'aws', 's3', 'ls', 's3://my-bucket');
    expect(listing.status).not.toBe(0);
    expect(listing.stderr).toContain('AccessDenied');
  });

  it('refuses a role that does not trust SageMaker, naming its trust policy', async () => {
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'DriftingRole',
        AssumeRolePolicyDocument: trust('sagemaker.amazonaws.com'),
      }),
    );
    await notebookOn('DriftingNotebook', 'DriftingRole');
    // Trusted when the notebook was created; no longer.
    await iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: 'DriftingRole',
        PolicyDocument: trust('ec2.amazonaws.com'),
      }),
    );
    const result = await inNotebook('DriftingNotebook', 'aws', 'sts', 'get-caller-identity');
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(result.stderr).toContain(
      'labwright: SageMaker cannot assume DriftingRole: its trust policy (AssumeRolePolicyDocument) does not allow sagemaker.amazonaws.com to call sts:AssumeRole (it trusts ec2.amazonaws.com)',
    );
  });

  it('says when there is no such notebook', async () => {
    const result = await inNotebook('NoSuchNotebook', 'true');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'labwright: there is no notebook instance named NoSuchNotebook on this target',
    );
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });
});
