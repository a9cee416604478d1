import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../package-root.js';
import { parse as parseYaml } from 'yaml';
import { MAX_ALIAS_COUNT, readRegularFile } from './files.js';

/**
 * Finding labs: the folders an author names (`--labs`, LABWRIGHT_LABS), the ones in ./labs of
 * the current folder (a lab author's work), then the ones shipped with labwright. A lab is a
 * folder holding lab.yaml.
 */

export interface LabEntry {
  id: string;
  title: string;
  file: string;
  source: 'local' | 'bundled';
}

/**
 * Where labs are looked for, in order: the folders given (`list --labs DIR`), the folders in
 * `LABWRIGHT_LABS` (separated by the platform's path separator, `:` on Linux and macOS), ./labs,
 * then the bundled labs.
 */
export function labRoots(
  cwd = process.cwd(),
  extra: readonly string[] = [],
  env: Readonly<Record<string, string | undefined>> = process.env,
): { dir: string; source: LabEntry['source'] }[] {
  const fromEnv = (env.LABWRIGHT_LABS ?? '').split(path.delimiter).filter(Boolean);
  const local = [...extra, ...fromEnv, 'labs'].map((dir) => path.resolve(cwd, dir));
  const bundled = path.join(packageRoot(), 'labs');
  const roots: { dir: string; source: LabEntry['source'] }[] = [];
  for (const dir of [...local, path.resolve(bundled)]) {
    if (roots.some((root) => root.dir === dir)) continue;
    roots.push({ dir, source: dir === path.resolve(bundled) ? 'bundled' : 'local' });
  }
  return roots;
}

/**
 * Labs found, in the order of a course: by title, numbers compared as numbers (Lesson 9.2 before
 * Lesson 9.10). A lab found first, in labRoots' order, hides a later one with the same id.
 */
export function discoverLabs(cwd = process.cwd(), extra: readonly string[] = []): LabEntry[] {
  const found = new Map<string, LabEntry>();
  for (const { dir, source } of labRoots(cwd, extra)) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const file = path.join(dir, name, 'lab.yaml');
      if (!existsSync(file)) continue;
      const { id, title } = peekLab(file, name);
      if (!found.has(id)) found.set(id, { id, title, file, source });
    }
  }
  return [...found.values()].sort((a, b) =>
    a.title.localeCompare(b.title, 'en', { numeric: true, sensitivity: 'base' }),
  );
}

/** Reads id and title without validating, so one broken lab does not hide the others. */
function peekLab(file: string, fallbackId: string): { id: string; title: string } {
  try {
    // The same limits as loading: a FIFO or a huge lab.yaml must not stall `labwright list`.
    const text = readRegularFile(file, file).toString('utf8');
    const data = parseYaml(text, { maxAliasCount: MAX_ALIAS_COUNT }) as {
      id?: unknown;
      title?: unknown;
    } | null;
    return {
      id: typeof data?.id === 'string' ? data.id : fallbackId,
      title: typeof data?.title === 'string' ? data.title : '(no title)',
    };
  } catch {
    return { id: fallbackId, title: '(does not parse: run labwright validate)' };
  }
}

/**
 * `<lab>` as given on the command line: a path to a lab.yaml or its folder, or a lab id.
 * Returns the lab.yaml path, or undefined when nothing matches.
 */
export function resolveLabArgument(argument: string, cwd = process.cwd()): string | undefined {
  const candidate = path.resolve(cwd, argument);
  if (existsSync(candidate)) {
    if (statSync(candidate).isDirectory()) {
      const inside = path.join(candidate, 'lab.yaml');
      return existsSync(inside) ? inside : undefined;
    }
    return candidate;
  }
  return discoverLabs(cwd).find((entry) => entry.id === argument)?.file;
}
