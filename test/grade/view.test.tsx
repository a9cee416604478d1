import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { CheckReport } from '../../src/engine/report.js';
import { ungraded } from '../../src/grade/grade-class.js';
import type { StudentResult } from '../../src/grade/results.js';
import { summarizeClass } from '../../src/grade/summary.js';
import { GradeView, type GradeViewState } from '../../src/grade/view/GradeView.js';

/** The live view: progress while grading, then the class summary with the hardest check first. */

const check = (id: string, passed: boolean, points: number): CheckReport => ({
  id,
  type: 'iam.role.trusts',
  status: passed ? 'passed' : 'failed',
  points,
  optional: false,
  message: passed ? 'ok' : 'the role trusts ec2.amazonaws.com, not sagemaker.amazonaws.com',
  hint: passed ? null : 'fix the trust policy',
  hintsUsed: 0,
  evidence: {},
  durationMs: 5,
});

const student = (id: string, trusts: boolean, exists = true): StudentResult => ({
  id,
  error: null,
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
  durationMs: 40,
  score: { earned: (exists ? 5 : 0) + (trusts ? 10 : 0), possible: 15 },
  hintsUsed: 0,
  steps: [
    {
      id: 'create-role',
      title: 'Create',
      optional: false,
      status: exists && trusts ? 'passed' : 'failed',
      checks: [check('role-exists', exists, 5), check('trusts-sagemaker', trusts, 10)],
    },
  ],
});

const refs = [
  { stepId: 'create-role', checkId: 'role-exists', title: 'exists', optional: false },
  { stepId: 'create-role', checkId: 'trusts-sagemaker', title: 'trusts', optional: false },
];

describe('GradeView', () => {
  it('shows progress: done, running, failed and not graded', () => {
    const state: GradeViewState = {
      lab: 'demo',
      total: 5,
      concurrency: 2,
      running: ['dee', 'eve'],
      finished: [
        student('ana', true),
        student('ben', false),
        ungraded('cy', 'nothing answers at http://127.0.0.1:9', new Date(), {
          id: 'demo',
          version: '1',
          possible: 15,
        }),
      ],
    };
    const frame = render(<GradeView state={state} />).lastFrame() ?? '';
    expect(frame).toContain('Grading demo: 5 students, 2 at a time');
    expect(frame).toContain('3/5');
    expect(frame).toMatch(/done 3 +running 2 +failed 1 +not graded 1/);
    expect(frame).toContain('grading dee, eve');
    expect(frame).toMatch(/✗ ben 5\/15 \(33\.3%\)/);
    expect(frame).toContain('! cy nothing answers at http://127.0.0.1:9');
  });

  it('ends with the class average and every check, hardest first', () => {
    const finished = [
      student('ana', true),
      student('ben', false),
      student('cy', false),
      student('dee', true, false),
    ];
    const state: GradeViewState = {
      lab: 'demo',
      total: 4,
      concurrency: 8,
      running: [],
      finished,
      summary: summarizeClass(refs, finished),
      written: ['grades/gradebook.csv'],
    };
    const lines = (render(<GradeView state={state} />).lastFrame() ?? '').split('\n');
    expect(lines).toContainEqual(
      expect.stringContaining('Class average 58.3% · 1/4 passed every required check'),
    );
    const heading = lines.findIndex((line) =>
      line.includes('Pass rate of each check, hardest first'),
    );
    expect(lines[heading + 1]).toMatch(/^create-role\/trusts-sagemaker .* 50% 2\/4$/);
    expect(lines[heading + 2]).toMatch(/^create-role\/role-exists +.* 75% 3\/4$/);
    expect(lines).toContainEqual(expect.stringContaining('Wrote grades/gradebook.csv'));
  });
});
