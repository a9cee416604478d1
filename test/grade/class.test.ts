/**
 * `labwright grade` on a class of 30: 29 students, each with their own sandbox left in a scripted
 * state (complete, or one of the lesson's classic mistakes), and one whose endpoint answers
 * nothing. The gradebook must be exactly what those states deserve, the summary must name the
 * check the class found hardest, and grading must change nothing in any student's account.
 */
import {
  CloudTrailClient,
  LookupEventsCommand,
  StartLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { parse } from 'csv-parse/sync';
import { XMLParser } from 'fast-xml-parser';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLabFile } from '../../src/engine/load-lab.js';
import type { ClassResults } from '../../src/grade/results.js';
import type { LoadedLab } from '../../src/lab/load.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { runCli, runCliProcess } from './support/run-cli.js';
import {
  BREAKAGES,
  setUpStudent,
  startStudentSandbox,
  type Breakage,
} from './support/student-states.js';

const LAB = path.resolve('labs/sagemaker-iam-roles/lab.yaml');

/** How many students left each state: least privilege is what this class struggles with. */
const PLAN: [keyof typeof BREAKAGES, number][] = [
  ['complete', 2],
  ['renamedRole', 1],
  ['inline', 1],
  ['trustEc2', 3],
  ['trustOpen', 3],
  ['seedPolicyOnly', 3],
  ['s3FullAccess', 4],
  ['administrator', 3],
  ['noLogs', 3],
  ['notebookOtherRole', 3],
  ['trailStopped', 3],
];
const VAR_COLUMNS = ['roleName', 'trainingJob', 'notebook'] as const;

interface Student {
  id: string;
  breakage: Breakage;
  sandbox: Sandbox;
}

let lab: LoadedLab;
let work: string;
let students: Student[];
let unreachable: string;

beforeAll(async () => {
  const loaded = await loadLabFile(LAB);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  lab = loaded.loaded;
  work = await mkdtemp(path.join(os.tmpdir(), 'labwright-grade-class-'));

  const breakages = PLAN.flatMap(([key, count]) =>
    Array.from({ length: count }, () => BREAKAGES[key]),
  );
  students = [];
  for (const [index, breakage] of breakages.entries()) {
    students.push({
      id: `s${String(index + 1).padStart(2, '0')}`,
      breakage,
      sandbox: await startStudentSandbox(),
    });
  }
  // Two at a time: the machine has two cores, and each set-up runs a whole lab.
  for (let next = 0; next < students.length; next += 2) {
    await Promise.all(
      students
        .slice(next, next + 2)
        .map((student) => setUpStudent(lab, student.sandbox.endpoint, student.breakage)),
    );
  }
  const gone = await startStudentSandbox();
  unreachable = gone.endpoint;
  await gone.stop();

  const rows = [
    ['id', 'endpoint', ...VAR_COLUMNS],
    ...students.map((student) => {
      const vars = { ...student.breakage.vars, ...student.breakage.laterVars };
      return [student.id, student.sandbox.endpoint, ...VAR_COLUMNS.map((name) => vars[name] ?? '')];
    }),
    ['s30', unreachable, '', '', ''],
  ];
  await writeFile(
    path.join(work, 'roster.csv'),
    rows.map((row) => row.join(',')).join('\n') + '\n',
  );
}, 300_000);

afterAll(async () => {
  await Promise.all((students ?? []).map((student) => student.sandbox.stop()));
  if (work) await rm(work, { recursive: true, force: true });
});

/** `labwright grade <the lesson> ...args` */
const grade = (...args: string[]) => runCli('grade', LAB, ...args);

/** The row a student in this state deserves: every required check's points, but those it fails. */
function expectedRow(id: string, breakage: Breakage): string[] {
  const earnedByStep = lab.lab.steps.map((step) =>
    step.checks
      .filter(
        (check) =>
          !step.optional && !check.optional && !breakage.fails.includes(`${step.id}/${check.id}`),
      )
      .reduce((sum, check) => sum + check.points, 0),
  );
  const earned = earnedByStep.reduce((sum, points) => sum + points, 0);
  return [id, String(earned), '100', earned.toFixed(1), ...earnedByStep.map(String), '0', ''];
}

