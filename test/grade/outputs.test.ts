import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import type { CheckReport, LabReport } from '../../src/engine/report.js';
import { ungraded } from '../../src/grade/grade-class.js';
import { writeGradeOutputs } from '../../src/grade/outputs.js';
import { mergeResults, readClassResults, type StudentResult } from '../../src/grade/results.js';
import { hardestCheck, summarizeClass } from '../../src/grade/summary.js';

/** The writers, on reports shaped as the engine returns them. */

const check = (id: string, status: CheckReport['status'], points: number): CheckReport => ({
  id,
  type: 'iam.role.exists',
  status,
  points,
  optional: false,
  message: status === 'passed' ? 'found it' : 'the role "R" <does not> exist, & "so"',
  hint: status === 'passed' ? null : 'create it',
  hintsUsed: 0,
  evidence: {},
  durationMs: 3,
});

const report = (id: string, a: CheckReport['status'], b: CheckReport['status']): StudentResult => {
  const base: LabReport = {
    lab: 'demo',
    labVersion: '1',
    target: {
      kind: 'endpoint',
      endpoint: 'http://127.0.0.1:1',
      region: 'us-east-1',
      account: '000000000000',
      partition: 'aws',
    },
    startedAt: '2026-11-29T00:00:00.000Z',
    durationMs: 10,
    score: { earned: (a === 'passed' ? 10 : 0) + (b === 'passed' ? 30 : 0), possible: 40 },
    hintsUsed: 0,
    steps: [
      { id: 'one', title: 'One', optional: false, status: a, checks: [check('a', a, 10)] },
      { id: 'two', title: 'Two', optional: false, status: b, checks: [check('b', b, 30)] },
    ],
  };
  return { ...base, id, error: null };
};

const refs = [
  { stepId: 'one', checkId: 'a', title: 'a', optional: false },
  { stepId: 'two', checkId: 'b', title: 'b', optional: false },
];

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('grade outputs', () => {
  it('writes a gradebook, results and JUnit that other tools read back', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'grade-out-'));
    const students: StudentResult[] = [
      report('ana', 'passed', 'passed'),
      report('=cmd|x, "y"', 'passed', 'failed'),
      ungraded('carl', 'nothing answers at http://127.0.0.1:1', new Date(), {
        id: 'demo',
        version: '1',
        possible: 40,
      }),
    ];
    await writeGradeOutputs(dir, ['one', 'two'], {
      lab: 'demo',
      labVersion: '1',
      gradedAt: 'now',
      students,
    });

    expect((await readdir(dir)).sort()).toEqual(['gradebook.csv', 'junit.xml', 'results.json']);
    const rows = parse(await readFile(path.join(dir, 'gradebook.csv'), 'utf8')) as string[][];
    expect(rows).toEqual([
      ['id', 'score', 'possible', 'percent', 'one', 'two', 'hints_used', 'error'],
      ['ana', '40', '40', '100.0', '10', '30', '0', ''],
      ['\'=cmd|x, "y"', '10', '40', '25.0', '10', '0', '0', ''],
      ['carl', '0', '40', '0.0', '', '', '0', 'nothing answers at http://127.0.0.1:1'],
    ]);

    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(
      await readFile(path.join(dir, 'junit.xml'), 'utf8'),
    );
    const suites = xml.testsuites.testsuite as {
      name: string;
      tests: string;
      failures: string;
      errors: string;
    }[];
    expect(suites.map((s) => [s.name, s.tests, s.failures, s.errors])).toEqual([
      ['ana', '2', '0', '0'],
      ['=cmd|x, "y"', '2', '1', '0'],
      ['carl', '1', '0', '1'],
    ]);

    const back = await readClassResults(path.join(dir, 'results.json'), 'demo');
    expect(back?.students.map((s) => [s.id, s.error])).toEqual([
      ['ana', null],
      ['=cmd|x, "y"', null],
      ['carl', 'nothing answers at http://127.0.0.1:1'],
    ]);
    await expect(readClassResults(path.join(dir, 'results.json'), 'other')).rejects.toThrow(
      /holds results of lab demo, not other/,
    );
  });

  it('merges regraded students into the previous results in roster order', () => {
    const before = [
      report('ana', 'passed', 'passed'),
      report('ben', 'failed', 'failed'),
      report('gone', 'passed', 'passed'),
    ];
    const merged = mergeResults(['ben', 'ana', 'cy'], before, [
      report('ben', 'passed', 'passed'),
      report('cy', 'failed', 'passed'),
    ]);
    expect(merged.map((s) => [s.id, s.score.earned])).toEqual([
      ['ben', 40],
      ['ana', 40],
      ['cy', 30],
    ]);
  });

  it('ranks checks hardest first, over the students who could be graded', () => {
    const summary = summarizeClass(refs, [
      report('ana', 'passed', 'failed'),
      report('ben', 'passed', 'failed'),
      report('cy', 'failed', 'passed'),
      ungraded('dee', 'timed out', new Date(), { id: 'demo', version: '1', possible: 40 }),
    ]);
    expect(summary).toMatchObject({
      students: 4,
      graded: 3,
      errored: 1,
      passedAll: 0,
      averagePercent: 41.7,
    });
    expect(summary.checks.map((c) => [c.checkId, c.passed, c.graded])).toEqual([
      ['b', 1, 3],
      ['a', 2, 3],
    ]);
    expect(hardestCheck(summary)?.checkId).toBe('b');
  });
});
