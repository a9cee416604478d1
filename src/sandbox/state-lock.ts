/**
 * One sandbox per state folder: the one that serves it holds `<state>/sandbox.lock` (its pid).
 * A lock whose process is gone (a crash, kill -9) is taken over, so it is never held forever.
 */
import { openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'sandbox.lock';

/** Another live process serves this state folder. */
export class SandboxLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(`another labwright sandbox (process ${pid}) is using the state folder ${dir}`);
    this.name = 'SandboxLockedError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holder(file: string): number | undefined {
  try {
    const pid = Number((JSON.parse(readFileSync(file, 'utf8')) as { pid?: unknown }).pid);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the folder's lock; returns its release. Throws SandboxLockedError when it is held. */
export function lockStateDir(dir: string): () => void {
  const file = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = holder(file);
      // A lock being written has no pid yet: only a dead holder's (or a garbled) lock is taken over.
      if (pid !== undefined && (pid === process.pid || isAlive(pid))) {
        throw new SandboxLockedError(dir, pid);
      }
      if (pid === undefined && attempt === 0) continue;
      rmSync(file, { force: true });
      continue;
    }
    writeSync(fd, JSON.stringify({ pid: process.pid }));
    closeSync(fd);
    return () => {
      if (holder(file) === process.pid) rmSync(file, { force: true });
    };
  }
  throw new SandboxLockedError(dir, holder(file) ?? 0);
}
