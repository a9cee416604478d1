import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readSync,
  realpathSync,
  statSync,
} from 'node:fs';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';

/**
 * Files a lab refers to with `{ file: path }`: documents (JSON or YAML) that live in the lab
 * folder. A reference may never leave that folder, not even through a symlink.
 */

export class LabFileError extends Error {
  override name = 'LabFileError';
}

/**
 * The most a lab file (lab.yaml, or a document it names) may hold. The lesson's lab.yaml is
 * 33 kB and CloudFormation takes templates of at most 1 MB; a bigger file is a mistake or an
 * attack, and the YAML parser needs many times a file's size in memory.
 */
export const MAX_LAB_FILE_BYTES = 1024 * 1024;

/** How deeply a lab document may nest: lab.yaml needs 8 levels, a CloudFormation template 20. */
export const MAX_LAB_DEPTH = 100;

/** Aliases a YAML document may expand (the yaml library's own bound on billion laughs). */
export const MAX_ALIAS_COUNT = 100;

/**
 * Reads a regular file of at most `limit` bytes, or throws a LabFileError saying what `shown`
 * is instead. The type is checked before opening, and again on the open descriptor (opened
 * non-blocking), so a FIFO swapped in between cannot hang the read either.
 */
export function readRegularFile(file: string, shown: string, limit = MAX_LAB_FILE_BYTES): Buffer {
  let stat: Stats;
  try {
    stat = statSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new LabFileError(
      `cannot read ${shown}: ${code === 'ENOENT' ? 'no such file' : (code ?? 'error')}`,
    );
  }
  checkStat(stat, shown, limit);
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw new LabFileError(`cannot read ${shown}: ${(error as NodeJS.ErrnoException).code}`);
  }
  try {
    checkStat(fstatSync(fd), shown, limit);
    // Read at most one byte past the limit: a file that grew since fstat is still refused.
    const buffer = Buffer.alloc(Math.min(stat.size, limit) + 1);
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length === buffer.length) {
        if (length > limit) throw tooBig(shown, limit);
        break;
      }
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

function checkStat(stat: Stats, shown: string, limit: number): void {
  if (stat.isDirectory()) throw new LabFileError(`${shown} is a folder, not a file`);
  if (!stat.isFile()) {
    const kind = stat.isFIFO()
      ? 'a named pipe (FIFO)'
      : stat.isSocket()
        ? 'a socket'
        : stat.isCharacterDevice() || stat.isBlockDevice()
          ? 'a device'
          : 'not a regular file';
    throw new LabFileError(`${shown} is ${kind}: only regular files are read`);
  }
  if (stat.size > limit) throw tooBig(shown, limit, stat.size);
}

function tooBig(shown: string, limit: number, size?: number): LabFileError {
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  const is = size === undefined ? `more than ${mb(limit)}` : mb(size);
  return new LabFileError(`${shown} is ${is}; lab files may be at most ${mb(limit)}`);
}

/**
 * Where a parsed document nests deeper than MAX_LAB_DEPTH or contains itself (a YAML alias
 * inside its own anchor), as the path to that place; undefined when it is a tree of bounded
 * depth. Every walk over lab data recurses, so this runs before any of them.
 */
export function shapeProblem(
  value: unknown,
): { path: (string | number)[]; message: string } | undefined {
  const ancestors: object[] = [];
  const done = new WeakSet<object>();
  const path: (string | number)[] = [];
  const walk = (node: unknown): string | undefined => {
    if (!node || typeof node !== 'object') return undefined;
    if (ancestors.includes(node)) return 'refers to itself (a YAML alias inside its own anchor)';
    if (done.has(node)) return undefined;
    if (ancestors.length >= MAX_LAB_DEPTH) return `nests deeper than ${MAX_LAB_DEPTH} levels`;
    ancestors.push(node);
    const entries: [string | number, unknown][] = Array.isArray(node)
      ? node.map((item, index) => [index, item])
      : Object.entries(node);
    for (const [key, item] of entries) {
      path.push(key);
      const problem = walk(item);
      if (problem) return problem;
      path.pop();
    }
    ancestors.pop();
    done.add(node);
    return undefined;
  };
  const message = walk(value);
  return message ? { path, message } : undefined;
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
  const text = readRegularFile(file, `file ${ref}`).toString('utf8');
  const kind = /\.json$/i.test(file) ? 'JSON' : /\.ya?ml$/i.test(file) ? 'YAML' : 'text';
  if (kind === 'text') return text;
  let value: unknown;
  try {
    value = kind === 'JSON' ? JSON.parse(text) : parseYamlDocument(text);
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    throw new LabFileError(`file ${ref} is not valid ${kind}: ${reason}`);
  }
  const shape = shapeProblem(value);
  if (shape) {
    // A path 100 levels deep says nothing more than "too deep".
    const where = shape.path.length && shape.path.length <= 10 ? ` at ${shape.path.join('.')}` : '';
    throw new LabFileError(`file ${ref} ${shape.message}${where}`);
  }
  return value;
}

/** One YAML document, its aliases bounded; the first error is thrown. */
function parseYamlDocument(text: string): unknown {
  const doc = parseDocument(text, { prettyErrors: false });
  const [error] = doc.errors;
  if (error) throw error;
  return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
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
