import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { writeAtomically } from '../engine/progress.js';
import { stateDir } from '../xdg.js';

/**
 * The sandbox target: one sandbox per state folder. If one is already running for the folder
 * (the TUI in another terminal, or `labwright sandbox`), labwright uses it, so every terminal
 * sees the same account; otherwise it starts one in this process for as long as the command
 * runs. A running sandbox is recorded in `<state>/server.json` ({ pid, port, endpoint }),
 * health-probed before use, and the record is removed when that sandbox stops.
 */

export interface SandboxRecord {
  pid: number;
  port: number;
  endpoint: string;
}

export interface SandboxHandle {
  endpoint: string;
  /** True when this process started it (and stops it). */
  owned: boolean;
  /** After stop(): whether every call it answered is on disk (a failed write is said when it happens). */
  saved(): boolean;
  stateDir: string;
  stop(): Promise<void>;
}

export const PREFERRED_PORT = 4566;

export function defaultSandboxStateDir(): string {
  return path.join(stateDir(), 'sandbox');
}

function recordFile(dir: string): string {
  return path.join(dir, 'server.json');
}

/** The sandbox recorded for `dir`, if its process lives and it answers its health probe. */
export async function findRunningSandbox(dir: string): Promise<SandboxRecord | undefined> {
  const file = recordFile(dir);
  if (!existsSync(file)) return undefined;
  let record: SandboxRecord;
  try {
    record = JSON.parse(readFileSync(file, 'utf8')) as SandboxRecord;
  } catch {
    return undefined;
  }
  if (!isAlive(record.pid)) return undefined;
  return (await isHealthy(record.endpoint)) ? record : undefined;
}

export async function isHealthy(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/_labwright/health`, {
      signal: AbortSignal.timeout(1500),
    });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
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

/** Uses the sandbox running for the state folder, or starts one in this process. */
export async function ensureSandbox(options: { stateDir?: string } = {}): Promise<SandboxHandle> {
  const dir = options.stateDir ?? defaultSandboxStateDir();
  // Two commands starting at the same moment: one takes the folder's lock and serves it, the
  // other waits for its record and uses it.
  for (let attempt = 0; ; attempt++) {
    const running = await findRunningSandbox(dir);
    if (running) return borrow(dir, running);
    try {
      return await startRecordedSandbox({
        stateDir: dir,
        port: PREFERRED_PORT,
        fallbackToFreePort: true,
      });
    } catch (error) {
      const locked = error instanceof Error && error.name === 'SandboxLockedError';
      if (!locked || attempt >= LOCK_WAIT_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * Uses another process's sandbox. Should that process end first (the TUI quits while `check`
 * runs), this one takes the folder over on the same port, so calls under way retry onto it.
 */
function borrow(dir: string, running: SandboxRecord): SandboxHandle {
  let takeover: Promise<SandboxHandle | undefined> | undefined;
  const watch = setInterval(() => {
    if (takeover || isAlive(running.pid)) return;
    clearInterval(watch);
    takeover = startRecordedSandbox({ stateDir: dir, port: running.port }).catch(() => undefined);
  }, 100);
  watch.unref();
  return {
    endpoint: running.endpoint,
    owned: false,
    stateDir: dir,
    saved: () => true,
    async stop() {
      clearInterval(watch);
      await (await takeover)?.stop();
    },
  };
}

/** How long (in tenths of a second) to wait for a sandbox that holds the folder to be recorded. */
const LOCK_WAIT_ATTEMPTS = 50;

/**
 * Starts a sandbox in this process and records it while it runs. With `fallbackToFreePort`, a
 * busy preferred port means any free one; without it, a busy port throws (EADDRINUSE).
 */
export async function startRecordedSandbox(options: {
  stateDir: string;
  port: number;
  fallbackToFreePort?: boolean;
  reset?: boolean;
}): Promise<SandboxHandle> {
  const { startSandbox } = await import('../sandbox/server.js');
  const log = (message: string) => process.stderr.write(`[sandbox] ${message}\n`);
  const start = (port: number) =>
    startSandbox({
      port,
      stateDir: options.stateDir,
      log,
      ...(options.reset ? { reset: true } : {}),
    });
  let sandbox;
  try {
    sandbox = await start(options.port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || !options.fallbackToFreePort)
      throw error;
    sandbox = await start(0);
  }
  const file = recordFile(options.stateDir);
  const record: SandboxRecord = {
    pid: process.pid,
    port: sandbox.port,
    endpoint: sandbox.endpoint,
  };
  writeAtomically(file, `${JSON.stringify(record)}\n`);
  const removeRecord = () => {
    try {
      const current = JSON.parse(readFileSync(file, 'utf8')) as SandboxRecord;
      if (current.pid === process.pid && current.port === record.port)
        rmSync(file, { force: true });
    } catch {
      // Already gone, or replaced by another sandbox's record: leave it.
    }
  };
  // A Ctrl-C or an uncaught error must not leave a record pointing at nothing.
  process.once('exit', removeRecord);
  let stopped: Promise<void> | undefined;
  return {
    endpoint: sandbox.endpoint,
    owned: true,
    stateDir: options.stateDir,
    saved: () => !sandbox.core.journal?.behind,
    stop() {
      stopped ??= sandbox.stop().finally(() => {
        removeRecord();
        process.removeListener('exit', removeRecord);
      });
      return stopped;
    },
  };
}
