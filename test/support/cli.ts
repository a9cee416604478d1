import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import path from 'node:path';

const bin = path.resolve(__dirname, '../../bin/labwright.js');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real, bundled CLI as a user would (test/global-setup.ts builds it). */
export function labwright(args: string[], options: SpawnSyncOptions = {}): CliResult {
  const result = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    ...options,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
  });
  return { status: result.status, stdout: String(result.stdout), stderr: String(result.stderr) };
}
