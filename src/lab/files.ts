import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

/**
 * Files a lab refers to with `{ file: path }`: documents (JSON or YAML) that live in the lab
 * folder. A reference may never leave that folder, not even through a symlink.
 */

export class LabFileError extends Error {
  override name = 'LabFileError';
}

/** The absolute path of `ref`, refusing anything outside `labDir`. */
export function resolveLabFile(labDir: string, ref: string): string {
  if (path.isAbsolute(ref))
    throw new LabFileError(`file ${ref} must be a path relative to the lab folder`);
  const root = realpathSync(labDir);
  const candidate = path.resolve(root, ref);
  if (!isInside(root, candidate)) throw new LabFileError(`file ${ref} is outside the lab folder`);
  let real: string;
  try {
    real = realpathSync(candidate);
  } catch {
    throw new LabFileError(`file ${ref} does not exist (looked in ${path.dirname(candidate)})`);
  }
  if (!isInside(root, real)) throw new LabFileError(`file ${ref} links outside the lab folder`);
  return real;
}

/**
 * Reads a file from the lab folder: .json, .yaml and .yml files are parsed as documents,
 * anything else (a CSV, a script) is returned as text.
 */
export function readLabDocument(labDir: string, ref: string): unknown {
  const file = resolveLabFile(labDir, ref);
  const text = readFileSync(file, 'utf8');
  const kind = /\.json$/i.test(file) ? 'JSON' : /\.ya?ml$/i.test(file) ? 'YAML' : 'text';
  if (kind === 'text') return text;
  try {
    return kind === 'JSON' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    throw new LabFileError(`file ${ref} is not valid ${kind}: ${reason}`);
  }
}

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** Is this value a `{ file: path }` reference? */
export function isFileRef(value: unknown): value is { file: string } {
  return (
    !!value &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    typeof (value as { file?: unknown }).file === 'string'
  );
}