function failedRequiredChecks(results: ClassResults, id: string): string[] {
  const student = results.students.find((result) => result.id === id)!;
  return student.steps.flatMap((step) =>
    step.optional
      ? []
      : step.checks
          .filter((check) => !check.optional && check.status !== 'passed')
          .map((check) => `${step.id}/${check.id}`),
  );
}

/** The ids of the write events CloudTrail recorded in a student's account, newest first. */
async function writeEvents(student: Student): Promise<string[]> {
  const trail = new CloudTrailClient({
    endpoint: student.sandbox.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  try {
    const found = await trail.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'ReadOnly', AttributeValue: 'false' }],
        MaxResults: 50,
      }),
    );
    return (found.Events ?? []).map((event) => `${event.EventName} ${event.EventId}`);
  } finally {
    trail.destroy();
  }
}

describe('labwright grade, a class of 30 on sandboxes', () => {
  it('writes exactly the gradebook each student deserves and names the hardest check', async () => {
    const out = path.join(work, 'grades');
    const writesBefore = new Map<string, string[]>();
    for (const student of students) writesBefore.set(student.id, await writeEvents(student));
    const { code, out: printed } = await grade(
      '--roster',
      path.join(work, 'roster.csv'),
      '--out',
      out,
    );
    expect(code).toBe(0);

    const results = JSON.parse(
      await readFile(path.join(out, 'results.json'), 'utf8'),
    ) as ClassResults;
    for (const student of students) {
      expect(
        failedRequiredChecks(results, student.id),
        `${student.id}: ${student.breakage.name}`,
      ).toEqual(student.breakage.fails);
    }

    const gradebook = parse(await readFile(path.join(out, 'gradebook.csv'), 'utf8')) as string[][];
    const stepIds = lab.lab.steps.map((step) => step.id);
    expect(gradebook[0]).toEqual([
      'id',
      'score',
      'possible',
      'percent',
      ...stepIds,
      'hints_used',
      'error',
    ]);
    expect(gradebook.slice(1, 30)).toEqual(
      students.map((student) => expectedRow(student.id, student.breakage)),
    );
    const [id, score, possible, percent, ...rest] = gradebook[30]!;
    expect([id, score, possible, percent, ...rest.slice(0, -1)]).toEqual([
      's30',
      '0',
      '100',
      '0.0',
      ...stepIds.map(() => ''),
      '0',
    ]);
    expect(rest.at(-1)).toMatch(
      new RegExp(`^nothing answers at ${unreachable.replace(/[.]/g, '\\.')}`),
    );

    // The summary ranks least privilege first: seven students left a broad grant attached.
    const lines = printed.split('\n');
    const heading = lines.findIndex((line) =>
      line.startsWith('Pass rate of each check, hardest first'),
    );
    expect(lines[heading + 1]).toMatch(/^\s+least-privilege\/no-broad-grants\s.*\s22\/29$/);
    expect(printed).toContain(
      'Graded 29 of 30 students; 1 could not be graded. 4 passed every required check.',
    );
    expect(lines.filter((line) => /^\[\s*\d+\/30\]/.test(line))).toHaveLength(30);

    const junit = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(
      await readFile(path.join(out, 'junit.xml'), 'utf8'),
    );
    expect(junit.testsuites.testsuite).toHaveLength(30);

    // Read-only: every student's account holds the same writes as before grading.
    for (const student of students) {
      expect(await writeEvents(student), student.id).toEqual(writesBefore.get(student.id));
    }
  });

  it('regrades only the students who failed, and keeps everyone else as graded', async () => {
    const out = path.join(work, 'grades');
    const before = JSON.parse(
      await readFile(path.join(out, 'results.json'), 'utf8'),
    ) as ClassResults;
    // The students whose trail was stopped start it again.
    const fixed = students.filter((student) => student.breakage === BREAKAGES.trailStopped);
    for (const student of fixed) {
      const trail = new CloudTrailClient({
        endpoint: student.sandbox.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
      await trail.send(new StartLoggingCommand({ Name: 'lesson-9-1-trail' }));
      trail.destroy();
    }

    const { code, out: printed } = await grade(
      '--roster',
      path.join(work, 'roster.csv'),
      '--out',
      out,
      '--only-failed',
    );
    expect(code).toBe(0);
    // 4 passed last time; the other 25 and the unreachable one are graded again.
    expect(printed.split('\n').filter((line) => /^\[\s*\d+\/26\]/.test(line))).toHaveLength(26);

    const after = JSON.parse(
      await readFile(path.join(out, 'results.json'), 'utf8'),
    ) as ClassResults;
    expect(after.students.map((student) => student.id)).toEqual(
      before.students.map((student) => student.id),
    );
    for (const student of students) {
      const was = before.students.find((result) => result.id === student.id)!;
      const now = after.students.find((result) => result.id === student.id)!;
      if (student.breakage.fails.length === 0) expect(now, student.id).toEqual(was);
      else expect(now.startedAt > was.startedAt, student.id).toBe(true);
      const expected = fixed.includes(student) ? [] : student.breakage.fails;
      expect(failedRequiredChecks(after, student.id), student.id).toEqual(expected);
    }
    expect(printed).toContain('7 passed every required check.');
  });
});

describe("labwright grade, with a grading role in the student's account", () => {
  it("assumes role_arn through the instructor's endpoint, grades as that role, and says why when it cannot", async () => {
    // s01 left the complete state; they add a read-only role their instructor may assume.
    const student = students[0]!;
    const iam = new IAMClient({
      endpoint: student.sandbox.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'Grader',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: 'arn:aws:iam::000000000000:root' },
              Action: 'sts:AssumeRole',
            },
          ],
        }),
      }),
    );
    await iam.send(
      new AttachRolePolicyCommand({
        RoleName: 'Grader',
        PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
      }),
    );
    iam.destroy();

    const grader = 'arn:aws:iam::000000000000:role/Grader';
    // ben names the SageMaker role, which trusts SageMaker only: nobody else may assume it.
    const notForGrading = 'arn:aws:iam::000000000000:role/SageMakerExecutionRole';
    const roster = path.join(work, 'roles.csv');
    await writeFile(
      roster,
      `id,role_arn,external_id\nana,${grader},class-of-2026\nben,${notForGrading},\n`,
    );
    const out = path.join(work, 'roles');
    const { code, out: printed } = await grade(
      '--roster',
      roster,
      '--out',
      out,
      '--endpoint',
      student.sandbox.endpoint,
    );
    expect(code, printed).toBe(0);

    const results = JSON.parse(
      await readFile(path.join(out, 'results.json'), 'utf8'),
    ) as ClassResults;
    expect(failedRequiredChecks(results, 'ana')).toEqual([]);
    expect(results.students[0]).toMatchObject({ id: 'ana', error: null, score: { earned: 90 } });
    expect(results.students[1]?.error).toMatch(
      new RegExp(
        `^could not assume ${notForGrading} \\(AccessDenied: User: arn:aws:iam::000000000000:root is not authorized to perform: sts:AssumeRole on resource: ${notForGrading}\\): the role must trust the identity labwright grades as$`,
      ),
    );
  });
});

