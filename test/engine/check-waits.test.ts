/**
 * When checks wait (src/engine/wait-policy.ts), against the embedded sandbox with real SDK
 * clients: a fresh lab answers at once, a running training job is waited for, a job that ended
 * is judged at once, an operation the target lacks is an `error` without the student's hint,
 * and the training job checks judge the newest job run with the role when none has the lab's
 * name.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { sagemakerTrainingJobCheck } from '../../checks/sagemaker.trainingJob.js';
import { connect } from '../../src/aws/connect.js';
import { resolveTarget } from '../../src/aws/target.js';
import { checkProgressPrinter } from '../../src/commands/check-progress.js';
import type { RunEvent } from '../../src/engine/events.js';
import { loadLabFile } from '../../src/engine/load-lab.js';
import { Progress } from '../../src/engine/progress.js';
import type { CheckReport } from '../../src/engine/report.js';
import { openLab, type WaitMode } from '../../src/engine/runner.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { applySolution, JUDGED_STEPS, lessonClients, reference } from '../checks/lesson-catalog.js';
import { LESSON_LAB } from '../support/lab-session.js';
import { labwright, makeHome } from './support.js';

const JOB = 'lesson-9-1-training-job';

/** Runs the lab's checks through the engine, keeping every event. */
async function judge(
  endpoint: string,
  options: { wait: WaitMode; steps?: string[]; file?: string; onEvent?: (e: RunEvent) => void },
) {
  const loaded = await loadLabFile(options.file ?? LESSON_LAB, { checkOperations: false });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const connection = await connect(
    resolveTarget({ target: 'localstack', endpoint, region: 'us-east-1' }, {}),
  );
  const events: RunEvent[] = [];
  try {
    const session = openLab({
      lab: loaded.loaded,
      connection,
      progress: Progress.inMemory(loaded.loaded.lab.id, connection.key),
    });
    const report = await session.runChecks({
      ...(options.steps ? { steps: options.steps } : {}),
      wait: options.wait,
      onEvent: (event) => {
        events.push(event);
        options.onEvent?.(event);
      },
    });
    const checks = new Map<string, CheckReport>();
    for (const step of report.steps) {
      for (const check of step.checks) checks.set(`${step.id}/${check.id}`, check);
    }
    const retries = events.filter((e) => e.type === 'check-retry');
    return { report, checks, retries };
  } finally {
    connection.close();
  }
}

