/**
 * The same solve and check through the real CLI against moto server (`--endpoint`), the way a
 * student with LocalStack or moto runs the lab. Every required check passes where moto
 * implements the behaviour; the two it cannot show are documented here:
 *  - cloudwatch-logs/training-logs: moto's training jobs complete at once and write no logs
 *    (the check says it cannot judge there, rather than blame the role);
 *  - least-privilege/role-use-recorded: moto lacks CloudTrail LookupEvents (the check says so).
 */
import { CreatePolicyVersionCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabReport } from '../../src/engine/report.js';
import { startMoto, type Moto } from '../support/moto.js';
import { requireTool } from '../support/tools.js';
import { labwright, makeHome, STACK_FRAME, type Home } from './support.js';

const MOTO_GAPS: Record<string, { status: string; message: RegExp }> = {
  'cloudwatch-logs/training-logs': {
    status: 'error',
    message: /^cannot be judged on this target: the training job \S+ never ran/,
  },
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

  it(
    'reset deletes what moto can, an edited policy included, and says the training job remains',
    { timeout: 240_000 },
    async () => {
      const iam = new IAMClient({
        endpoint: moto.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
      try {
        await iam.send(
          new CreatePolicyVersionCommand({
            PolicyArn: 'arn:aws:iam::000000000000:policy/SageMakerS3LeastPrivilege',
            SetAsDefault: true,
            PolicyDocument: JSON.stringify({
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
            }),
          }),
        );
        const reset = await labwright(home, [
          'reset',
          'sagemaker-iam-roles',
          '--endpoint',
          moto.endpoint,
        ]);
        expect(reset.stderr).not.toMatch(STACK_FRAME);
        expect(reset.status, reset.stdout + reset.stderr).toBe(0);
        expect(reset.stdout).toMatch(
          /✓ customer managed policy SageMakerS3LeastPrivilege: first .*deleted its version v1/,
        );
        expect(reset.stdout).toContain('✓ role SageMakerExecutionRole');
        expect(reset.stdout).toContain('✓ notebook instance MyNotebookInstance');
        expect(reset.stdout).toContain(
          "· training job lesson-9-1-training-job: The target cannot delete training jobs: its record remains, and the checks count only the new attempt's",
        );
        await expect(
          iam.send(new GetRoleCommand({ RoleName: 'SageMakerExecutionRole' })),
        ).rejects.toThrow();
      } finally {
        iam.destroy();
      }
    },
  );
});
