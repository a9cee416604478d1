/**
 * Step and lab verdicts (src/engine/verdicts.ts), and the engine's report built on them. The
 * rule from issue 18: a step with a required check that failed is `failed` even when another
 * of its checks is `error` (on moto, a missing LookupEvents must not hide a student's real
 * mistake); `error` is for a step where nothing failed but something could not be judged.
 */
import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import type { CheckType } from '../../checks/define.js';
import type { Connection } from '../../src/aws/connect.js';
import { Progress } from '../../src/engine/progress.js';
import { openLab } from '../../src/engine/runner.js';
import { requiredPassed, score, stepStatus } from '../../src/engine/verdicts.js';
import { lab as labSchema } from '../../src/lab/schema.js';

const required = (status: 'passed' | 'failed' | 'error' | 'skipped') => ({
  optional: false,
  status,
});
const optional = (status: 'passed' | 'failed' | 'error' | 'skipped') => ({
  optional: true,
  status,
});

describe('stepStatus', () => {
  it('is failed when a required check failed, even if another is error', () => {
    expect(stepStatus([required('error'), required('failed')])).toBe('failed');
    expect(stepStatus([required('failed'), required('error'), required('passed')])).toBe('failed');
  });

  it('is error when nothing failed but something could not be judged', () => {
    expect(stepStatus([required('passed'), required('error')])).toBe('error');
  });

  it('judges the required checks only, or every check when none is required', () => {
    expect(stepStatus([required('passed'), optional('failed'), optional('error')])).toBe('passed');
    expect(stepStatus([optional('error'), optional('failed')])).toBe('failed');
    expect(stepStatus([optional('passed')])).toBe('passed');
  });

  it('is skipped when every judged check was skipped, and passed without checks', () => {
    expect(stepStatus([required('skipped'), required('skipped')])).toBe('skipped');
    expect(stepStatus([])).toBe('passed');
  });
});

describe('requiredPassed and score', () => {
  it('passes when every required check of every required step passed', () => {
    expect(
      requiredPassed([
        { optional: false, checks: [required('passed'), optional('failed')] },
        { optional: true, checks: [required('failed')] },
      ]),
    ).toBe(true);
    expect(
      requiredPassed([{ optional: false, checks: [required('passed'), { optional: false }] }]),
    ).toBe(false);
  });

  it('counts every check as possible and passed checks as earned', () => {
    expect(
      score([{ points: 10, status: 'passed' }, { points: 5, status: 'failed' }, { points: 3 }]),
    ).toEqual({ earned: 10, possible: 18 });
  });
});

describe('the engine report', () => {
  it('marks a step failed when one required check failed and another is error', async () => {
    const outcomeType = (type: string, status: 'failed' | 'error'): CheckType => ({
      type,
      summary: type,
      with: z.object({}),
      run: () =>
        Promise.resolve({
          status,
          message: status === 'error' ? 'the target does not implement X' : 'wrong',
        }),
    });
    const lab = labSchema.parse({
      id: 'verdicts',
      title: 'Verdicts',
      steps: [
        {
          id: 'one',
          title: 'One',
          checks: [
            { id: 'cannot-judge', type: 'test.error' },
            { id: 'wrong', type: 'test.failed' },
          ],
        },
      ],
    });
    const info = {
      kind: 'endpoint',
      endpoint: 'http://127.0.0.1:1',
      region: 'us-east-1',
      account: '000000000000',
      partition: 'aws',
    } as const;
    const connection = {
      target: { kind: 'endpoint', endpoint: info.endpoint, region: info.region },
      info,
      clients: {},
      key: 'test',
      env: {},
      close: () => {},
    } as unknown as Connection;
    const session = openLab({
      lab: { lab, file: '/nowhere/lab.yaml', dir: '/nowhere', defaults: {} },
      connection,
      progress: Progress.inMemory(lab.id, connection.key),
      checkTypes: new Map([
        ['test.error', outcomeType('test.error', 'error')],
        ['test.failed', outcomeType('test.failed', 'failed')],
      ]),
    });
    const report = await session.runChecks({ wait: 'none' });
    expect(report.steps[0]!.checks.map((check) => check.status)).toEqual(['error', 'failed']);
    expect(report.steps[0]!.status).toBe('failed');
  });
});
