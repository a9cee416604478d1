/**
 * `labwright check` of the whole of Lesson 9.1, beside its peer: the same checks written as a
 * bash script of aws CLI calls and jq (bench/peer-check.sh), against the same endpoint, in the
 * same run, interleaved so both see the same machine load. Not a test: it prints a Markdown
 * table for BENCHMARKS.md.
 *
 *   npx tsx bench/check.ts [runs, default 5]
 *
 * The endpoint is the embedded sandbox, started in this process (memory only), with the lab
 * solved once (`labwright solve`) so every required check passes for both tools. Wall time is
 * spawn to exit; CPU is the child's user + system time.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox } from '../src/sandbox/server.js';
import { childCpuMeter } from './support/proc-cpu.js';
import { median } from './support/median.js';

const runs = Number(process.argv[2] ?? 5);
const repo = path.resolve(import.meta.dirname, '..');
// A copy of the CLI of its own (inside node_modules, so it resolves its packages as dist/
// does): tests elsewhere rebuild dist/ while a benchmark runs.
const bundleDir = path.join(repo, 'node_modules/.cache', `labwright-bench-check-${process.pid}`);
const bin = path.join(bundleDir, 'bin/labwright.js');
const peer = path.join(repo, 'bench/peer-check.sh');
const home = mkdtempSync(path.join(os.tmpdir(), 'labwright-bench-check-'));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  XDG_STATE_HOME: path.join(home, 'state'),
  XDG_CACHE_HOME: path.join(home, 'cache'),
  NO_COLOR: '1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_DEFAULT_REGION: 'us-east-1',
};
delete env.AWS_PROFILE;

interface Sample {
  wallMs: number;
  cpuMs: number;
}

/** Runs a command to completion without blocking this process: the sandbox lives here. */
async function timed(
  command: string,
  args: string[],
  expectStatus = 0,
  cwd = home,
): Promise<Sample & { stdout: string; stderr: string }> {
  const start = process.hrtime.bigint();
  const { status, stdout, stderr } = await new Promise<{
    status: number | null;
    stdout: string;
    stderr: string;
  }>((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ status: code, stdout: out, stderr: err }));
  });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (expectStatus >= 0 && status !== expectStatus) {
    throw new Error(`${command} ${args.join(' ')} exited ${status}:\n${stdout}\n${stderr}`);
  }
  return { wallMs, cpuMs: childCpuMs(), stdout, stderr };
}

const childCpuMs = childCpuMeter();

// The real build (scripts/build.mjs swaps dist/ in whole), copied aside at once.
await timed(process.execPath, [path.join(repo, 'scripts/build.mjs')], 0, repo);
mkdirSync(path.join(bundleDir, 'bin'), { recursive: true });
cpSync(path.join(repo, 'dist'), path.join(bundleDir, 'dist'), { recursive: true });
cpSync(path.join(repo, 'bin/labwright.js'), bin);

const sandbox = await startSandbox({
  port: 0,
  memory: true,
  timing: { notebookTransitionMs: 100, trainingJobMs: 300 },
  log: () => undefined,
});
try {
  const endpoint = sandbox.endpoint;
  await timed(process.execPath, [bin, 'solve', 'sagemaker-iam-roles', '--endpoint', endpoint]);
  childCpuMs();
  // One warm-up each: the lab cache and the OS file cache, as for a student's second check.
  await timed(process.execPath, [bin, 'check', 'sagemaker-iam-roles', '--endpoint', endpoint]);
  await timed('bash', [peer, endpoint]);
  childCpuMs();

  const labwright: Sample[] = [];
  const script: Sample[] = [];
  // Floors, in the same run: what starting Node, and starting the aws CLI once, cost here now.
  const node: Sample[] = [];
  const awsVersion: Sample[] = [];
  let checks = 0;
  for (let i = 0; i < runs; i++) {
    const ours = await timed(process.execPath, [
      bin,
      'check',
      'sagemaker-iam-roles',
      '--endpoint',
      endpoint,
      '--json',
    ]);
    labwright.push(ours);
    checks = (JSON.parse(ours.stdout) as { steps: { checks: unknown[] }[] }).steps.flatMap(
      (s) => s.checks,
    ).length;
    script.push(await timed('bash', [peer, endpoint]));
    node.push(await timed(process.execPath, ['-e', '0']));
    awsVersion.push(await timed('aws', ['--version']));
  }
  // How many aws CLI calls the script makes: its trace, counted once outside the timing.
  const trace = (await timed('bash', ['-x', peer, endpoint])).stderr;
  const calls = trace.split('\n').filter((line) => /^\++ aws /.test(line)).length;

  const load = os
    .loadavg()
    .map((n) => n.toFixed(1))
    .join(' ');
  const ourWall = median(labwright.map((s) => s.wallMs));
  const theirWall = median(script.map((s) => s.wallMs));
  const row = (name: string, samples: Sample[]) =>
    `| ${name} | ${median(samples.map((s) => s.wallMs)).toFixed(0)} | ${Math.min(...samples.map((s) => s.wallMs)).toFixed(0)} | ${median(samples.map((s) => s.cpuMs)).toFixed(0)} |`;
  console.log(
    `\n${runs} runs each, interleaved; ${os.cpus().length} cores, load average ${load}; ${new Date().toISOString()}\n`,
  );
  console.log('| what | median wall ms | best wall ms | median CPU ms |');
  console.log('| --- | ---: | ---: | ---: |');
  console.log(
    row(
      `\`labwright check sagemaker-iam-roles --endpoint E --json\` (${checks} checks)`,
      labwright,
    ),
  );
  console.log(
    row(
      `\`bench/peer-check.sh E\` (the same required checks, ${calls} aws CLI calls + jq)`,
      script,
    ),
  );
  console.log(row('floor: `node -e 0`', node));
  console.log(row('floor: `aws --version` (one aws CLI start)', awsVersion));
  console.log(`\nlabwright is ${(theirWall / ourWall).toFixed(1)}x faster (median wall).`);
} finally {
  await sandbox.stop();
  rmSync(bundleDir, { recursive: true, force: true });
}
