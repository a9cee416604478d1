/**
 * Startup of the CLI and the TUI, beside `aws --version` in the same run (the same machine
 * load for all). Not a test: it prints a Markdown table for BENCHMARKS.md.
 *
 *   npx tsx bench/startup.ts [runs]
 *
 * It measures its own build of the working tree (scripts/build.mjs in a temporary copy of
 * the package, sharing src/ and node_modules), so a `npm run build` elsewhere cannot pull
 * dist/ from under it.
 *
 * - `labwright --version`: process start to exit.
 * - TUI first frame: `labwright run <lab>` in a pseudo-terminal (util-linux `script`), from
 *   spawn to the first frame Ink draws (the "Opening the lab" screen).
 * - TUI lab screen: to the step screen, with the lab loaded and the embedded sandbox started
 *   in the process (fresh state each run).
 * - The same first frame from a build that leaves every package in node_modules (the build
 *   before Ink and React were bundled), to show what bundling buys on this machine today.
 * - `node -e 0` and `script` around `true` are the floors.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { median } from './support/median.js';

const runs = Number(process.argv[2] ?? 10);
const repo = path.resolve(import.meta.dirname, '..');

/**
 * A private copy of the package: its own bin/, scripts/ and dist/, the rest linked. With
 * `unbundled`, its build leaves every package in node_modules, as the build did before.
 */
function privateBuild(unbundled = false): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'labwright-bench-pkg-'));
  for (const name of ['src', 'checks', 'labs', 'node_modules', 'tsconfig.json']) {
    symlinkSync(path.join(repo, name), path.join(root, name));
  }
  for (const file of [
    'package.json',
    'bin/labwright.js',
    'scripts/build.mjs',
    'scripts/build-slim-sdk.mjs',
  ]) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    copyFileSync(path.join(repo, file), path.join(root, file));
  }
  if (unbundled) {
    const script = path.join(root, 'scripts/build.mjs');
    const text = readFileSync(script, 'utf8');
    if (!text.includes('plugins: [choosePackages],'))
      throw new Error('scripts/build.mjs changed: update the bench');
    writeFileSync(script, text.replace('plugins: [choosePackages],', "packages: 'external',"));
  }
  const built = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('the build failed');
  return root;
}

const packageDir = privateBuild();
const bin = path.join(packageDir, 'bin/labwright.js');
const unbundledDir = privateBuild(true);
const unbundledBin = path.join(unbundledDir, 'bin/labwright.js');
process.on('exit', () => {
  rmSync(packageDir, { recursive: true, force: true });
  rmSync(unbundledDir, { recursive: true, force: true });
});

function timeExit(command: string, args: string[]): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { stdio: 'ignore', cwd: repo });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Runs the TUI in a pseudo-terminal; resolves with the ms until each marker first appears. */
function timeTui(markers: string[], entry = bin): Promise<number[]> {
  const state = mkdtempSync(path.join(os.tmpdir(), 'labwright-bench-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    XDG_STATE_HOME: state,
    TERM: 'xterm-256color',
    COLUMNS: '80',
    LINES: '24',
  };
  // Ink would not draw interactively in CI mode.
  for (const name of Object.keys(env))
    if (name === 'CI' || name.startsWith('CI_')) delete env[name];
  const command = `stty cols 80 rows 24; exec node ${entry} run sagemaker-iam-roles`;
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      cwd: repo,
      env,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const seen: number[] = [];
    let quitSent = false;
    child.stdin.on('error', () => undefined);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      while (seen.length < markers.length && output.includes(markers[seen.length]!)) {
        seen.push(Number(process.hrtime.bigint() - start) / 1e6);
      }
      if (seen.length === markers.length && !quitSent) {
        quitSent = true;
        child.stdin.write('q');
      }
    });
    child.on('error', reject);
    child.on('exit', () => {
      rmSync(state, { recursive: true, force: true });
      if (seen.length === markers.length) resolve(seen);
      else
        reject(new Error(`the TUI never showed ${markers[seen.length]}:\n${output.slice(-2000)}`));
    });
  });
}

const rows: [string, number[]][] = [
  ['node -e 0', []],
  ['script -qfec true (pty floor)', []],
  ['aws --version', []],
  ['labwright --version', []],
  ['labwright run: first frame', []],
  ['labwright run: lab screen (sandbox started)', []],
  ['labwright run: first frame, packages unbundled', []],
];
const series = (name: string) => rows.find(([label]) => label === name)![1];

// Interleaved, so a burst of load elsewhere hits every command alike.
for (let i = 0; i < runs; i++) {
  series('node -e 0').push(timeExit(process.execPath, ['-e', '0']));
  series('script -qfec true (pty floor)').push(timeExit('script', ['-qfec', 'true', '/dev/null']));
  series('aws --version').push(timeExit('aws', ['--version']));
  series('labwright --version').push(timeExit(process.execPath, [bin, '--version']));
  const [firstFrame, labScreen] = await timeTui(['Opening', 'Step 1/7']);
  series('labwright run: first frame').push(firstFrame!);
  series('labwright run: lab screen (sandbox started)').push(labScreen!);
  const [unbundledFrame] = await timeTui(['Opening'], unbundledBin);
  series('labwright run: first frame, packages unbundled').push(unbundledFrame!);
}

console.log(
  `${runs} runs each, interleaved; node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(2)}\n`,
);
console.log('| command | median ms | min ms | max ms |');
console.log('| --- | ---: | ---: | ---: |');
for (const [label, values] of rows) {
  const fmt = (n: number) => n.toFixed(0);
  console.log(
    `| ${label} | ${fmt(median(values))} | ${fmt(Math.min(...values))} | ${fmt(Math.max(...values))} |`,
  );
}
