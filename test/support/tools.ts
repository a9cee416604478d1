/**
 * External tools the tests drive (the aws CLI, python3 with boto3, moto_server).
 *
 *   const hasAws = requireTool('aws');
 *   describe.skipIf(!hasAws)('with the aws CLI', () => { ... });
 *
 * `requireTool` returns true when the tool works. When it is missing it throws if the CI
 * environment variable is set (a CI run must not silently skip), and returns false otherwise
 * (the caller skips). Probes run once per process.
 */
import { spawnSync } from 'node:child_process';

export type Tool = 'aws' | 'python3' | 'boto3' | 'moto_server';

const PROBES: Record<Tool, [string, string[]]> = {
  aws: ['aws', ['--version']],
  python3: ['python3', ['--version']],
  boto3: ['python3', ['-c', 'import boto3']],
  moto_server: ['moto_server', ['--help']],
};

const cache = new Map<Tool, boolean>();

export function inCI(): boolean {
  const ci = process.env.CI;
  return !!ci && ci !== 'false' && ci !== '0';
}

/** Whether the tool runs here (no CI handling). */
export function hasTool(name: Tool): boolean {
  let ok = cache.get(name);
  if (ok === undefined) {
    const [command, args] = PROBES[name];
    const result = spawnSync(command, args, { stdio: 'ignore', timeout: 30_000 });
    ok = result.status === 0;
    cache.set(name, ok);
  }
  return ok;
}

/** True when the tool is available; false to skip; throws under CI when it is missing. */
export function requireTool(name: Tool): boolean {
  if (hasTool(name)) return true;
  if (inCI()) throw new Error(`${name} is required when CI is set, but it is not installed`);
  return false;
}
