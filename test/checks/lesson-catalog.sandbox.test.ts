/**
 * The catalog of Lesson 9.1 solutions against the embedded sandbox, judged by the lab's own
 * checks through the engine: each broken solution fails exactly the checks it should, and
 * each failure says why.
 */
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { checkLab } from '../support/lab-session.js';
import {
  applySolution,
  JUDGED_STEPS,
  lessonClients,
  reference,
  scenarios,
} from './lesson-catalog.js';

const timing = { notebookTransitionMs: 1, trainingJobMs: 5 };

describe('Lesson 9.1 catalog on the sandbox', () => {
  let sandbox: Sandbox | undefined;
  afterEach(async () => {
    await sandbox?.stop();
    sandbox = undefined;
  });

  for (const scenario of scenarios) {
    it(`${scenario.name}: ${scenario.fails.length ? `fails ${scenario.fails.join(', ')}` : 'passes every check'}`, async () => {
      sandbox = await startSandbox({ port: 0, memory: true, timing, log: () => {} });
      await applySolution(lessonClients(sandbox.endpoint), scenario.solution);
      const { checks } = await checkLab({ endpoint: sandbox.endpoint, steps: JUDGED_STEPS });

      const verdicts = Object.fromEntries([...checks].map(([id, c]) => [id, c.status]));
      const expected = Object.fromEntries(
        [...checks.keys()].map((id) => [id, scenario.fails.includes(id) ? 'failed' : 'passed']),
      );
      const messages = Object.fromEntries([...checks].map(([id, c]) => [id, c.message]));
      expect(verdicts, JSON.stringify(messages, null, 2)).toEqual(expected);
      for (const [id, phrases] of Object.entries(scenario.says)) {
        for (const phrase of phrases) expect(checks.get(id)?.message).toMatch(phrase);
      }
      for (const id of scenario.fails) expect(checks.get(id)?.hint).toBeTruthy();
    });
  }

  it('still finds SageMaker assuming the role once reads of the role fill the event history', async () => {
    // Every check run records GetRole, ListRolePolicies, ... naming the role: a student who
    // checks often (or watches) soon has hundreds of them, newer than the AssumeRole events.
    sandbox = await startSandbox({ port: 0, memory: true, timing, log: () => {} });
    const clients = lessonClients(sandbox.endpoint);
    await applySolution(clients, reference);
    for (let i = 0; i < 300; i++) {
      await clients.iam.send(new GetRoleCommand({ RoleName: 'SageMakerExecutionRole' }));
    }
    const { checks } = await checkLab({
      endpoint: sandbox.endpoint,
      steps: ['least-privilege'],
    });
    const recorded = checks.get('least-privilege/role-use-recorded');
    expect(recorded?.status, recorded?.message).toBe('passed');
    expect(recorded?.message).toMatch(/CloudTrail recorded \d+ AssumeRole/);
  });
});
