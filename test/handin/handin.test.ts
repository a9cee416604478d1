/**
 * Hand in and grade, end to end: every student state of the lesson's catalog is done on a real
 * sandbox with a state folder, handed in with the real CLI (`labwright submit`), and graded from
 * the hand-ins with the real CLI (`labwright grade --submissions`). Each grade must equal the
 * verdicts of the checks on the student's live sandbox. Hand-ins edited after the fact (a policy
 * changed, an outcome forged, another lab, another version) are error rows naming the record and
 * the reason, and the other students are graded. Grading in three shards and merging gives the
 * same gradebook as one run.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClassResults, StudentResult } from '../../src/grade/results.js';
import { sealRecord, type JournalRecord } from '../../src/sandbox/journal.js';
import { startSandbox } from '../../src/sandbox/server.js';
import { applySolution, lessonClients, scenarios } from '../checks/lesson-catalog.js';
import { checkLab, LESSON_LAB } from '../support/lab-session.js';
import { labwrightAsync, readHandIn, writeHandIn } from './support.js';

const LAB_ID = 'sagemaker-iam-roles';
const timing = { notebookTransitionMs: 1, trainingJobMs: 5 };

interface Student {
  id: string;
  name: string;
  /** Each check's status on the live sandbox, by `step/check`. */
  live: Record<string, string>;
  earned: number;
}

let work: string;
let subs: string;
const students: Student[] = [];
let results: ClassResults;

const statuses = (result: StudentResult): Record<string, string> =>
  Object.fromEntries(
    result.steps.flatMap((step) =>
      step.checks.map((check) => [`${step.id}/${check.id}`, check.status]),
    ),
  );

async function readResults(dir: string): Promise<ClassResults> {
  return JSON.parse(await readFile(path.join(dir, 'results.json'), 'utf8')) as ClassResults;
}

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'labwright-handin-'));
  subs = path.join(work, 'hand-ins');
  await mkdir(subs);
  for (const [index, scenario] of scenarios.entries()) {
    const id = `s${String(index + 1).padStart(2, '0')}`;
    const home = path.join(work, id);
    const stateDir = path.join(home, 'state', 'labwright', 'sandbox');
    const folder = path.join(home, 'folder');
    await mkdir(folder, { recursive: true });
    // The reference student also wrote the template the last step judges.
    if (index === 0) {
      await copyFile(
        path.join(path.dirname(LESSON_LAB), 'files/sagemaker-role.yaml'),
        path.join(folder, 'sagemaker-role.yaml'),
      );
    }
    const sandbox = await startSandbox({ port: 0, stateDir, timing, log: () => undefined });
    try {
      // As `labwright sandbox` records itself, so the CLI uses this sandbox for this folder.
      await writeFile(
        path.join(stateDir, 'server.json'),
        JSON.stringify({ pid: process.pid, port: sandbox.port, endpoint: sandbox.endpoint }),
      );
      const clients = lessonClients(sandbox.endpoint);
      await applySolution(clients, scenario.solution);
      Object.values(clients).forEach((client) => client.destroy());
      const { report, checks } = await checkLab({ endpoint: sandbox.endpoint, cwd: folder });
      const submitted = await labwrightAsync(
        ['submit', LAB_ID, '--student', id, '--out', path.join(subs, `${id}.labwright`)],
        { cwd: folder, env: { XDG_STATE_HOME: path.join(home, 'state') } },
      );
      expect(submitted.err, submitted.out).toBe('');
      expect(submitted.code).toBe(0);
      students.push({
        id,
        name: scenario.name,
        live: Object.fromEntries([...checks].map(([key, check]) => [key, check.status])),
        earned: report.score.earned,
      });
    } finally {
      await sandbox.stop();
    }
  }

  // Hand-ins edited after `submit`, the ways a student with an editor might.
  const reference = await readHandIn(path.join(subs, 's01.labwright'));
  const policyRecord = reference.body.journal.find(
    (record) => record.operation === 'PutRolePolicy',
  )!;
  expect(policyRecord).toBeDefined();

  // A policy widened inside the journal: the chain breaks at that record.
  const widened = structuredClone(reference);
  const target = widened.body.journal.find((record) => record.seq === policyRecord.seq)!;
  target.input = JSON.parse(JSON.stringify(target.input).replace('s3:ListBucket', 's3:*'));
  widened.header.student = 'tampered-policy';
  await writeHandIn(path.join(subs, 'tampered-policy.labwright'), widened);

  // An outcome forged, with the chain recomputed from there on: replay says what really happens.
  const forged = structuredClone(reference);
  forged.header.student = 'forged-outcome';
  forged.body.journal = rechain(forged.body.journal, policyRecord.seq, (record) => ({
    ...record,
    outcome: { error: 'MalformedPolicyDocument' },
  }));
  await writeHandIn(path.join(subs, 'forged-outcome.labwright'), forged);

  const otherLab = structuredClone(reference);
  otherLab.header = { ...otherLab.header, lab: 'another-lab', student: 'other-lab' };
  await writeHandIn(path.join(subs, 'other-lab.labwright'), otherLab);

  const otherVersion = structuredClone(reference);
  otherVersion.header = { ...otherVersion.header, labVersion: '0', student: 'other-version' };
  await writeHandIn(path.join(subs, 'other-version.labwright'), otherVersion);

  await writeFile(path.join(subs, 'not-a-hand-in.labwright'), 'hello\n');

  // Graded in two threads (worker-grader.ts), as on any machine with two cores or more.
  const graded = await labwrightAsync(
    ['grade', LAB_ID, '--submissions', subs, '--threads', '2', '--out', path.join(work, 'grades')],
    { cwd: work },
  );
  expect(graded.code, graded.err).toBe(0);
  results = await readResults(path.join(work, 'grades'));
}, 900_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** The records from `seq` on, `change` applied to the first, each sealed after the one before. */
function rechain(
  journal: JournalRecord[],
  seq: number,
  change: (record: JournalRecord) => JournalRecord,
): JournalRecord[] {
  const out = journal.slice(0, seq - 1);
  for (const record of journal.slice(seq - 1)) {
    const { hash: _hash, ...rest } = record.seq === seq ? change(record) : record;
    const { line } = sealRecord(rest, rest.seq, out.at(-1)?.hash ?? '');
    out.push(JSON.parse(line) as JournalRecord);
  }
  return out;
}

