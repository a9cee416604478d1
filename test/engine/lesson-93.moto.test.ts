/**
 * Lesson 9.3 (labs/sagemaker-training-job) on moto_server, where a training job is Completed
 * the moment it is created and never runs: no logs, no model, no use of its role. `labwright
 * test` must say which checks moto cannot judge and why, and still prove what it can (the
 * role's trust and policy, reset); a mistake only the job's effects reveal is `unjudged` there,
 * neither caught nor missed. And reset must not trip over moto's training jobs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabReport } from '../../src/engine/report.js';
import type { ScenarioResult, SelfTestReport } from '../../src/engine/self-test.js';
import { startMoto, type Moto } from '../support/moto.js';
import { requireTool } from '../support/tools.js';
import { labwright, makeHome, REPO, STACK_FRAME, type Home } from './support.js';

const LESSON = path.join(REPO, 'labs/sagemaker-training-job');
const JOB_EFFECTS = path.join(REPO, 'test/fixtures/self-test/job-effects/lab.yaml');
/** What the notes say of a job moto marked Completed without running it. */
const NEVER_RAN = /never ran: its status history \(Starting\) has no Training phase/;

function scenario(report: SelfTestReport, name: string): ScenarioResult {
  const found = report.scenarios.find((s) => s.name === name);
  if (!found) throw new Error(`no scenario ${name} in ${JSON.stringify(report.scenarios)}`);
  return found;
}

function checkOf(report: LabReport, stepId: string, checkId: string) {
  return report.steps.find((s) => s.id === stepId)!.checks.find((c) => c.id === checkId)!;
}

