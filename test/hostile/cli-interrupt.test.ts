/**
 * Issue 11, item 8: Ctrl-C in `check` and `solve` used to kill labwright on the spot (exit
 * 130, nothing printed, the sandbox unflushed, server.json left behind), though the output
 * says "Ctrl-C stops waiting". Now the report so far is printed (unfinished checks "not run"),
 * the sandbox the command started is stopped cleanly, and the exit code is 130.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LabReport } from '../../src/engine/report.js';
import { BIN, labwright, makeHome, STACK_FRAME, type Home } from '../engine/support.js';

let home: Home;
let labFile: string;

beforeAll(() => {
  home = makeHome();
  const dir = path.join(home.dir, 'lab');
  mkdirSync(dir);
  labFile = path.join(dir, 'lab.yaml');
  writeFileSync(
    labFile,
    [
      'id: interrupt',
      'title: Interrupt',
      'vars: { role: InterruptedRole }',
      'retry: { timeoutSeconds: 900, intervalSeconds: 1 }',
      'steps:',
      '  - id: one',
      '    title: One',
      '    actions:',
      '      - title: Create the role',
      '        aws: iam:CreateRole',
      '        input: { RoleName: "${role}", AssumeRolePolicyDocument: { file: trust.json } }',
      '        ignoreErrors: [EntityAlreadyExists]',
      '      - title: Take a long time',
      '        shell: echo still-working; exec sleep 600',
      '    checks:',
      '      - id: role',
      '        type: iam.role.exists',
      '        with: { role: "${role}" }',
      '      - id: never',
      '        type: shell',
      '        with: { run: "false" }',
      // A training job runs for a while on the sandbox: its check waits for it (a failing shell
      // check, which waiting cannot change, does not wait).
      '  - id: two',
      '    title: Two',
      '    actions:',
      '      - title: Create the role',
      '        aws: iam:CreateRole',
      '        input: { RoleName: "${role}", AssumeRolePolicyDocument: { file: trust.json } }',
      '        ignoreErrors: [EntityAlreadyExists]',
      '      - title: Start a training job',
      '        aws: sagemaker:CreateTrainingJob',
      '        input:',
      '          TrainingJobName: interrupted-job',
      '          RoleArn: "arn:aws:iam::${account}:role/${role}"',
      '          AlgorithmSpecification: { TrainingImage: "382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1", TrainingInputMode: File }',
      '          OutputDataConfig: { S3OutputPath: "s3://no-such-bucket/output/" }',
      '          ResourceConfig: { InstanceType: ml.m5.large, InstanceCount: 1, VolumeSizeInGB: 10 }',
      '          StoppingCondition: { MaxRuntimeInSeconds: 3600 }',
      '        ignoreErrors: [ResourceInUse]',
      '    checks:',
      '      - id: job',
      '        type: sagemaker.trainingJob',
      '        with: { name: interrupted-job, status: [Completed] }',
      '',
    ].join('\n'),
  );
  writeFileSync(
    path.join(dir, 'trust.json'),
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'sagemaker.amazonaws.com' },
          Action: 'sts:AssumeRole',
        },
      ],
    }),
  );
});

/** Runs labwright, sends SIGINT once `ready` appears in its output, and collects the rest. */
function interruptWhen(
  args: string[],
  ready: string,
): Promise<{ status: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: home.cwd,
      env: home.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let sent = false;
    const watch = () => {
      if (!sent && (stdout + stderr).includes(ready)) {
        sent = true;
        child.kill('SIGINT');
      }
    };
    child.stdout.on('data', (chunk: Buffer) => ((stdout += chunk.toString()), watch()));
    child.stderr.on('data', (chunk: Buffer) => ((stderr += chunk.toString()), watch()));
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

const serverJson = () => path.join(home.stateHome, 'labwright', 'sandbox', 'server.json');

describe('Ctrl-C prints the report so far, stops the sandbox cleanly and exits 130', () => {
  it('solve, interrupted during a long action', { timeout: 120_000 }, async () => {
    const result = await interruptWhen(['solve', labFile, '--json'], 'still-working');
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(result.status, result.stderr).toBe(130);
    const report = JSON.parse(result.stdout) as LabReport;
    const checks = report.steps[0]!.checks;
    expect(checks.map((check) => [check.id, check.status])).toEqual([
      ['role', 'skipped'],
      ['never', 'skipped'],
    ]);
    expect(checks[0]!.message).toMatch(/not run/);
    expect(existsSync(serverJson())).toBe(false);

    // The role the first action created was saved when the sandbox stopped.
    const again = await labwright(home, ['check', labFile, '--json', '--no-wait']);
    const next = JSON.parse(again.stdout) as LabReport;
    expect(next.steps[0]!.checks[0]).toMatchObject({ id: 'role', status: 'passed' });
  });

  it('check, interrupted while waiting for a training job', { timeout: 120_000 }, async () => {
    // Start the job without waiting for it; the sandbox resumes it when `check` starts it again.
    const started = await labwright(home, ['solve', labFile, '--step', 'two', '--no-wait']);
    expect(started.stdout + started.stderr).toContain('Start a training job');
    const result = await interruptWhen(
      ['check', labFile, '--step', 'one', '--step', 'two'],
      'Ctrl-C stops waiting',
    );
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(result.stderr).toContain('waiting for training job interrupted-job (InProgress)');
    expect(result.status, result.stderr).toBe(130);
    // The text report, with what was known at Ctrl-C: the role passed, `false` failed, the job
    // was still running.
    expect(result.stdout).toMatch(/✓ role/);
    expect(result.stdout).toMatch(/✗ never/);
    expect(result.stdout).toContain('`false` exited with 1');
    expect(result.stdout).toContain('the training job interrupted-job is still InProgress');
    expect(existsSync(serverJson())).toBe(false);
  });
});