describe('when checks wait', () => {
  let sandbox: Sandbox | undefined;
  afterEach(async () => {
    await sandbox?.stop();
    sandbox = undefined;
  });

  it('labwright check of a fresh lab exits 1 with a verdict for every check, and waits for nothing', async () => {
    const home = makeHome();
    const result = await labwright(home, ['check', 'sagemaker-iam-roles', '--json']);
    expect(result.status, result.stderr).toBe(1);
    const report = JSON.parse(result.stdout) as { steps: { checks: CheckReport[] }[] };
    const checks = report.steps.flatMap((step) => step.checks);
    expect(checks.length).toBeGreaterThan(10);
    for (const check of checks) expect(['passed', 'failed', 'error']).toContain(check.status);
    expect(result.stderr).not.toMatch(/waiting for/);
  });

  it('on a fresh sandbox no check is polled, even when every step may wait', async () => {
    sandbox = await startSandbox({ port: 0, memory: true, log: () => {} });
    const { checks, retries } = await judge(sandbox.endpoint, { wait: 'all' });
    expect(retries).toEqual([]);
    expect(checks.get('create-role/role-exists')?.status).toBe('failed');
    expect(checks.get('cloudwatch-logs/training-completed')?.message).toMatch(
      `found no training job named ${JOB}, nor any run with the role SageMakerExecutionRole`,
    );
  });

  it('a finished lab whose training job still runs waits for it, showing one live line, and passes', async () => {
    sandbox = await startSandbox({
      port: 0,
      memory: true,
      timing: { notebookTransitionMs: 1, trainingJobMs: 1500 },
      log: () => {},
    });
    await applySolution(lessonClients(sandbox.endpoint), reference, { waitForTraining: false });
    const terminal = Object.assign(new PassThrough(), { isTTY: true, columns: 120 });
    let shown = '';
    terminal.on('data', (chunk: Buffer) => (shown += chunk.toString()));
    const printer = checkProgressPrinter(true, terminal as unknown as NodeJS.WriteStream);
    const { checks, retries } = await judge(sandbox.endpoint, {
      wait: 'current',
      steps: JUDGED_STEPS,
      onEvent: printer,
    });
    const failing = [...checks].filter(([, c]) => c.status !== 'passed');
    expect(failing.map(([id, c]) => `${id}: ${c.message}`)).toEqual([]);
    expect(retries).toContainEqual(
      expect.objectContaining({
        checkId: 'training-completed',
        pending: { what: `training job ${JOB}`, state: 'InProgress' },
      }),
    );
    expect(checks.get('cloudwatch-logs/training-completed')?.message).toBe(
      `the training job ${JOB} is Completed`,
    );
    expect(shown).toMatch(
      new RegExp(`waiting for training job ${JOB}: InProgress, 0:0\\d of 15:00`),
    );
    // Cleared when the wait ended: the last thing written erases the line.
    expect(shown.endsWith('\r\x1b[2K')).toBe(true);
  });

  it('a Failed training job fails at once with its FailureReason, and its missing logs too', async () => {
    sandbox = await startSandbox({
      port: 0,
      memory: true,
      timing: { notebookTransitionMs: 1, trainingJobMs: 5 },
      log: () => {},
    });
    // Without s3:ListBucket the job fails while downloading its data, before it writes logs.
    await applySolution(lessonClients(sandbox.endpoint), { ...reference, inline: {} });
    const { checks, retries } = await judge(sandbox.endpoint, {
      wait: 'all',
      steps: ['cloudwatch-logs'],
    });
    expect(retries).toEqual([]);
    const completed = checks.get('cloudwatch-logs/training-completed')!;
    expect(completed.status).toBe('failed');
    expect(completed.message).toContain(`the training job ${JOB} is Failed: `);
    expect(completed.message).toContain(String(completed.evidence.failureReason));
    const logs = checks.get('cloudwatch-logs/training-logs')!;
    expect(logs.status).toBe('failed');
    expect(logs.message).toMatch(
      /is Failed: it ended without writing any logs .* never written after the fact/,
    );
  });

  it('an operation the target lacks is an error, not polled and without the student hint', async () => {
    sandbox = await startSandbox({ port: 0, memory: true, log: () => {} });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'labwright-waits-'));
    const file = path.join(dir, 'lab.yaml');
    writeFileSync(
      file,
      [
        'id: lacks-an-operation',
        'title: A check the target cannot serve',
        'version: 1.0.0',
        'retry: { timeoutSeconds: 30, intervalSeconds: 1 }',
        'steps:',
        '  - id: models',
        '    title: Models',
        '    instructions: List the models.',
        '    checks:',
        '      - id: list-models',
        '        type: aws.call',
        '        with: { call: "sagemaker:ListModels" }',
        '        hints: ["Create a model first."]',
        '',
      ].join('\n'),
    );
    const { checks, retries } = await judge(sandbox.endpoint, { wait: 'all', file });
    const check = checks.get('models/list-models')!;
    expect(check.status, check.message).toBe('error');
    expect(check.message).toMatch(/does not implement SageMaker ListModels/);
    expect(check.hint).toBeNull();
    expect(retries).toEqual([]);
  });

  it('judges the newest training job run with the role when none has the lab name, and names it', async () => {
    sandbox = await startSandbox({
      port: 0,
      memory: true,
      timing: { notebookTransitionMs: 1, trainingJobMs: 5 },
      log: () => {},
    });
    await applySolution(lessonClients(sandbox.endpoint), reference, { jobName: 'my-own-job' });
    const { checks } = await judge(sandbox.endpoint, { wait: 'none', steps: ['cloudwatch-logs'] });
    const completed = checks.get('cloudwatch-logs/training-completed')!;
    expect(completed.status, completed.message).toBe('passed');
    expect(completed.message).toBe(
      `the training job my-own-job (the newest training job run with the role SageMakerExecutionRole; there is none named ${JOB}) is Completed`,
    );
    const logs = checks.get('cloudwatch-logs/training-logs')!;
    expect(logs.status, logs.message).toBe('passed');
    expect(logs.message).toMatch(/my-own-job\//);
    expect(logs.message).toMatch(/from the training job my-own-job \(the newest training job/);
  });

  it('on AWS, a training job from before the attempt began does not count', async () => {
    sandbox = await startSandbox({
      port: 0,
      memory: true,
      timing: { notebookTransitionMs: 1, trainingJobMs: 5 },
      log: () => {},
    });
    await applySolution(lessonClients(sandbox.endpoint), reference);
    const connection = await connect(
      resolveTarget({ target: 'localstack', endpoint: sandbox.endpoint, region: 'us-east-1' }, {}),
    );
    try {
      const since = new Date(Date.now() + 1000);
      const run = (at: Date | undefined) =>
        sagemakerTrainingJobCheck.run(
          { name: JOB, role: 'SageMakerExecutionRole', status: ['Completed'] },
          {
            call: (service, operation, input) => connection.clients.call(service, operation, input),
            target: connection.info,
            vars: {},
            labDir: path.dirname(LESSON_LAB),
            cwd: os.tmpdir(),
            answers: {},
            env: {},
            signal: new AbortController().signal,
            ...(at ? { since: at } : {}),
          },
        );
      expect((await run(undefined)).status).toBe('passed');
      const old = await run(since);
      expect(old.status).toBe('failed');
      expect(old.message).toContain(
        `${JOB} was created before this attempt began at ${since.toISOString()}, so it does not count`,
      );
    } finally {
      connection.close();
    }
  });
});
