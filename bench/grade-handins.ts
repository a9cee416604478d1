/**
 * bench/grade-handins: grading a class from its hand-ins (`labwright grade --submissions DIR`)
 * beside grading the same students over the network (`labwright grade --roster` with an endpoint
 * per student, as bench/grade.ts does), in the same run; and the time of `labwright submit`.
 *
 *   npx tsx bench/grade-handins.ts [--students 1000] [--concurrency 8]
 *
 * Each of the lesson's student states (test/grade/support/student-states.ts: complete, the
 * classic mistakes, students' own names) is done once on a sandbox with a state folder and
 * handed in with the real CLI, timed. The class is those hand-ins in turn, each under its own
 * student id (re-sealed). The network side serves each student's state from a sandbox replayed
 * from their hand-in, in this process, so both sides grade exactly the same states. Both sides
 * run as the bundled CLI (scripts/build.mjs, copied aside) under /usr/bin/time: wall, peak RSS.
 */
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadLabFile } from '../src/engine/load-lab.js';
import type { ClassResults } from '../src/grade/results.js';
import { packHandIn, unpackHandIn, type HandIn } from '../src/handin/format.js';
import { replaySandbox } from '../src/sandbox/replay.js';
import { timedCli, type Measured } from './support/timed-cli.js';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';
import { BREAKAGES, setUpStudent } from '../test/grade/support/student-states.js';

const { values } = parseArgs({
  options: {
    students: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '8' },
  },
});
const count = Number(values.students);
const root = path.resolve(import.meta.dirname, '..');
const labFile = path.join(root, 'labs/sagemaker-iam-roles/lab.yaml');

const loaded = await loadLabFile(labFile);
if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
const lab = loaded.loaded;
const work = await mkdtemp(path.join(os.tmpdir(), 'labwright-bench-handins-'));
const states = Object.values(BREAKAGES);
const served: Sandbox[] = [];
const varsOf = (breakage: (typeof states)[number]): Record<string, string> => ({
  ...('vars' in breakage ? breakage.vars : {}),
  ...('laterVars' in breakage ? breakage.laterVars : {}),
});

