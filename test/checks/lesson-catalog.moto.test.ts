/**
 * The same catalog of Lesson 9.1 solutions against moto server: the lab's checks must reach
 * the sandbox's verdicts wherever moto implements the behaviour they judge. Where it does not,
 * the difference is listed below, and the test pins what moto does instead, so a moto that
 * learns the behaviour shows up here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLab } from '../support/lab-session.js';
import { startMoto, type Moto } from '../support/moto.js';
import { requireTool } from '../support/tools.js';
import { applySolution, JUDGED_STEPS, lessonClients, scenarios } from './lesson-catalog.js';

/** Checks moto cannot decide as AWS does, whatever the solution. */
const NEVER_ON_MOTO: Record<string, { status: string; why: string }> = {
  // moto's training jobs complete at once and write no logs, so the log group never appears.
  'cloudwatch-logs/training-logs': { status: 'failed', why: 'moto training jobs write no logs' },
  // moto answers CloudTrail LookupEvents with an HTTP 500 page: the check says it cannot judge.
  'least-privilege/role-use-recorded': { status: 'error', why: 'moto has no LookupEvents' },
};

/** Checks moto cannot decide for one solution, because moto SageMaker ignores the role. */
const ROLE_IGNORED_BY_MOTO: Record<string, string[]> = {
  // moto creates notebooks and runs jobs with a role SageMaker may not assume.
  'a role trusted by EC2 instead of SageMaker': [
    'assign-role/notebook-uses-role',
    'cloudwatch-logs/training-completed',
  ],
  // moto's jobs read no input as the role, so a role without s3:ListBucket still "completes".
  "the seed's policy alone (no s3:ListBucket)": ['cloudwatch-logs/training-completed'],
};

const hasMoto = requireTool('moto_server');

describe.skipIf(!hasMoto)('Lesson 9.1 catalog on moto server', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  }, 60_000);
  afterAll(async () => {
    await moto?.stop();
  });

  for (const scenario of scenarios) {
    it(`${scenario.name}: agrees with the sandbox where moto implements the behaviour`, async () => {
      await moto.reset();
      await applySolution(lessonClients(moto.endpoint), scenario.solution);
      const { checks } = await checkLab({ endpoint: moto.endpoint, steps: JUDGED_STEPS });

      const ignored = new Set(ROLE_IGNORED_BY_MOTO[scenario.name] ?? []);
      const judged = [...checks.keys()].filter((id) => !(id in NEVER_ON_MOTO) && !ignored.has(id));
      const verdicts = Object.fromEntries(judged.map((id) => [id, checks.get(id)?.status]));
      const expected = Object.fromEntries(
        judged.map((id) => [id, scenario.fails.includes(id) ? 'failed' : 'passed']),
      );
      const messages = Object.fromEntries([...checks].map(([id, c]) => [id, c.message]));
      expect(verdicts, JSON.stringify(messages, null, 2)).toEqual(expected);
      for (const [id, phrases] of Object.entries(scenario.says)) {
        if (id in NEVER_ON_MOTO || ignored.has(id)) continue;
        for (const phrase of phrases) expect(checks.get(id)?.message).toMatch(phrase);
      }

      for (const [id, { status }] of Object.entries(NEVER_ON_MOTO)) {
        expect(checks.get(id)?.status, `${id}: ${checks.get(id)?.message}`).toBe(status);
      }
      expect(checks.get('least-privilege/role-use-recorded')?.message).toMatch(
        'does not implement CloudTrail LookupEvents',
      );
      // Where moto ignores the role, it accepts what SageMaker would refuse.
      for (const id of ignored) expect(checks.get(id)?.status).toBe('passed');
    });
  }
});
