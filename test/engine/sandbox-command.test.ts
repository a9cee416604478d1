/**
 * The sandbox target as a student meets it: `labwright check` with nothing running starts a
 * sandbox for the duration of the command; `labwright sandbox` runs one in the foreground that
 * other terminals (`labwright check`, the aws CLI) share; a busy port is a sentence, exit 3.
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTrainingJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { startSandbox } from '../../src/sandbox/server.js';
import { describe, expect, it } from 'vitest';
import { BIN, labwright, makeHome, STACK_FRAME } from './support.js';

const serverRecord = (stateHome: string) =>
  path.join(stateHome, 'labwright', 'sandbox', 'server.json');

describe('the sandbox target', () => {
  it('with no sandbox running, a command starts one for itself and removes its record after', async () => {
    const home = makeHome();
    const result = await labwright(home, [
      'check',
      'sagemaker-iam-roles',
      '--step',
      'create-role',
      '--no-wait',
      '--json',
    ]);
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(result.status).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.target).toMatchObject({
      kind: 'sandbox',
      account: '000000000000',
      region: 'us-east-1',
    });
    expect(report.target.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(
      report.steps[0].checks.find((c: { id: string }) => c.id === 'role-exists'),
    ).toMatchObject({
      status: 'failed',
    });
    expect(existsSync(serverRecord(home.stateHome))).toBe(false);
  });

  it('`labwright sandbox` serves other terminals until Ctrl-C', async () => {
    const home = makeHome();
    const sandbox = spawn(process.execPath, [BIN, 'sandbox', '--port', '0'], {
      cwd: home.cwd,
      env: home.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let stdout = '';
      const endpoint = await new Promise<string>((resolve, reject) => {
        sandbox.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const match = /export AWS_ENDPOINT_URL=(\S+)/.exec(stdout);
          if (match && stdout.includes('AWS_DEFAULT_REGION')) resolve(match[1]!);
        });
        sandbox.on('exit', (code) =>
          reject(new Error(`labwright sandbox exited with ${code}: ${stdout}`)),
        );
      });
      expect(stdout).toContain('export AWS_ACCESS_KEY_ID=test');
      expect(stdout).toContain('export AWS_SECRET_ACCESS_KEY=test');
      expect(stdout).toContain('export AWS_DEFAULT_REGION=us-east-1');
      expect(existsSync(serverRecord(home.stateHome))).toBe(true);

      // A second terminal: the same sandbox, not a new one.
      const check = await labwright(home, [
        'check',
        'sagemaker-iam-roles',
        '--step',
        'intro',
        '--no-wait',
        '--json',
      ]);
      expect(JSON.parse(check.stdout).target.endpoint).toBe(endpoint);

      // A second `labwright sandbox` for the same state refuses, with a sentence.
      const second = await labwright(home, ['sandbox', '--port', '0']);
      expect(second.status).toBe(3);
      expect(second.stderr).toContain(
        `a sandbox is already running for ${path.join(home.stateHome, 'labwright', 'sandbox')} at ${endpoint}`,
      );
    } finally {
      const exited = new Promise<number | null>((resolve) =>
        sandbox.on('exit', (code) => resolve(code)),
      );
      sandbox.kill('SIGINT');
      expect(await exited).toBe(0);
    }
    expect(existsSync(serverRecord(home.stateHome))).toBe(false);
  });

  it(
    'a check that uses another terminal’s sandbox outlives it: it takes the folder over',
    { timeout: 240_000 },
    async () => {
      const home = makeHome();
      // The other terminal: a sandbox whose training job is still running, recorded under a
      // process of its own, which then ends.
      const stateDir = path.join(home.stateHome, 'labwright', 'sandbox');
      const sandbox = await startSandbox({
        port: 0,
        stateDir,
        timing: { trainingJobMs: 600_000 },
        log: () => undefined,
      });
      const common = {
        endpoint: sandbox.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      };
      const iam = new IAMClient(common);
      await iam.send(
        new CreateRoleCommand({
          RoleName: 'SageMakerExecutionRole',
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'sagemaker.amazonaws.com' },
                Action: 'sts:AssumeRole',
              },
            ],
          }),
        }),
      );
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: 'SageMakerExecutionRole',
          PolicyName: 'all-it-needs',
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: ['s3:*', 'logs:*'], Resource: '*' }],
          }),
        }),
      );
      const s3 = new S3Client({ ...common, forcePathStyle: true });
      await s3.send(new CreateBucketCommand({ Bucket: 'my-bucket' }));
      await s3.send(
        new PutObjectCommand({ Bucket: 'my-bucket', Key: 'data/train.csv', Body: '1,0\n0,1\n' }),
      );
      await new SageMakerClient(common).send(
        new CreateTrainingJobCommand({
          TrainingJobName: 'lesson-9-1-training-job',
          RoleArn: 'arn:aws:iam::000000000000:role/SageMakerExecutionRole',
          AlgorithmSpecification: {
            TrainingImage: '382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1',
            TrainingInputMode: 'File',
          },
          InputDataConfig: [
            {
              ChannelName: 'train',
              DataSource: {
                S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://my-bucket/data/' },
              },
            },
          ],
          OutputDataConfig: { S3OutputPath: 's3://my-bucket/output/' },
          ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
          StoppingCondition: { MaxRuntimeInSeconds: 3600 },
          HyperParameters: { feature_dim: '2', predictor_type: 'binary_classifier' },
        }),
      );
      const owner = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 600000)'], {
        stdio: 'ignore',
      });
      const record = serverRecord(home.stateHome);
      writeFileSync(
        record,
        JSON.stringify({ pid: owner.pid, port: sandbox.port, endpoint: sandbox.endpoint }),
      );
      // The check waits for the job in progress: once it has asked twice, the other terminal quits.
      const check = labwright(home, [
        'check',
        'sagemaker-iam-roles',
        '--step',
        'cloudwatch-logs',
        '--json',
      ]);
      const asked = () =>
        sandbox.core.events
          .all()
          .filter(
            (e) => e.eventName === 'DescribeTrainingJob' && e.userAgent.includes('labwright/'),
          ).length >= 2;
      while (!asked()) await new Promise((resolve) => setTimeout(resolve, 50));
      await sandbox.stop();
      owner.kill('SIGKILL');
      // The checking process now serves the folder on the same address, and the job runs on
      // there (at the sandbox's own pace) until it completes.
      const result = await check;
      expect(result.stderr).not.toMatch(STACK_FRAME);
      expect(result.stdout, result.stderr).not.toBe('');
      const report = JSON.parse(result.stdout);
      expect(report.target.endpoint).toBe(sandbox.endpoint);
      expect(
        report.steps[0].checks.find((c: { id: string }) => c.id === 'training-completed'),
      ).toMatchObject({ status: 'passed' });
      expect(existsSync(record)).toBe(false);
    },
  );

  it('a port in use: exit 3 with a sentence', async () => {
    const home = makeHome();
    const busy: Server = createServer();
    const port = await new Promise<number>((resolve) =>
      busy.listen(0, '127.0.0.1', () => resolve((busy.address() as { port: number }).port)),
    );
    try {
      const result = await labwright(home, ['sandbox', '--port', String(port)]);
      expect(result.status).toBe(3);
      expect(result.stderr).not.toMatch(STACK_FRAME);
      expect(result.stderr).toContain(`labwright: port ${port} is already in use`);
    } finally {
      busy.close();
    }
  });

  it('a port that is not a number: exit 2', async () => {
    const result = await labwright(makeHome(), ['sandbox', '--port', 'http']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--port must be a port number');
  });
});