describe("labwright grade, with each student's own folder", () => {
  it("judges the files in the roster's dir, and an empty folder for a student without one", async () => {
    const complete = students.find((student) => student.breakage === BREAKAGES.complete)!;
    // Rosters name folders relative to themselves: ana handed in the reference template.
    const roster = path.join(work, 'folders', 'roster.csv');
    await mkdir(path.join(work, 'folders', 'ana'), { recursive: true });
    await copyFile(
      path.join(lab.dir, 'files/sagemaker-role.yaml'),
      path.join(work, 'folders', 'ana', 'sagemaker-role.yaml'),
    );
    await writeFile(
      roster,
      `id,endpoint,dir\nana,${complete.sandbox.endpoint},ana\nben,${complete.sandbox.endpoint},\n`,
    );
    const out = path.join(work, 'folders', 'grades');
    const { code, out: printed } = await grade('--roster', roster, '--out', out);
    expect(code, printed).toBe(0);
    const results = JSON.parse(
      await readFile(path.join(out, 'results.json'), 'utf8'),
    ) as ClassResults;
    const template = (id: string) =>
      results.students
        .find((student) => student.id === id)!
        .steps.find((step) => step.id === 'infrastructure-as-code')!
        .checks.find((check) => check.id === 'template-role')!;
    expect(template('ana').status, template('ana').message).toBe('passed');
    expect(template('ben').status).toBe('failed');
  });
});

