/**
 * The CLI as the benches run it: the real build (scripts/build.mjs) copied aside with
 * bin/labwright.js, inside node_modules so the bundle resolves its external packages as dist/
 * does, and each run under /usr/bin/time for its wall time and peak resident set.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';

export interface Measured {
  wallSeconds: number;
  peakRssMb: number;
  stdout: string;
  stderr: string;
  code: number;
}

export interface TimedCli {
  /** Runs `labwright ...args` in `cwd` without blocking this process (it may serve sandboxes). */
  measure(args: string[], cwd: string, env?: Record<string, string>): Promise<Measured>;
  /** Removes the copy. */
  remove(): Promise<void>;
}

export async function timedCli(name: string): Promise<TimedCli> {
  if (!existsSync('/usr/bin/time'))
    throw new Error(`bench/${name} measures with /usr/bin/time (apt-get install time)`);
  const root = path.resolve(import.meta.dirname, '../..');
  const bundleDir = path.join(
    root,
    'node_modules/.cache',
    `labwright-bench-${name}-${process.pid}`,
  );
  const bin = path.join(bundleDir, 'bin/labwright.js');
  const built = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('scripts/build.mjs failed');
  await mkdir(path.join(bundleDir, 'bin'), { recursive: true });
  await cp(path.join(root, 'dist'), path.join(bundleDir, 'dist'), { recursive: true });
  await cp(path.join(root, 'bin/labwright.js'), bin);
  await cp(path.join(root, 'package.json'), path.join(bundleDir, 'package.json'));

  const measure = (args: string[], cwd: string, env: Record<string, string> = {}) =>
    new Promise<Measured>((resolve, reject) => {
      const child = spawn('/usr/bin/time', ['-f', 'TIME %e %M', process.execPath, bin, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
        cwd,
        env: { ...process.env, NO_COLOR: '1', ...env },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code) => {
        const match = /TIME ([\d.]+) (\d+)/.exec(stderr);
        if (!match) return reject(new Error(`no timing from /usr/bin/time: ${stderr}`));
        resolve({
          wallSeconds: Number(match[1]),
          peakRssMb: Number(match[2]) / 1024,
          stdout,
          stderr: stderr.replace(match[0], '').trim(),
          code: code ?? -1,
        });
      });
    });
  return { measure, remove: () => rm(bundleDir, { recursive: true, force: true }) };
}
