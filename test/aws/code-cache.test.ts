/**
 * The V8 code cache for the SDK's CommonJS modules (src/aws/code-cache.ts): the second load runs
 * from cached code, and a changed file, a damaged cache or LABWRIGHT_NO_CODE_CACHE never runs
 * anything but the file as it is now. Each load is its own Node process, as each CLI run is.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const codeCache = path.resolve(import.meta.dirname, '../../src/aws/code-cache.ts');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'labwright-code-cache-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Loads `module.cjs` from `dir` with the code cache in a new process: its value and the counts. */
function load(env: Record<string, string> = {}): {
  value: unknown;
  cached: number;
  compiled: number;
} {
  const script = `
    import { createRequire } from 'node:module';
    import { withCodeCache, codeCacheStats } from ${JSON.stringify(codeCache)};
    const require = createRequire(${JSON.stringify(path.join(dir, 'x.js'))});
    const value = withCodeCache(() => require('./module.cjs'));
    console.log(JSON.stringify({ value, ...codeCacheStats() }));
  `;
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    {
      env: {
        ...process.env,
        XDG_CACHE_HOME: path.join(dir, 'cache'),
        LABWRIGHT_NO_CODE_CACHE: '',
        ...env,
      },
      encoding: 'utf8',
    },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as {
    value: unknown;
    cached: number;
    compiled: number;
  };
}

const packFile = () =>
  path.join(dir, 'cache', 'labwright', 'v8', `${process.version}-${process.arch}.bin`);

describe('the SDK code cache', () => {
  it('compiles a module once, then runs it from the cache', () => {
    writeFileSync(path.join(dir, 'module.cjs'), 'module.exports = { answer: 6 * 7 };');
    expect(load()).toEqual({ value: { answer: 42 }, cached: 0, compiled: 1 });
    expect(existsSync(packFile())).toBe(true);
    expect(load()).toEqual({ value: { answer: 42 }, cached: 1, compiled: 0 });
  });

  it('never runs the code of a file that changed since', () => {
    const file = path.join(dir, 'module.cjs');
    writeFileSync(file, 'module.exports = "first";');
    load();
    // Same length (npm gives every file the same time, too): only the content tells.
    writeFileSync(file, 'module.exports = "other";');
    expect(load()).toMatchObject({ value: 'other', compiled: 1 });
    expect(load()).toMatchObject({ value: 'other', cached: 1 });
  });

  it('treats a damaged cache file as none, and rewrites it', () => {
    writeFileSync(path.join(dir, 'module.cjs'), 'module.exports = [1, 2, 3];');
    load();
    writeFileSync(packFile(), 'not a cache at all');
    expect(load()).toEqual({ value: [1, 2, 3], cached: 0, compiled: 1 });
    expect(load()).toEqual({ value: [1, 2, 3], cached: 1, compiled: 0 });
  });

  it('stays off with LABWRIGHT_NO_CODE_CACHE', () => {
    writeFileSync(path.join(dir, 'module.cjs'), 'module.exports = "plain";');
    expect(load({ LABWRIGHT_NO_CODE_CACHE: '1' })).toEqual({
      value: 'plain',
      cached: 0,
      compiled: 0,
    });
    expect(existsSync(packFile())).toBe(false);
  });
});
