/**
 * iac.role, the lab's infrastructure-as-code step: a CloudFormation template or a Terraform
 * configuration, judged by effect through the same IAM evaluation. The Terraform variants are
 * real files under test/fixtures/terraform/: the usual ways of writing the role (each passes)
 * and the lesson's typical mistakes (each fails, naming the resource and its line), what the
 * check cannot know without `terraform apply` (an error at the expression's line), and syntax
 * errors at file:line:col.
 */
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CheckOutcome } from '../../checks/define.js';
import { checkTypes } from '../../checks/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { testCheckContext } from '../support/check-context.js';
import { checkLab } from '../support/lab-session.js';

const LAB_DIR = path.resolve('labs/sagemaker-iam-roles');
const FIXTURES = path.resolve('test/fixtures/terraform');
const REFERENCE_TF = path.join(LAB_DIR, 'files/sagemaker-role.tf');

/** The lab's own `with` block for the step (bucket my-bucket). */
const LAB_RULES = {
  trusts: 'sagemaker.amazonaws.com',
  allow: [
    { action: 's3:GetObject', resource: 'arn:aws:s3:::my-bucket/train.csv' },
    { action: 's3:ListBucket', resource: 'arn:aws:s3:::my-bucket' },
  ],
};

describe('iac.role with Terraform', () => {
  let sandbox: Sandbox;
  let cwd: string;
  const type = checkTypes.get('iac.role')!;

  /** Judges a fixture folder (every .tf file in it), as `--var terraform=<folder>` would. */
  const judgeFixture = (name: string, workspace?: string): Promise<CheckOutcome> => {
    const ctx = testCheckContext({ endpoint: sandbox.endpoint, cwd: FIXTURES, labDir: LAB_DIR });
    return type.run(
      type.with.parse({ template: 'sagemaker-role.yaml', terraform: name, ...LAB_RULES }),
      workspace ? { ...ctx, workspace } : ctx,
    );
  };
  /** The lab's own check, with the student's file as sagemaker-role.tf in their folder. */
  const labCheck = async () => {
    const { checks } = await checkLab({
      endpoint: sandbox.endpoint,
      steps: ['infrastructure-as-code'],
      cwd,
    });
    return checks.get('infrastructure-as-code/template-role')!;
  };

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, memory: true, log: () => {} });
  });
  afterAll(async () => {
    await sandbox.stop();
    if (cwd) await rm(cwd, { recursive: true, force: true });
  });
  beforeEach(async () => {
    if (cwd) await rm(cwd, { recursive: true, force: true });
    cwd = await mkdtemp(path.join(tmpdir(), 'labwright-tf-'));
  });

  it('passes the reference solution (files/sagemaker-role.tf) through the lab, naming the file', async () => {
    await cp(REFERENCE_TF, path.join(cwd, 'sagemaker-role.tf'));
    const check = await labCheck();
    expect(check.status, check.message).toBe('passed');
    expect(check.message).toContain(
      'Terraform sagemaker-role.tf (in your working folder) defines aws_iam_role.sagemaker_execution (sagemaker-role.tf:26)',
    );
    expect(check.evidence).toMatchObject({ kind: 'terraform', from: 'working directory' });
  }, 30_000);

  it.each([
    ['good-jsonencode', 'jsonencode, inline_policy blocks, managed_policy_arns, local. and var.'],
    ['good-heredoc', 'heredocs, aws_iam_role_policy, a variable set in terraform.tfvars'],
    [
      'good-policy-document',
      'policy-document data sources, aws_iam_policy + attachment, two files',
    ],
  ])(
    'passes %s (%s)',
    async (name) => {
      const outcome = await judgeFixture(name);
      expect(outcome.status, outcome.message).toBe('passed');
      expect(outcome.message).toContain(
        `Terraform ${name} (in your working folder) defines aws_iam_role.sagemaker`,
      );
    },
    30_000,
  );

  it('fails a role trusted by EC2, naming the resource and its line', async () => {
    const outcome = await judgeFixture('bad-ec2-trust');
    expect(outcome.status).toBe('failed');
    expect(outcome.message).toContain(
      'aws_iam_role.sagemaker_execution (bad-ec2-trust/main.tf:26) trusts ec2.amazonaws.com, not sagemaker.amazonaws.com',
    );
    expect(outcome.retryable).toBe(false);
  });

  it('fails Principal = "*", naming the resource and its line', async () => {
    const outcome = await judgeFixture('bad-principal-star');
    expect(outcome.status).toBe('failed');
    expect(outcome.message).toContain(
      'aws_iam_role.sagemaker (bad-principal-star/main.tf:2): its trust policy lets any principal assume the role',
    );
  });

  it('fails AmazonS3FullAccess attached, naming the attachment and its line', async () => {
    const outcome = await judgeFixture('bad-s3-full-access');
    expect(outcome.status).toBe('failed');
    expect(outcome.message).toContain(
      'aws_iam_role.sagemaker (bad-s3-full-access/main.tf:2): AmazonS3FullAccess is attached (by aws_iam_role_policy_attachment.s3_full (bad-s3-full-access/main.tf:14))',
    );
  });

  it('fails s3:* on Resource = "*", naming the policy resource and its line', async () => {
    const outcome = await judgeFixture('bad-resource-star');
    expect(outcome.status).toBe('failed');
    expect(outcome.message).toContain(
      'too broad: statement 1 in inline policy aws_iam_role_policy.s3_everything (bad-resource-star/main.tf:14) allows s3:* on *',
    );
  });

  it('fails a role SageMaker and EC2 may both assume: only SageMaker should', async () => {
    const text = await readFile(REFERENCE_TF, 'utf8');
    await writeFile(
      path.join(cwd, 'sagemaker-role.tf'),
      text.replace(
        'identifiers = ["sagemaker.amazonaws.com"]',
        'identifiers = ["sagemaker.amazonaws.com", "ec2.amazonaws.com"]',
      ),
    );
    const check = await labCheck();
    expect(check.status).toBe('failed');
    expect(check.message).toContain(
      'aws_iam_role.sagemaker_execution (sagemaker-role.tf:26) also lets ec2.amazonaws.com assume the role; only sagemaker.amazonaws.com should',
    );
  });

  it.each([
    ['cannot-judge-module', 'module.sagemaker_role at cannot-judge-module/main.tf:2'],
    [
      'cannot-judge-remote-state',
      'data.terraform_remote_state.data.outputs.bucket_arn at cannot-judge-remote-state/main.tf:30',
    ],
    ['cannot-judge-computed', 'aws_s3_bucket.data.arn at cannot-judge-computed/main.tf:23'],
  ])('says it cannot judge %s, with the expression and its line', async (name, what) => {
    const outcome = await judgeFixture(name);
    expect(outcome.status, outcome.message).toBe('error');
    expect(outcome.message).toContain(`cannot judge ${what}`);
  });

  it('reports a syntax error at file:line:col', async () => {
    const outcome = await judgeFixture('syntax-error');
    expect(outcome.status).toBe('failed');
    expect(outcome.message).toContain(
      'Terraform syntax-error (in your working folder) does not parse: syntax-error/main.tf:8:16: Invalid expression',
    );
    expect(outcome.retryable).toBe(false);
  });

  it('judges a variable with no default and no tfvars as unknown, not as wrong', async () => {
    await writeFile(
      path.join(cwd, 'sagemaker-role.tf'),
      'variable "bucket" {}\n\nresource "aws_iam_role" "r" {\n  assume_role_policy = jsonencode({ Statement = [] })\n  inline_policy {\n    policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:ListBucket", Resource = "arn:aws:s3:::${var.bucket}" }] })\n  }\n}\n',
    );
    const check = await labCheck();
    expect(check.status, check.message).toBe('error');
    expect(check.message).toContain(
      'cannot judge var.bucket at sagemaker-role.tf:6 (variable "bucket" has no default)',
    );
  });

  it('finds the file in the workspace when not in the working folder, and says so', async () => {
    const workspace = path.join(cwd, 'workspace');
    await mkdir(workspace);
    await cp(REFERENCE_TF, path.join(workspace, 'sagemaker-role.tf'));
    const ctx = testCheckContext({
      endpoint: sandbox.endpoint,
      cwd: path.join(cwd, 'empty'),
      labDir: LAB_DIR,
    });
    const outcome = await type.run(
      type.with.parse({
        template: 'sagemaker-role.yaml',
        terraform: 'sagemaker-role.tf',
        ...LAB_RULES,
      }),
      { ...ctx, workspace },
    );
    expect(outcome.status, outcome.message).toBe('passed');
    expect(outcome.message).toContain(
      `Terraform sagemaker-role.tf (in the lab's workspace ${workspace})`,
    );
  }, 30_000);

  it('says where it looked for both kinds when there is neither', async () => {
    const check = await labCheck();
    expect(check.status).toBe('failed');
    expect(check.message).toContain(
      `no CloudFormation template at sagemaker-role.yaml and no Terraform configuration at sagemaker-role.tf (looked in ${cwd}`,
    );
  });

  it('passes when both are written and one is right, saying what the other lacks', async () => {
    await cp(REFERENCE_TF, path.join(cwd, 'sagemaker-role.tf'));
    await cp(
      path.join(FIXTURES, 'bad-s3-full-access/main.tf'),
      path.join(cwd, 'sagemaker-role.tf'),
    );
    await cp(
      path.join(LAB_DIR, 'files/sagemaker-role.yaml'),
      path.join(cwd, 'sagemaker-role.yaml'),
    );
    const check = await labCheck();
    expect(check.status, check.message).toBe('passed');
    expect(check.message).toMatch(/^sagemaker-role\.yaml defines SageMakerExecutionRole/);
    expect(check.message).toContain('also: Terraform sagemaker-role.tf');
    expect(check.message).toContain('AmazonS3FullAccess is attached');
  }, 30_000);
});
