/**
 * The same solve and check through the real CLI against moto server (`--endpoint`), the way a
 * student with LocalStack or moto runs the lab. Every required check passes where moto
 * implements the behaviour; the two it cannot show are documented here:
 *  - cloudwatch-logs/training-logs: moto's training jobs complete at once and write no logs;
 *  - least-privilege/role-use-recorded: moto lacks CloudTrail LookupEvents (the check says so).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabReport } from '../../src/engine/report.js';
import { startMoto, type Moto } from '../support/moto.js';
import { requireTool } from '../support/tools.js';
import { labwright, makeHome, STACK_FRAME, type Home } from './support.js';

const MOTO_GAPS: Record<string, { status: string; message: RegExp }> = {
  'cloudwatch-logs/training-logs': { status: 'failed', message: /log/ },
  'least-privilege/role-use-recorded': {
    status: 'error',
    message:
      /^the target does not implement CloudTrail LookupEvents, so this check cannot judge there/,
  },
};

const hasMoto = requireTool('moto_server');

describe.skipIf(!hasMoto)('labwright against moto server', () => {
  let moto: Moto;
  let home: Home;

  beforeAll(async () => {
    moto = await startMoto();
    home = makeHome();
  });

  afterAll(async () => {
    await moto?.stop();
  });

  it(
    'solve, then check: every required check moto can show passes',
    { timeout: 240_000 },
    async () => {
      const solve = await labwright(home, [
        'solve',
        'sagemaker-iam-roles',
        '--endpoint',
        moto.endpoint,
        '--no-wait',
      ]);
      expect(solve.stderr).not.toMatch(STACK_FRAME);
      expect(solve.stderr).not.toContain('NodeVersionSupportWarning');
      expect(solve.stdout).toContain('→ Create the role, trusted by SageMaker');
      // Every action moto implements ran (the logs and trail gaps do not stop the actions).
      expect(solve.stdout).not.toContain('action(s) failed');

      const check = await labwright(home, [
        'check',
        'sagemaker-iam-roles',
        '--endpoint',
        moto.endpoint,
        '--no-wait',
        '--json',
      ]);
      expect(check.stderr).not.toMatch(STACK_FRAME);
      const report = JSON.parse(check.stdout) as LabReport;
      expect(report.target).toMatchObject({
        kind: 'endpoint',
        endpoint: moto.endpoint,
        account: '000000000000',
      });
      const verdicts = new Map(
        report.steps.flatMap((step) =>
          step.checks
            .filter((c) => !c.optional && !step.optional)
            .map((c) => [`${step.id}/${c.id}`, c] as const),
        ),
      );
      for (const [id, check] of verdicts) {
        const gap = MOTO_GAPS[id];
        if (gap) {
          expect(check.status, `${id}: ${check.message}`).toBe(gap.status);
          expect(check.message, id).toMatch(gap.message);
        } else {
          expect(check.status, `${id}: ${check.message}`).toBe('passed');
        }
      }
      // The gaps make it exit 1, as a failing check must.
      expect(check.status).toBe(1);
    },
  );
});
