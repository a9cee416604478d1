/**
 * A sandbox in a child process (`node bin/labwright.js sandbox --port 0`), for tests that measure
 * its memory: its peak RSS (VmHWM in /proc/<pid>/status) is the sandbox's alone, not vitest's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ChildSandbox {
  endpoint: string;
  pid: number;
  stateDir: string;
  /** Peak resident set size so far, in bytes (Linux; undefined elsewhere). */
  peakRss(): number | undefined;
  stop(): Promise<void>;
}

export async function startChildSandbox(): Promise<ChildSandbox> {
  const home = mkdtempSync(join(tmpdir(), 'labwright-hostile-'));
  const stateDir = join(home, 'state');
  const child: ChildProcess = spawn(
    process.execPath,
    ['bin/labwright.js', 'sandbox', '--port', '0', '--state', stateDir],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
  );
  let output = '';
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sandbox did not start: ${output}`)), 30_000);
    const onData = (data: Buffer) => {
      output += data.toString();
      const match = /listening on (http:\/\/[^\s]+)/.exec(
        output.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), ''),
      );
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sandbox exited (${code}): ${output}`));
    });
  });
  const pid = child.pid as number;
  return {
    endpoint,
    pid,
    stateDir,
    peakRss() {
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
        return kb === undefined ? undefined : Number(kb) * 1024;
      } catch {
        return undefined;
      }
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}
