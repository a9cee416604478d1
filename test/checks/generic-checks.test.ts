/**
 * The checks that are not about IAM policies: the quiz, aws.call (JMESPath), shell, and the
 * resource checks (S3, SageMaker, CloudWatch Logs, CloudTrail), against the sandbox with real
 * clients. The quiz runs as the lab defines it, through the engine.
 */
import { CloudTrailClient, CreateTrailCommand } from '@aws-sdk/client-cloudtrail';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CheckContext, CheckOutcome } from '../../checks/define.js';
import { checkTypes } from '../../checks/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { testCheckContext } from '../support/check-context.js';
import { checkLab } from '../support/lab-session.js';

describe('quiz, aws.call, shell and the resource checks', () => {
  let sandbox: Sandbox;
  let ctx: CheckContext;
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
  const config = () => ({ endpoint: sandbox.endpoint, region: 'us-east-1', credentials });
  const run = (type: string, input: unknown): Promise<CheckOutcome> => {
    const check = checkTypes.get(type)!;
    return check.run(check.with.parse(input), ctx);
  };

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, memory: true, log: () => {} });
  });
  afterAll(async () => {
    await sandbox.stop();
  });
  beforeEach(() => {
    sandbox.core.reset();
    ctx = testCheckContext({ endpoint: sandbox.endpoint });
  });

  describe('the lab quiz', () => {
    const quiz = async (answers: Record<string, number>) =>
      (await checkLab({ endpoint: sandbox.endpoint, steps: ['intro'], answers })).checks.get(
        'intro/quiz',
      )!;

    it('asks to be answered in `labwright run`, and is optional', async () => {
      const check = await quiz({});
      expect(check.status).toBe('failed');
      expect(check.message).toBe('answer the quiz in `labwright run`');
      expect(check.optional).toBe(true);
    });

    it('says how many answers are right', async () => {
      const partly = await quiz({ 'who-assumes': 1, trust: 0 });
      expect(partly.status).toBe('failed');
      expect(partly.message).toBe('1 of 3 answers are right; 1 unanswered');
      const all = await quiz({ 'who-assumes': 1, trust: 1, 'least-privilege': 2 });
      expect(all.status).toBe('passed');
      expect(all.message).toBe('3 of 3 answers are right');
    });

    it('the whoami aws.call passes on the sandbox', async () => {
      const { checks } = await checkLab({ endpoint: sandbox.endpoint, steps: ['intro'] });
      expect(checks.get('intro/whoami')?.status).toBe('passed');
      expect(checks.get('intro/whoami')?.message).toContain('Account is "000000000000"');
    });
  });

  describe('aws.call', () => {
    it('asserts with JMESPath, and says what it found when an assertion fails', async () => {
      await new IAMClient(config()).send(
        new CreateRoleCommand({
          RoleName: 'R',
          Path: '/service-role/',
          AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[]}',
        }),
      );
      const ok = await run('aws.call', {
        call: 'iam:GetRole',
        input: { RoleName: 'R' },
        expect: [
          { query: 'Role.RoleName', equals: 'R' },
          { query: 'Role.Arn', matches: ':role/service-role/R$' },
        ],
      });
      expect(ok.status, ok.message).toBe('passed');
      const wrong = await run('aws.call', {
        call: 'iam:GetRole',
        input: { RoleName: 'R' },
        expect: [{ query: 'Role.Path', equals: '/' }],
      });
      expect(wrong.status).toBe('failed');
      expect(wrong.message).toBe('Role.Path is "/service-role/", expected "/"');
    });

    it('passes on the expected error, and names an unexpected one', async () => {
      const expected = await run('aws.call', {
        call: 'iam:GetRole',
        input: { RoleName: 'Nope' },
        expectError: 'NoSuchEntity',
      });
      expect(expected.status).toBe('passed');
      const unexpected = await run('aws.call', {
        call: 'iam:GetRole',
        input: { RoleName: 'Nope' },
      });
      expect(unexpected.status).toBe('failed');
      expect(unexpected.message).toMatch(/^iam:GetRole failed with NoSuchEntity/);
    });
  });

  describe('shell', () => {
    it("runs bash with the target's environment in the student's folder", async () => {
      const outcome = await run('shell', {
        run: 'echo "$AWS_ENDPOINT_URL $AWS_ACCESS_KEY_ID"; pwd',
        outputMatches: `^${sandbox.endpoint} test$`,
      });
      expect(outcome.status, outcome.message).toBe('passed');
      expect(outcome.evidence?.stdout).toContain(process.cwd());
    });

    it('fails with the exit code and the end of stderr, or the output that did not match', async () => {
      const exit = await run('shell', { run: 'echo working; echo "no such bucket" >&2; exit 3' });
      expect(exit.status).toBe('failed');
      expect(exit.message).toBe(
        '`echo working; echo "no such bucket" >&2; exit 3` exited with 3: no such bucket',
      );
      const mismatch = await run('shell', {
        run: 'echo nothing here',
        outputMatches: 'train\\.csv',
      });
      expect(mismatch.message).toBe(
        '`echo nothing here` succeeded, but its output does not match /train\\.csv/; it printed: nothing here',
      );
    });

    it('stops a command that runs past its timeout', async () => {
      const outcome = await run('shell', { run: 'sleep 30', timeoutSeconds: 1 });
      expect(outcome.status).toBe('failed');
      expect(outcome.message).toBe('`sleep 30` did not finish within 1 s');
    });
  });

  describe('resources', () => {
    it('s3: a missing bucket, and keys that are not there', async () => {
      const missing = await run('s3.bucket.exists', { bucket: 'my-bucket' });
      expect(missing.message).toBe(
        'no bucket named my-bucket (create it with `aws s3 mb s3://my-bucket`)',
      );
      const s3 = new S3Client({ ...config(), forcePathStyle: true });
      await s3.send(new CreateBucketCommand({ Bucket: 'my-bucket' }));
      await s3.send(
        new PutObjectCommand({ Bucket: 'my-bucket', Key: 'data/train.csv', Body: '1,2\n' }),
      );
      expect((await run('s3.bucket.exists', { bucket: 'my-bucket' })).status).toBe('passed');
      const keys = await run('s3.objects.list', {
        bucket: 'my-bucket',
        keys: ['data/train.csv', 'data/validation.csv'],
      });
      expect(keys.status).toBe('failed');
      expect(keys.message).toBe(
        's3://my-bucket lacks data/validation.csv (found 1 object(s): data/train.csv)',
      );
    });

    it('sagemaker: says which notebook and which job it looked for', async () => {
      const notebook = await run('sagemaker.notebook', { name: 'MyNotebookInstance' });
      expect(notebook.message).toBe(
        'no notebook instance named MyNotebookInstance in us-east-1 (account 000000000000)',
      );
      const job = await run('sagemaker.trainingJob', { role: 'SageMakerExecutionRole' });
      expect(job.message).toBe(
        'found no training job run with the role SageMakerExecutionRole in us-east-1',
      );
    });

    it('logs: a missing log group says who writes it', async () => {
      const outcome = await run('logs.events', { logGroup: '/aws/sagemaker/TrainingJobs' });
      expect(outcome.status).toBe('failed');
      expect(outcome.message).toMatch(/^no log group named \/aws\/sagemaker\/TrainingJobs: /);
    });

    it('cloudtrail: no trail, then a trail that is not logging', async () => {
      expect((await run('cloudtrail.trail', {})).message).toBe(
        'no CloudTrail trail in us-east-1: create one with `aws cloudtrail create-trail`',
      );
      await new S3Client({ ...config(), forcePathStyle: true }).send(
        new CreateBucketCommand({ Bucket: 'trail-bucket' }),
      );
      await new CloudTrailClient(config()).send(
        new CreateTrailCommand({ Name: 'lesson-trail', S3BucketName: 'trail-bucket' }),
      );
      const outcome = await run('cloudtrail.trail', { name: 'lesson-trail' });
      expect(outcome.status).toBe('failed');
      expect(outcome.message).toBe(
        'the trail lesson-trail exists but is not logging: run `aws cloudtrail start-logging --name lesson-trail`',
      );
    });
  });
});
