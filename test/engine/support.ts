/**
 * Running the real CLI (node bin/labwright.js, bundled once by test/global-setup.ts) the way a
 * student does, in a temporary home: its own XDG state folder (progress, sandbox state) and
 * working folder, so tests never touch each other's or the user's state.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { writeAtomically } from '../../src/engine/progress.js';
import { silenceSdkNodeVersionWarning } from '../../src/aws/quiet-sdk.js';

// The tests' own SDK clients (used to break things as a student would) stay quiet too.
silenceSdkNodeVersionWarning();

export const REPO = path.resolve(__dirname, '../..');
export const BIN = path.join(REPO, 'bin/labwright.js');
export const LAB = path.join(REPO, 'labs/sagemaker-iam-roles/lab.yaml');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface Home {
  dir: string;
  stateHome: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** A fresh state folder and working folder. */
export function makeHome(): Home {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'labwright-engine-'));
  const stateHome = path.join(dir, 'state');
  const cwd = path.join(dir, 'work');
  mkdirSync(cwd, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    XDG_STATE_HOME: stateHome,
    XDG_CACHE_HOME: path.join(dir, 'cache'),
    NO_COLOR: '1',
  };
  // The student's own AWS settings must not leak into the runs.
  for (const name of [
    'AWS_ENDPOINT_URL',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_PROFILE',
    'LOCALSTACK_HOST',
  ]) {
    delete env[name];
  }
  return { dir, stateHome, cwd, env };
}

/** Runs `labwright ...args` to completion (asynchronously, so a sandbox in this process keeps serving). */
export function labwright(
  home: Home,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: home.cwd,
      env: { ...home.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/**
 * A sandbox in the test process for `home`, recorded in its server.json exactly as a running
 * `labwright sandbox` would be, so the CLI attaches to it. Short timings keep training jobs
 * and notebooks quick.
 */
export async function sharedSandbox(home: Home): Promise<Sandbox> {
  const stateDir = path.join(home.stateHome, 'labwright', 'sandbox');
  const sandbox = await startSandbox({
    port: 0,
    stateDir,
    timing: { notebookTransitionMs: 200, trainingJobMs: 500 },
    log: () => undefined,
  });
  writeAtomically(
    path.join(stateDir, 'server.json'),
    JSON.stringify({ pid: process.pid, port: sandbox.port, endpoint: sandbox.endpoint }),
  );
  return sandbox;
}

/** What a stack trace looks like in output: a student must never see one. */
export const STACK_FRAME = /^\s+at .+\(.+:\d+:\d+\)$/m;
