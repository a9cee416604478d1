/**
 * The same catalog of Lesson 9.1 solutions against moto server: each lab check must reach the
 * sandbox's verdict, except where moto lacks the operation or the behaviour the check judges.
 * Those exceptions are the one table below, each with moto's verdict and the reason; the test
 * pins what moto does instead, so a moto that learns the behaviour shows up here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckStatus } from '../../checks/define.js';
import { notImplementedMessage } from '../../checks/support/target.js';
import type { CheckReport, Status } from '../../src/engine/report.js';
import { checkLab } from '../support/lab-session.js';
import { startMoto, type Moto } from '../support/moto.js';
import { requireTool } from '../support/tools.js';
import { applySolution, JUDGED_STEPS, lessonClients, scenarios } from './lesson-catalog.js';

interface MotoDifference {
  check: string;
  /** The solutions (scenario names) it applies to; every solution when omitted. */
  scenarios?: string[];
  /** What the check says on moto. */
  moto: CheckStatus;
  /** Words moto's message contains. */
  says?: string;
  /** What moto lacks, or does that AWS does not. */
  why: string;
}

const EC2_TRUST = 'a role trusted by EC2 instead of SageMaker';
const NO_LIST_BUCKET = "the seed's policy alone (no s3:ListBucket)";

/** Where moto cannot agree with the sandbox (and AWS), and why: the one list of exceptions. */
const MOTO_DIFFERS: MotoDifference[] = [
  {
    check: 'least-privilege/role-use-recorded',
    moto: 'error',
    says: notImplementedMessage('cloudtrail', 'LookupEvents'),
    why: 'moto lacks CloudTrail LookupEvents: it answers with an HTTP 500 page',
  },
  {
    check: 'cloudwatch-logs/training-logs',
    moto: 'error',
    says: 'cannot be judged on this target: the training job lesson-9-1-training-job never ran',
    why: "moto's training jobs complete at once and write no logs: the check says it cannot judge, rather than blame the role",
  },
  {
    check: 'assign-role/notebook-uses-role',
    scenarios: [EC2_TRUST],
    moto: 'passed',
    why: 'moto creates a notebook instance with a role that SageMaker may not assume',
  },
  {
    check: 'cloudwatch-logs/training-completed',
    scenarios: [EC2_TRUST],
    moto: 'passed',
    why: 'moto runs a training job with a role that SageMaker may not assume',
  },
  {
    check: 'cloudwatch-logs/training-completed',
    scenarios: [NO_LIST_BUCKET],
    moto: 'passed',
    why: "moto's training jobs read no input as the role, so one without s3:ListBucket still completes",
  },
];

function differencesFor(scenario: string): Map<string, MotoDifference> {
  return new Map(
    MOTO_DIFFERS.filter((d) => !d.scenarios || d.scenarios.includes(scenario)).map((d) => [
      d.check,
      d,
    ]),
  );
}

/** A step fails when a required check failed, errs when none failed but one could not judge. */
function expectedStep(checks: { status: Status; optional: boolean }[]): Status {
  const required = checks.filter((c) => !c.optional);
  if (required.some((c) => c.status === 'failed')) return 'failed';
  if (required.some((c) => c.status === 'error')) return 'error';
  return 'passed';
}

const hasMoto = requireTool('moto_server');

describe.skipIf(!hasMoto)('Lesson 9.1 catalog on moto server', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  }, 60_000);
  afterAll(async () => {
    await moto?.stop();
  });

  it('lists each difference once, for checks and solutions the catalog has', () => {
    const names = new Set(scenarios.map((s) => s.name));
    for (const d of MOTO_DIFFERS) {
      for (const name of d.scenarios ?? []) expect(names, d.check).toContain(name);
    }
    for (const scenario of scenarios) {
      const rows = MOTO_DIFFERS.filter(
        (d) => !d.scenarios || d.scenarios.includes(scenario.name),
      ).map((d) => d.check);
      expect(new Set(rows).size, scenario.name).toBe(rows.length);
    }
  });

  for (const scenario of scenarios) {
    const differs = differencesFor(scenario.name);
    const sandboxVerdict = (id: string): CheckStatus =>
      scenario.fails.includes(id) ? 'failed' : 'passed';
    const motoVerdict = (id: string): CheckStatus => differs.get(id)?.moto ?? sandboxVerdict(id);
    let checks: Map<string, CheckReport>;
    let steps: { id: string; status: Status; checks: CheckReport[] }[];

    it(`${scenario.name}: every check agrees with the sandbox, but for moto's differences`, async () => {
      await moto.reset();
      await applySolution(lessonClients(moto.endpoint), scenario.solution);
      const report = await checkLab({ endpoint: moto.endpoint, steps: JUDGED_STEPS });
      checks = report.checks;
      steps = report.report.steps;

      const verdicts = Object.fromEntries([...checks].map(([id, c]) => [id, c.status]));
      const expected = Object.fromEntries([...checks.keys()].map((id) => [id, motoVerdict(id)]));
      const messages = Object.fromEntries([...checks].map(([id, c]) => [id, c.message]));
      expect(verdicts, JSON.stringify(messages, null, 2)).toEqual(expected);
      // Where moto agrees, it agrees for the same reason.
      for (const [id, phrases] of Object.entries(scenario.says)) {
        if (differs.has(id)) continue;
        for (const phrase of phrases) expect(checks.get(id)?.message).toMatch(phrase);
      }
      for (const [id, d] of differs) {
        if (d.says) expect(checks.get(id)?.message, `${id}: ${d.why}`).toContain(d.says);
      }
    });

    // Depends on src/engine/verdicts.ts (another change): a failed required check makes its
    // step `failed` even when another check of the step is `error` (moto's LookupEvents).
    it(`${scenario.name}: each step's verdict follows its checks, failed before error`, () => {
      expect(steps, 'the checks ran').toBeDefined();
      const got = Object.fromEntries(steps.map((s) => [s.id, s.status]));
      const expected = Object.fromEntries(
        steps.map((s) => [
          s.id,
          expectedStep(s.checks.map((c) => ({ ...c, status: motoVerdict(`${s.id}/${c.id}`) }))),
        ]),
      );
      expect(got).toEqual(expected);
    });
  }
});