const { measure, remove } = await timedCli('handins');
try {
  // Each state done once, on a sandbox with a state folder (the journal), and handed in.
  process.stderr.write(`doing the lab ${states.length} ways, and handing each in...\n`);
  const handIns: HandIn[] = [];
  const submits: Measured[] = [];
  const sizes: number[] = [];
  for (const [index, breakage] of states.entries()) {
    const home = path.join(work, `state-${index}`);
    const stateDir = path.join(home, 'labwright', 'sandbox');
    const folder = path.join(work, `folder-${index}`);
    await mkdir(folder, { recursive: true });
    const sandbox = await startSandbox({
      port: 0,
      stateDir,
      timing: { notebookTransitionMs: 0, trainingJobMs: 0 },
      log: () => undefined,
    });
    try {
      await writeFile(
        path.join(stateDir, 'server.json'),
        JSON.stringify({ pid: process.pid, port: sandbox.port, endpoint: sandbox.endpoint }),
      );
      await setUpStudent(lab, sandbox.endpoint, breakage);
      const out = path.join(work, `state-${index}.labwright`);
      const vars = Object.entries(varsOf(breakage)).flatMap(([k, v]) => ['--var', `${k}=${v}`]);
      const submitted = await measure(
        ['submit', labFile, '--student', `state-${index}`, '--out', out, ...vars],
        folder,
        { XDG_STATE_HOME: home },
      );
      if (submitted.code !== 0)
        throw new Error(`submit exited ${submitted.code}: ${submitted.stderr}`);
      submits.push(submitted);
      sizes.push((await stat(out)).size);
      handIns.push(unpackHandIn(await readFile(out)));
    } finally {
      await sandbox.stop();
    }
  }

  process.stderr.write(`writing ${count} hand-ins and serving the same ${count} students...\n`);
  const subs = path.join(work, 'hand-ins');
  await mkdir(subs);
  const students = Array.from({ length: count }, (_, index) => ({
    id: `student-${String(index + 1).padStart(4, '0')}`,
    state: index % states.length,
  }));
  const endpoints: string[] = [];
  for (const student of students) {
    const handIn = handIns[student.state]!;
    const { seal: _seal, ...body } = handIn.body;
    await writeFile(
      path.join(subs, `${student.id}.labwright`),
      packHandIn({ ...handIn.header, student: student.id }, body),
    );
    const blobs = body.blobs;
    const { sandbox, mismatch } = await replaySandbox(body.journal, async (hash) =>
      hash in blobs ? Buffer.from(blobs[hash]!, 'base64') : undefined,
    );
    if (mismatch)
      throw new Error(`state ${student.state} does not replay: ${JSON.stringify(mismatch)}`);
    served.push(sandbox);
    endpoints.push(sandbox.endpoint);
  }
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
          ...columns.map((name) => varsOf(states[student.state]!)[name] ?? ''),
        ].join(','),
      ),
    ].join('\n') + '\n',
  );

  const common = ['--concurrency', values.concurrency!, '--timeout', '600'];
  process.stderr.write('labwright grade --roster (over the network)...\n');
  const network = await measure(
    ['grade', labFile, '--roster', roster, '--out', path.join(work, 'network'), ...common],
    work,
  );
  if (network.code !== 0)
    throw new Error(`grade --roster exited ${network.code}: ${network.stderr}`);
  process.stderr.write(
    `  ${network.wallSeconds.toFixed(2)} s, ${network.peakRssMb.toFixed(0)} MB\n`,
  );
  // The network side's sandboxes are done: free this process before the hand-ins are graded.
  await Promise.all(served.splice(0).map((sandbox) => sandbox.stop()));

  process.stderr.write('labwright grade --submissions (hand-ins, replayed)...\n');
  const handed = await measure(
    ['grade', labFile, '--submissions', subs, '--out', path.join(work, 'handins'), ...common],
    work,
  );
  if (handed.code !== 0)
    throw new Error(`grade --submissions exited ${handed.code}: ${handed.stderr}`);
  process.stderr.write(`  ${handed.wallSeconds.toFixed(2)} s, ${handed.peakRssMb.toFixed(0)} MB\n`);

  const read = async (dir: string) =>
    JSON.parse(await readFile(path.join(work, dir, 'results.json'), 'utf8')) as ClassResults;
  const [fromNetwork, fromHandIns] = [await read('network'), await read('handins')];
  let agree = 0;
  for (const student of students) {
    const a = fromNetwork.students.find((s) => s.id === student.id);
    const b = fromHandIns.students.find((s) => s.id === student.id);
    if (a && b && a.error === null && b.error === null && a.score.earned === b.score.earned) {
      agree += 1;
    }
  }
  const median = (numbers: number[]) => [...numbers].sort((x, y) => x - y)[numbers.length >> 1]!;
  const rows = [
    `| ${count} students (bench/grade-handins.ts, concurrency ${values.concurrency}) | wall | peak RSS |`,
    '| --- | ---: | ---: |',
    `| \`labwright grade --submissions DIR\` (hand-ins, replayed) | ${handed.wallSeconds.toFixed(2)} s | ${handed.peakRssMb.toFixed(0)} MB |`,
    `| \`labwright grade --roster\` (an \`endpoint\` per student) | ${network.wallSeconds.toFixed(2)} s | ${network.peakRssMb.toFixed(0)} MB |`,
    `| ratio (network / hand-ins) | **${(network.wallSeconds / handed.wallSeconds).toFixed(2)}x** | |`,
    `| \`labwright submit\`, median of ${submits.length} (max) | ${median(submits.map((m) => m.wallSeconds)).toFixed(2)} s (${Math.max(...submits.map((m) => m.wallSeconds)).toFixed(2)} s) | ${Math.max(...submits.map((m) => m.peakRssMb)).toFixed(0)} MB |`,
    `| hand-in size, median (max) | ${(median(sizes) / 1024).toFixed(1)} kB (${(Math.max(...sizes) / 1024).toFixed(1)} kB) | |`,
  ];
  console.log(rows.join('\n'));
  console.log(
    `\nScores agree for ${agree} of ${count} students (${os.cpus().length} cores, Node ${process.version}, load average ${os
      .loadavg()
      .map((n) => n.toFixed(1))
      .join(' ')}).`,
  );
} finally {
  await Promise.all(served.map((sandbox) => sandbox.stop()));
  await rm(work, { recursive: true, force: true });
  await remove();
}
