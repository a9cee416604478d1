/**
 * The whole lesson through the real CLI on the sandbox target: solve, then check (text, JSON,
 * JUnit), a student's mistake made with the AWS SDK, hints one at a time, and reset. The CLI
 * attaches to a sandbox this test runs (recorded in server.json, as `labwright sandbox` is).
 */
import { DeleteRolePolicyCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { XMLParser } from 'fast-xml-parser';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabReport } from '../../src/engine/report.js';
import { progressFile } from '../../src/engine/progress.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { labwright, makeHome, sharedSandbox, STACK_FRAME, type Home } from './support.js';

const STEPS = [
  'intro',
  'create-role',
  'assign-role',
  'test-access',
  'cloudwatch-logs',
  'least-privilege',
  'infrastructure-as-code',
];

let home: Home;
let sandbox: Sandbox;
let iam: IAMClient;

beforeAll(async () => {
  home = makeHome();
  sandbox = await sharedSandbox(home);
  iam = new IAMClient({
    endpoint: sandbox.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});

afterAll(async () => {
  iam?.destroy();
  await sandbox?.stop();
});

function requiredChecks(report: LabReport) {
  return report.steps.flatMap((step) =>
    step.checks.filter((check) => !check.optional && !step.optional),
  );
}

describe('labwright on the sandbox target', () => {
  it(
    'solve runs every step and every required check passes (exit 0)',
    { timeout: 240_000 },
    async () => {
      const result = await labwright(home, ['solve', 'sagemaker-iam-roles', '--all']);
      expect(result.stderr).not.toMatch(STACK_FRAME);
      expect(result.stderr).not.toContain('NodeVersionSupportWarning');
      expect(result.status, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toContain('→ Create the role, trusted by SageMaker');
      expect(result.stdout).toContain('$ aws iam create-role --role-name SageMakerExecutionRole');
      expect(result.stdout).toMatch(/Score \d+\/100 · (\d+)\/\1 required checks passed/);
      // --all ran the optional step too: its shell action copied the template into the student's folder.
      expect(existsSync(path.join(home.cwd, 'sagemaker-role.yaml'))).toBe(true);
    },
  );

  it('solve again is idempotent: what exists is already done', { timeout: 240_000 }, async () => {
    const result = await labwright(home, ['solve', 'sagemaker-iam-roles', '--step', 'create-role']);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('already done (EntityAlreadyExists)');
  });

  it('check --json prints the report of DESIGN.md and --junit writes a testcase per check', async () => {
    const junit = path.join(home.dir, 'report.xml');
    const result = await labwright(home, [
      'check',
      'sagemaker-iam-roles',
      '--json',
      '--junit',
      junit,
    ]);
    expect(result.stderr).not.toContain('NodeVersionSupportWarning');
    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as LabReport;

    expect(Object.keys(report)).toEqual([
      'lab',
      'labVersion',
      'target',
      'startedAt',
      'durationMs',
      'score',
      'hintsUsed',
      'steps',
    ]);
    expect(report.lab).toBe('sagemaker-iam-roles');
    expect(report.labVersion).toBe('1');
    expect(report.target).toEqual({
      kind: 'sandbox',
      endpoint: sandbox.endpoint,
      region: 'us-east-1',
      account: '000000000000',
      partition: 'aws',
    });
    expect(new Date(report.startedAt).toISOString()).toBe(report.startedAt);
    expect(report.score.possible).toBe(100);
    expect(report.steps.map((step) => step.id)).toEqual(STEPS);
    for (const step of report.steps) {
      expect(Object.keys(step)).toEqual(['id', 'title', 'optional', 'status', 'checks']);
      for (const check of step.checks) {
        expect(['passed', 'failed', 'error', 'skipped']).toContain(check.status);
        expect(typeof check.message).toBe('string');
        expect(check.message.length).toBeGreaterThan(0);
        expect(typeof check.evidence).toBe('object');
        expect(check.durationMs).toBeGreaterThanOrEqual(0);
        if (check.status === 'passed') expect(check.hint).toBeNull();
      }
    }
    const required = requiredChecks(report);
    expect(required.length).toBeGreaterThan(10);
    expect(required.filter((check) => check.status !== 'passed')).toEqual([]);
    const earned = report.steps
      .flatMap((s) => s.checks)
      .filter((c) => c.status === 'passed')
      .reduce((n, c) => n + c.points, 0);
    expect(report.score.earned).toBe(earned);

    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(
      readFileSync(junit, 'utf8'),
    );
    const suites = [xml.testsuites.testsuite].flat() as { name: string; testcase: unknown }[];
    expect(suites.map((suite) => suite.name)).toEqual(
      STEPS.map((id) => `sagemaker-iam-roles.${id}`),
    );
    const cases = suites.flatMap((suite) => [suite.testcase].flat()) as {
      name: string;
      failure?: unknown;
    }[];
    expect(cases).toHaveLength(report.steps.flatMap((s) => s.checks).length);
    const failedChecks = report.steps
      .flatMap((s) => s.checks)
      .filter((c) => c.status === 'failed').length;
    expect(cases.filter((testcase) => testcase.failure !== undefined)).toHaveLength(failedChecks);
    expect(Number(xml.testsuites.failures)).toBe(failedChecks);
  });

  it('a broken role fails the right check, with what was found and the first hint (exit 1)', async () => {
    // The student removes the statement that lets the role list the bucket.
    await iam.send(
      new DeleteRolePolicyCommand({
        RoleName: 'SageMakerExecutionRole',
        PolicyName: 'ListTheBucket',
      }),
    );
    const text = await labwright(home, [
      'check',
      'sagemaker-iam-roles',
      '--step',
      'test-access',
      '--no-wait',
    ]);
    expect(text.status).toBe(1);
    expect(text.stdout).toMatch(/✗ list-as-role/);
    expect(text.stdout).toContain('s3:ListBucket');
    expect(text.stdout).toContain('hint: Listing a bucket is the action s3:ListBucket');
    expect(text.stdout).toMatch(/✓ bucket-exists/);

    const json = await labwright(home, [
      'check',
      'sagemaker-iam-roles',
      '--step',
      'test-access',
      '--no-wait',
      '--json',
    ]);
    const report = JSON.parse(json.stdout) as LabReport;
    expect(report.steps.map((step) => step.id)).toEqual(['test-access']);
    const check = report.steps[0]!.checks.find((c) => c.id === 'list-as-role')!;
    expect(check.status).toBe('failed');
    expect(check.hint).toMatch(/^Listing a bucket is the action s3:ListBucket/);
    expect(check.hintsUsed).toBe(0);
  });

  it('hint gives the next unseen hint of the first failing check, one at a time, and records it', async () => {
    const first = await labwright(home, ['hint', 'sagemaker-iam-roles']);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain('test-access › list-as-role');
    expect(first.stdout).toContain('Hint 1 of 3: Listing a bucket is the action s3:ListBucket');

    const second = await labwright(home, ['hint', 'sagemaker-iam-roles']);
    expect(second.stdout).toContain('Hint 2 of 3: arn:aws:s3:::my-bucket/* matches objects');

    const third = await labwright(home, ['hint', 'sagemaker-iam-roles', '--json']);
    expect(JSON.parse(third.stdout)).toMatchObject({
      stepId: 'test-access',
      checkId: 'list-as-role',
      number: 3,
      total: 3,
    });

    // Reports count them, and the saved progress has them.
    const report = JSON.parse(
      (
        await labwright(home, [
          'check',
          'sagemaker-iam-roles',
          '--step',
          'test-access',
          '--no-wait',
          '--json',
        ])
      ).stdout,
    ) as LabReport;
    expect(report.hintsUsed).toBeGreaterThanOrEqual(3);
    expect(report.steps[0]!.checks.find((c) => c.id === 'list-as-role')!.hintsUsed).toBe(3);
    const saved = JSON.parse(
      readFileSync(
        progressFile('sagemaker-iam-roles', 'sandbox', { XDG_STATE_HOME: home.stateHome }),
        'utf8',
      ),
    );
    expect(saved.hintsSeen['test-access/list-as-role']).toBe(3);
    expect(saved.checks['test-access/list-as-role'].status).toBe('failed');
  });

  it('fixing it with the hint makes the step pass again', async () => {
    const fixed = await labwright(home, ['solve', 'sagemaker-iam-roles', '--step', 'test-access']);
    expect(fixed.status, fixed.stdout).toBe(0);
    const check = await labwright(home, ['check', 'sagemaker-iam-roles', '--step', 'test-access']);
    expect(check.status).toBe(0);
  });

  it('bad usage exits 2 with a sentence: an unknown step lists the steps, an unknown --var names the variables', async () => {
    const step = await labwright(home, ['check', 'sagemaker-iam-roles', '--step', 'nope']);
    expect(step.status).toBe(2);
    expect(step.stderr).toContain(`the lab has no step "nope"; its steps are ${STEPS.join(', ')}`);
    expect(step.stderr).not.toMatch(STACK_FRAME);

    const variable = await labwright(home, [
      'check',
      'sagemaker-iam-roles',
      '--var',
      'colour=blue',
    ]);
    expect(variable.status).toBe(2);
    expect(variable.stderr).toContain(
      '--var colour: the lab has no variable colour; its variables are roleName, bucket',
    );

    const lab = await labwright(home, ['check', 'no-such-lab']);
    expect(lab.status).toBe(2);
    expect(lab.stderr).toContain('no lab "no-such-lab"');
  });

  // test/engine/cli-reset.test.ts retakes the lab after a reset of a student's leftovers.
  it(
    'reset deletes what the lab created and starts a new attempt of the progress',
    { timeout: 120_000 },
    async () => {
      const result = await labwright(home, ['reset', 'sagemaker-iam-roles']);
      expect(result.status, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toContain("→ Detach the role's policies and delete it");
      expect(result.stdout).toContain('✓ role SageMakerExecutionRole');
      await expect(
        iam.send(new GetRoleCommand({ RoleName: 'SageMakerExecutionRole' })),
      ).rejects.toThrow(/cannot be found/);
      // Forgotten, but for when the new attempt began (on AWS checks count only what is newer).
      const progress = JSON.parse(
        readFileSync(
          progressFile('sagemaker-iam-roles', 'sandbox', { XDG_STATE_HOME: home.stateHome }),
          'utf8',
        ),
      ) as { hintsSeen: object; checks: object; answers: object; startedAt: string };
      expect(progress).toMatchObject({ hintsSeen: {}, checks: {}, answers: {} });
      expect(Date.parse(progress.startedAt)).toBeGreaterThan(Date.now() - 120_000);

      // Nothing left to delete is fine too.
      const again = await labwright(home, ['reset', 'sagemaker-iam-roles']);
      expect(again.status, again.stdout).toBe(0);
      expect(again.stdout).toContain('· role SageMakerExecutionRole');
    },
  );
});
