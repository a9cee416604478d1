/**
 * bench/grade: `labwright grade` of a class beside what an instructor would otherwise script,
 * a loop of `labwright check --endpoint URL --json` processes, one per student, in the same run
 * against the same sandboxes. Both run as the bundled CLI (scripts/build.mjs, copied into a
 * private folder so a rebuild of dist/ cannot disturb a run) in child processes, timed with
 * /usr/bin/time for wall time and peak RSS.
 *
 *   npx tsx bench/grade.ts [--students 100] [--concurrency 8]
 *
 * Prints a markdown table for BENCHMARKS.md. The sandboxes (one per student, in memory) live in
 * this process, so they load both contenders alike.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { timedCli } from './support/timed-cli.js';
import { loadLabFile } from '../src/engine/load-lab.js';
import type { LabReport } from '../src/engine/report.js';
import type { ClassResults } from '../src/grade/results.js';
import type { Sandbox } from '../src/sandbox/server.js';
import {
  BREAKAGES,
  setUpStudent,
  startStudentSandbox,
} from '../test/grade/support/student-states.js';

const { values } = parseArgs({
  options: {
    students: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '8' },
  },
});
const count = Number(values.students);
const root = path.resolve(import.meta.dirname, '..');
const labFile = path.join(root, 'labs/sagemaker-iam-roles/lab.yaml');

const loaded = await loadLabFile(labFile);
if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
const lab = loaded.loaded;
const work = await mkdtemp(path.join(os.tmpdir(), 'labwright-bench-grade-'));
const states = Object.values(BREAKAGES);
const sandboxes: Sandbox[] = [];

const { measure, remove } = await timedCli('grade');
try {
  process.stderr.write(`setting up ${count} students, each on their own sandbox...\n`);
  const students = Array.from({ length: count }, (_, index) => ({
    id: `student-${String(index + 1).padStart(3, '0')}`,
    breakage: states[index % states.length]!,
  }));
  const endpoints: string[] = [];
  while (sandboxes.length < count) {
    const sandbox = await startStudentSandbox();
    sandboxes.push(sandbox);
    endpoints.push(sandbox.endpoint);
  }
  for (let next = 0; next < count; next += 2) {
    await Promise.all(
      students
        .slice(next, next + 2)
        .map((student, offset) => setUpStudent(lab, endpoints[next + offset]!, student.breakage)),
    );
  }
  // Students who named things their own way: roster columns for grade, --var for the loop.
  const varsOf = (breakage: (typeof states)[number]): Record<string, string> => ({
    ...('vars' in breakage ? breakage.vars : {}),
    ...('laterVars' in breakage ? breakage.laterVars : {}),
  });
  const columns = ['roleName', 'trainingJob', 'notebook'];
  const roster = path.join(work, 'roster.csv');
  await writeFile(
    roster,
    [
      ['id', 'endpoint', ...columns].join(','),
      ...students.map((student, index) =>
        [
          student.id,
          endpoints[index],
          ...columns.map((name) => varsOf(student.breakage)[name] ?? ''),
        ].join(','),
      ),
    ].join('\n') + '\n',
  );

  process.stderr.write('labwright grade...\n');
  const out = path.join(work, 'grades');
  // Both run in an empty folder: no student's files (a CloudFormation template) are there.
  const graded = await measure(
    ['grade', labFile, '--roster', roster, '--out', out, '--concurrency', values.concurrency],
    work,
  );
  if (graded.code !== 0) throw new Error(`grade exited ${graded.code}: ${graded.stderr}`);
  process.stderr.write(
    `  ${graded.wallSeconds.toFixed(2)} s, ${graded.peakRssMb.toFixed(0)} MB peak RSS\n`,
  );
  const results = JSON.parse(
    await readFile(path.join(out, 'results.json'), 'utf8'),
  ) as ClassResults;

  process.stderr.write(`the peer: ${count} labwright check processes, one after another...\n`);
  let loopWall = 0;
  let loopPeak = 0;
  let disagreements = 0;
  for (const [index, student] of students.entries()) {
    const vars = Object.entries(varsOf(student.breakage)).flatMap(([name, value]) => [
      '--var',
      `${name}=${value}`,
    ]);
    const checked = await measure(
      ['check', labFile, '--endpoint', endpoints[index]!, '--json', '--no-wait', ...vars],
      work,
    );
    loopWall += checked.wallSeconds;
    loopPeak = Math.max(loopPeak, checked.peakRssMb);
    const mine = results.students.find((result) => result.id === student.id);
    let earned: number | undefined;
    try {
      earned = (JSON.parse(checked.stdout) as LabReport).score.earned;
    } catch {
      process.stderr.write(`${student.id}: check exited ${checked.code}: ${checked.stderr}\n`);
    }
    if (!mine || mine.error !== null || mine.score.earned !== earned) disagreements += 1;
  }

  const speedup = loopWall / graded.wallSeconds;
  const rows = [
    `| ${count} students (bench/grade.ts, concurrency ${values.concurrency}) | wall | peak RSS |`,
    '| --- | ---: | ---: |',
    `| \`labwright grade\` | ${graded.wallSeconds.toFixed(2)} s | ${graded.peakRssMb.toFixed(0)} MB |`,
    `| loop of \`labwright check --endpoint URL --json --no-wait\` | ${loopWall.toFixed(2)} s | ${loopPeak.toFixed(0)} MB (largest process) |`,
    `| ratio | **${speedup.toFixed(1)}x faster** | |`,
  ];
  console.log(rows.join('\n'));
  console.log(
    `\nScores agree for ${count - disagreements} of ${count} students` +
      ` (${os.cpus().length} cores, Node ${process.version}).`,
  );
} finally {
  await Promise.all(sandboxes.map((sandbox) => sandbox.stop()));
  await rm(work, { recursive: true, force: true });
  await remove();
}