describe('labwright grade, when students cannot be graded', () => {
  let silent: Server | undefined;
  afterAll(() => silent?.close());

  it('gives a student who never answers an error row after the timeout, and exits 3 when nobody could be reached', async () => {
    // Accepts connections and never answers, like an endpoint behind a dead proxy.
    silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent!.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const roster = path.join(work, 'dead.csv');
    await writeFile(roster, `id,endpoint\nhung,http://127.0.0.1:${port}\ngone,${unreachable}\n`);
    const out = path.join(work, 'dead');

    // As its own process: the abandoned student's requests must not keep the CLI from exiting.
    // (6 s: room for a cold start on a busy machine before `gone` is found unreachable.)
    const { code, out: printed } = await runCliProcess(
      'grade',
      LAB,
      '--roster',
      roster,
      '--out',
      out,
      '--timeout',
      '6',
    );
    expect(code, printed).toBe(3);
    expect(printed).toContain('Graded 0 of 2 students; 2 could not be graded.');
    const gradebook = parse(await readFile(path.join(out, 'gradebook.csv'), 'utf8')) as string[][];
    expect(gradebook.map((row) => [row[0], row.at(-1)?.split(',')[0]])).toEqual([
      ['id', 'error'],
      ['hung', 'grading took longer than 6 s'],
      [
        'gone',
        `nothing answers at ${unreachable}: is LocalStack running? \`labwright sandbox\` starts a local one`,
      ],
    ]);
  });

  it('refuses an --out it cannot write to, and a bad option, with exit 2 before grading anyone', async () => {
    const roster = path.join(work, 'one.csv');
    await writeFile(roster, `id,endpoint\nana,${unreachable}\n`);
    const notAFolder = path.join(work, 'one.csv');
    const blocked = await grade('--roster', roster, '--out', notAFolder);
    expect(blocked.code).toBe(2);
    expect(blocked.err).toBe(
      `labwright: --out ${notAFolder}: the gradebook cannot be written there (EEXIST)`,
    );
    const badConcurrency = await grade('--roster', roster, '--concurrency', '0');
    expect(badConcurrency.code).toBe(2);
    expect(badConcurrency.err).toBe(
      'labwright: --concurrency must be a whole number from 1 to 256, not "0"',
    );
  });

  it('refuses a bad roster with file:line and exit 2, before grading anyone', async () => {
    const roster = path.join(work, 'bad.csv');
    await writeFile(roster, `id,endpoint,colour\na,${unreachable},blue\na,ftp://x,red\n`);
    const { code, err } = await grade('--roster', roster, '--out', path.join(work, 'bad'));
    expect(code).toBe(2);
    const shown = path.relative(process.cwd(), roster);
    expect(err.split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${shown.replace(/[.]/g, '\\.')}:1: column "colour" is not a variable of lab sagemaker-iam-roles`,
        ),
      ),
    ]);
  });
});
