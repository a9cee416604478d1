/**
 * A CloudFormation template, through the lab's own `template-role` check (iac.role, which also
 * takes Terraform: test/checks/iac-role.test.ts) and the cfn.template check type: the student's
 * template in their working folder is parsed with CloudFormation's short tags and judged like a
 * deployed role.
 */
import { spawnSync } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkTypes } from '../../checks/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { testCheckContext } from '../support/check-context.js';
import { checkLab } from '../support/lab-session.js';

const LAB_DIR = path.resolve('labs/sagemaker-iam-roles');
const REFERENCE = path.join(LAB_DIR, 'files/sagemaker-role.yaml');

const role = (properties: string) => `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  ExecutionRole:
    Type: AWS::IAM::Role
    Properties:
${properties}`;

const SAGEMAKER_TRUST = `      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: { Service: sagemaker.amazonaws.com }
            Action: sts:AssumeRole
`;

/** The seed's own example: GetObject on objects only. */
const SEED_TEMPLATE = role(`${SAGEMAKER_TRUST}      Policies:
        - PolicyName: SageMakerS3Access
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: s3:GetObject
                Resource: arn:aws:s3:::my-bucket/*
`);

describe('CloudFormation templates (the lab check infrastructure-as-code/template-role)', () => {
  let sandbox: Sandbox;
  let cwd: string;
  const templateCheck = async () => {
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
  });
  beforeEach(async () => {
    if (cwd) await rm(cwd, { recursive: true, force: true });
    cwd = await mkdtemp(path.join(tmpdir(), 'labwright-cfn-'));
  });

  it('passes the reference template, short tags and all', async () => {
    await copyFile(REFERENCE, path.join(cwd, 'sagemaker-role.yaml'));
    const check = await templateCheck();
    expect(check.status, check.message).toBe('passed');
    expect(check.message).toContain('defines SageMakerExecutionRole');
  });

  it("fails the seed's template: s3:ListBucket applies to the bucket, which it does not name", async () => {
    await writeFile(path.join(cwd, 'sagemaker-role.yaml'), SEED_TEMPLATE);
    const check = await templateCheck();
    expect(check.status).toBe('failed');
    expect(check.message).toContain('s3:ListBucket applies to the bucket, arn:aws:s3:::my-bucket');
    expect(check.message).toContain('inline policy SageMakerS3Access');
    expect(check.message).toContain('s3:GetObject on arn:aws:s3:::my-bucket/*');
  });

  it('fails a role trusted by EC2, saying which service it trusts', async () => {
    const text = await readFile(REFERENCE, 'utf8');
    await writeFile(
      path.join(cwd, 'sagemaker-role.yaml'),
      text.replace('Service: "sagemaker.amazonaws.com"', 'Service: "ec2.amazonaws.com"'),
    );
    const check = await templateCheck();
    expect(check.status).toBe('failed');
    expect(check.message).toContain(
      'SageMakerExecutionRole trusts ec2.amazonaws.com, not sagemaker.amazonaws.com',
    );
  });

  it('fails a "*" grant, naming the policy and statement', async () => {
    await writeFile(
      path.join(cwd, 'sagemaker-role.yaml'),
      role(`${SAGEMAKER_TRUST}      Policies:
        - PolicyName: Everything
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Sid: AllowAll
                Effect: Allow
                Action: "*"
                Resource: "*"
`),
    );
    const check = await templateCheck();
    expect(check.status).toBe('failed');
    expect(check.message).toContain(
      'too broad: statement "AllowAll" in inline policy Everything allows * on *',
    );
  });

  it('reports a YAML error at its line and column, and does not ask to wait', async () => {
    await writeFile(
      path.join(cwd, 'sagemaker-role.yaml'),
      'Resources:\n  Role:\n    Type: [unclosed\n',
    );
    const check = await templateCheck();
    expect(check.status).toBe('failed');
    expect(check.message).toMatch(/sagemaker-role\.yaml:\d+:\d+/);
  });

  it('says where it looked when there is no template', async () => {
    const check = await templateCheck();
    expect(check.status).toBe('failed');
    expect(check.message).toContain(
      `no CloudFormation template at sagemaker-role.yaml and no Terraform configuration at sagemaker-role.tf (looked in ${cwd}`,
    );
  });

  // cfn-lint takes ~10 s a run here (Python start-up and its schemas), hence the lab leaves
  // `lint` off and these two tests call the check type directly.
  const hasCfnLint = spawnSync('cfn-lint', ['--version']).status === 0;
  it.skipIf(!hasCfnLint)(
    "with lint: true, reports cfn-lint's findings, and that a clean template is clean",
    async () => {
      const type = checkTypes.get('cfn.template')!;
      const ctx = testCheckContext({ endpoint: sandbox.endpoint, cwd, labDir: LAB_DIR });
      const lint = type.with.parse({ file: 'sagemaker-role.yaml', lint: true });
      const text = await readFile(REFERENCE, 'utf8');
      await writeFile(path.join(cwd, 'sagemaker-role.yaml'), text);
      const clean = await type.run(lint, ctx);
      expect(clean.status, clean.message).toBe('passed');
      expect(clean.message).toContain('cfn-lint finds nothing to fix');

      await writeFile(
        path.join(cwd, 'sagemaker-role.yaml'),
        text.replace('      RoleName: SageMakerExecutionRoleFromTemplate', '      RoleNme: Typo'),
      );
      const typo = await type.run(lint, ctx);
      expect(typo.status, typo.message).toBe('failed');
      expect(typo.message).toMatch(/cfn-lint: E3002 at line 18: .*RoleNme/);
      expect(typo.retryable).toBe(false);
    },
    60_000,
  );

  it('falls back to the lab folder, and says so', async () => {
    const type = checkTypes.get('cfn.template')!;
    const ctx = testCheckContext({ endpoint: sandbox.endpoint, cwd, labDir: LAB_DIR });
    const outcome = await type.run(
      type.with.parse({ file: 'files/sagemaker-role.yaml', trusts: 'sagemaker.amazonaws.com' }),
      ctx,
    );
    expect(outcome.status, outcome.message).toBe('passed');
    expect(outcome.message).toContain('from the lab folder; none in your working directory');
    expect(outcome.retryable).toBeUndefined();
  });
});