const resultOf = (id: string): StudentResult => {
  const result = results.students.find((student) => student.id === id);
  if (!result) throw new Error(`no result for ${id}`);
  return result;
};

describe('grading hand-ins of the lesson catalog', () => {
  it('grades every state exactly as check judged it on the live sandbox', () => {
    expect(students).toHaveLength(scenarios.length);
    for (const student of students) {
      const result = resultOf(student.id);
      expect(result.error, student.name).toBeNull();
      expect(statuses(result), student.name).toEqual(student.live);
      expect(result.score.earned, student.name).toBe(student.earned);
    }
    // The template handed in by the reference student is judged from the hand-in.
    expect(statuses(resultOf('s01'))['infrastructure-as-code/template-role']).toBe('passed');
    expect(statuses(resultOf('s02'))['infrastructure-as-code/template-role']).toBe('failed');
  });

  it('makes an error row of a policy edited inside a hand-in, naming the record', () => {
    expect(resultOf('tampered-policy').error).toMatch(
      /^record \d+ \(iam:PutRolePolicy\): was changed after it was recorded$/,
    );
  });

  it('makes an error row of an outcome the replay does not reproduce', () => {
    expect(resultOf('forged-outcome').error).toMatch(
      /^record \d+ \(iam:PutRolePolicy\): replayed, it gives success where the hand-in records MalformedPolicyDocument$/,
    );
  });

  it('makes error rows of hand-ins for another lab or version, and of files that are none', () => {
    expect(resultOf('other-lab').error).toBe(
      'a hand-in for lab another-lab, not sagemaker-iam-roles',
    );
    expect(resultOf('other-version').error).toBe(
      'a hand-in for version 0 of lab sagemaker-iam-roles, which is graded at version 1',
    );
    expect(resultOf('not-a-hand-in.labwright').error).toMatch(/not a labwright hand-in/);
  });

  it('grades the same in one thread as in several', async () => {
    const run = await labwrightAsync(
      ['grade', LAB_ID, '--submissions', subs, '--threads', '1', '--out', path.join(work, 'one')],
      { cwd: work },
    );
    expect(run.code, run.err).toBe(0);
    const summary = (r: ClassResults) =>
      Object.fromEntries(
        r.students.map((s) => [s.id, { score: s.score, error: s.error, checks: statuses(s) }]),
      );
    expect(summary(await readResults(path.join(work, 'one')))).toEqual(summary(results));
  }, 600_000);

  it('writes the same gradebook from three shards merged as from one run', async () => {
    for (const shard of ['1/3', '2/3', '3/3']) {
      const run = await labwrightAsync(
        [
          'grade',
          LAB_ID,
          '--submissions',
          subs,
          '--shard',
          shard,
          '--out',
          path.join(work, `shard-${shard[0]}`),
        ],
        { cwd: work },
      );
      expect(run.code, run.err).toBe(0);
    }
    const merged = await labwrightAsync(
      [
        'grade',
        'merge',
        ...['1', '2', '3'].map((i) => path.join(work, `shard-${i}`, 'results.json')),
        '--out',
        path.join(work, 'merged'),
      ],
      { cwd: work },
    );
    expect(merged.code, merged.err).toBe(0);
    const whole = await readResults(path.join(work, 'merged'));
    const summary = (r: ClassResults) =>
      Object.fromEntries(
        r.students.map((s) => [s.id, { score: s.score, error: s.error, checks: statuses(s) }]),
      );
    expect(summary(whole)).toEqual(summary(results));
    const csvRows = async (dir: string) =>
      (await readFile(path.join(work, dir, 'gradebook.csv'), 'utf8')).trim().split('\r\n').sort();
    expect(await csvRows('merged')).toEqual(await csvRows('grades'));
  }, 600_000);

  it('sends a student working elsewhere to their instructor instead (exit 2)', async () => {
    const run = await labwrightAsync(['submit', LAB_ID, '--endpoint', 'http://127.0.0.1:9']);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/graded where it is.*endpoint.*profile.*role_arn/);
  });
});
