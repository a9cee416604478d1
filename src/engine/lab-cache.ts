import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readRegularFile } from '../lab/files.js';
import type { LoadResult } from '../lab/load.js';
import { packageInfo } from '../package-root.js';
import { cacheDir } from '../xdg.js';
import { writeAtomically } from './progress.js';

/**
 * Loading a lab parses its YAML with positions and validates every check's settings: a few
 * hundred milliseconds for Lesson 9.1, paid on every `labwright check`. A lab that loaded
 * once is kept as JSON under `${XDG_CACHE_HOME:-~/.cache}/labwright/labs/`, keyed by the
 * labwright version and build and the content of lab.yaml and the names, sizes and times of the
 * files beside it, so any edit loads (and is validated) afresh. Only labs without problems are
 * kept. `check` and the TUI load a lab without the AWS operation checks, `validate` with them:
 * each is kept under its own key.
 */

const MAX_LAB_FILES = 500;

export function labCacheDir(
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  return path.join(cacheDir(env), 'labs');
}

/** The lab as `check` and the TUI run it: operation names are `validate`'s job. */
export function loadLabForRun(file: string): Promise<LoadResult> {
  return loadLabCached(file, { checkOperations: false });
}

/** The lab as `validate` lints it: every check the loader has, the AWS operations included. */
export function loadLabForValidate(file: string): Promise<LoadResult> {
  return loadLabCached(file, { checkOperations: true });
}

async function loadLabCached(
  file: string,
  { checkOperations }: { checkOperations: boolean },
): Promise<LoadResult> {
  const absolute = path.resolve(file);
  const key = cacheKey(absolute, checkOperations);
  const cached = key ? readCached(path.join(labCacheDir(), `${key}.json`), absolute) : undefined;
  if (cached) return cached;
  // The loader, zod and the check specs load only on a miss: a hit needs none of them.
  const { loadLabFile } = await import('./load-lab.js');
  const result = await loadLabFile(absolute, { checkOperations });
  if (result.ok && key) {
    try {
      writeAtomically(path.join(labCacheDir(), `${key}.json`), JSON.stringify(result), {
        durable: false,
      });
    } catch {
      // A read-only or full disk only costs the next run the full load.
    }
  }
  return result;
}

function cacheKey(file: string, checkOperations: boolean): string | undefined {
  let text: Buffer;
  try {
    // A FIFO or a huge file is not read here: loading reports it.
    text = readRegularFile(file, file);
  } catch {
    return undefined;
  }
  const hash = createHash('sha256')
    .update(packageInfo().version)
    .update('\0')
    .update(buildId())
    .update(checkOperations ? '\0with operations\0' : '\0')
    .update(file)
    .update('\0')
    .update(text);
  const dir = path.dirname(file);
  let entries: string[];
  try {
    entries = readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
  } catch {
    return undefined;
  }
  if (entries.length > MAX_LAB_FILES) return undefined;
  for (const entry of entries) {
    try {
      const stat = statSync(path.join(dir, entry));
      hash.update(`\0${entry}\0${stat.size}\0${stat.mtimeMs}`);
    } catch {
      hash.update(`\0${entry}\0gone`);
    }
  }
  return hash.digest('hex').slice(0, 32);
}

/**
 * This build of labwright: the time its module was written. Every build writes every file of
 * dist/ anew, so a loader changed without a new version (a working copy) never meets the
 * verdicts of the one before.
 */
function buildId(): string {
  try {
    return String(statSync(fileURLToPath(import.meta.url)).mtimeMs);
  } catch {
    return '';
  }
}

function readCached(cacheFile: string, labFile: string): LoadResult | undefined {
  try {
    const result = JSON.parse(readFileSync(cacheFile, 'utf8')) as LoadResult;
    return result.ok && result.loaded.file === labFile ? result : undefined;
  } catch {
    return undefined;
  }
}