// The lab's shell actions (aws s3 cp) need the aws CLI as well as moto.
describe.skipIf(!requireTool('moto_server') || !requireTool('aws'))(
  'Lesson 9.3 on moto server',
  () => {
    let moto: Moto;
    let home: Home;
    const env = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };

    beforeAll(async () => {
      moto = await startMoto();
      home = makeHome();
    });

    afterAll(async () => {
      await moto?.stop();
    });

    it(
      'labwright test passes what moto can judge, and names the checks a job that never ran cannot',
      { timeout: 300_000 },
      async () => {
        const result = await labwright(
          home,
          ['test', LESSON, '--endpoint', moto.endpoint, '--json'],
          env,
        );
        expect(result.stderr).not.toMatch(STACK_FRAME);
        const report = JSON.parse(result.stdout) as SelfTestReport;
        expect(report.scenarios.map((s) => [s.name, s.status, s.problems])).toEqual([
          ['fresh', 'passed', []],
          ['solve', 'passed', []],
          ['reset', 'passed', []],
          ['role-trusts-ec2', 'passed', []],
          ['no-list-bucket', 'passed', []],
          ['no-logs-permission', 'passed', []],
        ]);
        expect(result.status).toBe(0);

        // solve: the job passes in name only; its logs and model cannot be judged, and say why.
        const solve = scenario(report, 'solve').notes;
        expect(solve).toContainEqual(
          expect.stringMatching(/^train\/job-completed passed in name only: .*never ran/),
        );
        for (const check of ['job-logs', 'model-in-s3']) {
          expect(solve).toContainEqual(
            expect.stringMatching(
              new RegExp(
                `^train/${check} error: cannot be judged on this target: it builds on "The training job completed", and .*${NEVER_RAN.source}`,
              ),
            ),
          );
        }

        // Mistakes: what labwright judges from the role's policies is caught on moto too; what
        // only a running job would show is noted as unjudgeable, not counted as caught.
        expect(scenario(report, 'role-trusts-ec2').notes).toContainEqual(
          expect.stringMatching(/role-trusts-sagemaker failed: .*ec2\.amazonaws\.com/),
        );
        const noList = scenario(report, 'no-list-bucket').notes;
        expect(noList).toContainEqual(
          expect.stringMatching(/role-lists-data failed: .*ListBucket/),
        );
        expect(noList).toContainEqual(
          expect.stringMatching(
            new RegExp(
              `^train/job-completed cannot judge the mistake on this target: .*${NEVER_RAN.source}`,
            ),
          ),
        );
        const noLogs = scenario(report, 'no-logs-permission').notes;
        expect(noLogs).toContainEqual(
          expect.stringMatching(/role-writes-logs failed: .*logs:PutLogEvents/),
        );
        expect(noLogs).toContainEqual(
          expect.stringMatching(/^train\/job-logs cannot judge the mistake on this target: /),
        );
      },
    );

    it(
      "a student's solve on moto: the job passes in name only, its logs and model are errors that say why",
      { timeout: 180_000 },
      async () => {
        await moto.reset();
        const result = await labwright(
          home,
          ['solve', LESSON, '--endpoint', moto.endpoint, '--json'],
          env,
        );
        expect(result.stderr).not.toMatch(STACK_FRAME);
        const report = JSON.parse(result.stdout) as LabReport;
        const job = checkOf(report, 'train', 'job-completed');
        expect(job.status).toBe('passed');
        expect(job.message).toMatch(/is Completed, but never ran/);
        for (const id of ['job-logs', 'model-in-s3']) {
          const check = checkOf(report, 'train', id);
          expect(check.status, check.message).toBe('error');
          expect(check.message).toMatch(NEVER_RAN);
          // Not the usual cause, which would send the student to fix a role that is right.
          expect(check.message).not.toMatch(/the role needs|can the role/i);
          expect(check.evidence.targetLimit).toMatch(NEVER_RAN);
        }

        // reset then says what moto cannot delete, and fails on nothing.
        const reset = await labwright(home, ['reset', LESSON, '--endpoint', moto.endpoint], env);
        expect(reset.stderr).not.toMatch(STACK_FRAME);
        expect(reset.stdout + reset.stderr).toMatch(
          /training job lesson-9-3-\S+: The target cannot delete training jobs/,
        );
        expect(reset.status, reset.stdout + reset.stderr).toBe(0);
      },
    );

    it(
      'a mistake only the job can reveal is caught on the sandbox and unjudged on moto',
      { timeout: 180_000 },
      async () => {
        const onSandbox = await labwright(home, ['test', JOB_EFFECTS, '--json']);
        const sandboxReport = JSON.parse(onSandbox.stdout) as SelfTestReport;
        expect(scenario(sandboxReport, 'no-logs')).toMatchObject({
          status: 'passed',
          problems: [],
        });

        await moto.reset();
        const onMoto = await labwright(
          home,
          [
            'test',
            JOB_EFFECTS,
            '--endpoint',
            moto.endpoint,
            '--junit',
            path.join(home.dir, 'job-effects.xml'),
          ],
          env,
        );
        expect(onMoto.stderr).not.toMatch(STACK_FRAME);
        // Unjudged is a limit of the target: the run still succeeds, and says so.
        expect(onMoto.status, onMoto.stdout).toBe(0);
        expect(onMoto.stdout).toMatch(/^– mistake no-logs /m);
        expect(onMoto.stdout).toContain('3 of 4 scenarios passed');
        expect(onMoto.stdout).toContain('1 could not be judged on this target: no-logs');
        const junit = readFileSync(path.join(home.dir, 'job-effects.xml'), 'utf8');
        expect(junit).toMatch(/failures="0" errors="0" skipped="1"/);
        expect(junit).toMatch(/<skipped message="cannot be judged on this target: [^"]*never ran/);
      },
    );

    it(
      'reset of Lesson 9.1 on a fresh moto: no training job yet is nothing to stop, not a failure',
      { timeout: 120_000 },
      async () => {
        await moto.reset();
        const result = await labwright(
          home,
          ['reset', 'sagemaker-iam-roles', '--endpoint', moto.endpoint],
          env,
        );
        expect(result.stderr).not.toMatch(STACK_FRAME);
        expect(result.stdout + result.stderr).not.toMatch(/could not look them up/);
        expect(result.status, result.stdout + result.stderr).toBe(0);
      },
    );
  },
);
