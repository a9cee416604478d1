/**
 * `labwright validate` of Lesson 9.1, the process from spawn to exit, beside `labwright
 * --version` (Node's start and the CLI's own) in the same run, interleaved so all see the same
 * machine load. Validate is timed twice: on the lab as it is (unchanged since it last validated,
 * so it comes from the lab cache) and on a copy edited before each run (a comment appended), as
 * an author runs it after each change: parsed and checked afresh. Not a test: it prints Markdown
 * rows for BENCHMARKS.md.
 *
 *   npx tsx bench/validate.ts [runs, default 7] [--before <git revision>]
 *
 * With --before, that revision of labwright is built too (from `git archive`, beside the copy
 * of this one) and its validate of the lab is timed in the same loop: before and after in one run.
 *
 * Wall time is spawn to exit; CPU is the child's user + system time (from /proc/self/stat),
 * which a loaded machine inflates less than wall time.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { childCpuMeter } from './support/proc-cpu.js';
import { median } from './support/median.js';

const beforeAt = process.argv.indexOf('--before');
const beforeRevision = beforeAt >= 0 ? process.argv[beforeAt + 1] : undefined;
const runs = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 7);
const repo = path.resolve(import.meta.dirname, '..');
// A copy of the CLI of its own: tests elsewhere rebuild dist/ while a benchmark runs.
const bundleDir = path.join(repo, 'node_modules/.cache', `labwright-bench-validate-${process.pid}`);
const bin = path.join(bundleDir, 'bin/labwright.js');
const home = mkdtempSync(path.join(os.tmpdir(), 'labwright-bench-validate-'));
const env = {
  ...process.env,
  XDG_STATE_HOME: path.join(home, 'state'),
  XDG_CACHE_HOME: path.join(home, 'cache'),
  NO_COLOR: '1',
};

const childCpuMs = childCpuMeter();

function timed(args: string[], cli = bin): { wallMs: number; cpuMs: number } {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: repo, env, encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`labwright ${args.join(' ')}: ${result.stderr}`);
  return { wallMs, cpuMs: childCpuMs() };
}

spawnSync(process.execPath, [path.join(repo, 'scripts/build.mjs')], { cwd: repo, stdio: 'ignore' });
mkdirSync(path.join(bundleDir, 'bin'), { recursive: true });
cpSync(path.join(repo, 'dist'), path.join(bundleDir, 'dist'), { recursive: true });
cpSync(path.join(repo, 'bin/labwright.js'), bin);
cpSync(path.join(repo, 'package.json'), path.join(bundleDir, 'package.json'));

// A checkout of its own, using this one's packages (scripts/build.mjs bundles whatever it finds
// under a node_modules folder, so it must not live in one).
const beforeDir = path.join(home, 'before');
if (beforeRevision) {
  mkdirSync(beforeDir, { recursive: true });
  symlinkSync(path.join(repo, 'node_modules'), path.join(beforeDir, 'node_modules'));
  const archive = path.join(home, 'before.tar');
  execFileSync('git', ['archive', '-o', archive, beforeRevision], { cwd: repo });
  execFileSync('tar', ['-x', '-f', archive, '-C', beforeDir]);
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: beforeDir, stdio: 'ignore' });
}
const beforeBin = path.join(beforeDir, 'bin/labwright.js');

const lab = path.join(repo, 'labs/sagemaker-iam-roles/lab.yaml');
const editedDir = path.join(home, 'sagemaker-iam-roles');
cpSync(path.dirname(lab), editedDir, { recursive: true });
const edited = path.join(editedDir, 'lab.yaml');
timed(['validate', lab]); // the lab validated once, as before an author's next run
childCpuMs();
const validate: { wallMs: number; cpuMs: number }[] = [];
const validateEdited: { wallMs: number; cpuMs: number }[] = [];
const validateBefore: { wallMs: number; cpuMs: number }[] = [];
const version: { wallMs: number; cpuMs: number }[] = [];
for (let i = 0; i < runs; i++) {
  validate.push(timed(['validate', lab]));
  appendFileSync(edited, `# edit ${i}\n`);
  validateEdited.push(timed(['validate', edited]));
  if (beforeRevision) validateBefore.push(timed(['validate', lab], beforeBin));
  version.push(timed(['--version']));
}
const row = (name: string, samples: { wallMs: number; cpuMs: number }[]) =>
  `| ${name} | ${median(samples.map((s) => s.wallMs)).toFixed(0)} ms | ${Math.min(...samples.map((s) => s.wallMs)).toFixed(0)} ms | ${median(samples.map((s) => s.cpuMs)).toFixed(0)} ms |`;
console.log(`${runs} runs each, load ${os.loadavg()[0]!.toFixed(1)}, Node ${process.version}`);
console.log('| command | median wall | best wall | median CPU |');
console.log('| --- | ---: | ---: | ---: |');
console.log(row('labwright validate (Lesson 9.1, unchanged)', validate));
console.log(row('labwright validate (Lesson 9.1, just edited)', validateEdited));
if (beforeRevision) {
  console.log(
    row(`labwright validate (Lesson 9.1), the build of ${beforeRevision}`, validateBefore),
  );
}
console.log(row('labwright --version', version));
