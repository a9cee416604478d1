import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { LabFileError, readRegularFile, resolveLabFile } from '../../src/lab/files.js';

/**
 * Reading a student's own files (a CloudFormation template) for a check. When an instructor
 * grades, the folder is the student's `dir` from the roster and its content is the student's:
 * a symlink in it could put any file the instructor can read into results.json, and a FIFO
 * could hang the grader. So a file is read only when its real path stays inside the folder,
 * and only when it is a regular file under the lab file size limit.
 */

/** A student's file that labwright refuses to read; the message names it and says why. */
export class StudentFileError extends Error {
  override name = 'StudentFileError';
}

export interface FoundFile {
  /** The real path, inside the folder it was found in. */
  path: string;
  from: 'working directory' | 'lab folder';
}

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * `file` in the student's folder `cwd` (an absolute path, written by the lab author, as is),
 * else in the lab folder; undefined when neither has it. Throws StudentFileError when the
 * student's copy is a link that leaves their folder.
 */
export function findStudentFile(file: string, cwd: string, labDir: string): FoundFile | undefined {
  if (path.isAbsolute(file)) {
    return isThere(file) ? { path: file, from: 'working directory' } : undefined;
  }
  const root = realpathSync(cwd);
  const candidate = path.resolve(root, file);
  if (!isInside(root, candidate))
    throw new StudentFileError(`${file} is outside the working folder ${cwd}: not read`);
  const real = realpathOrUndefined(candidate);
  if (real !== undefined) {
    if (!isInside(root, real)) {
      throw new StudentFileError(
        `${file} is a symbolic link out of the working folder ${cwd} (to ${real}): labwright does not follow it`,
      );
    }
    return { path: real, from: 'working directory' };
  }
  if (isLink(candidate)) {
    // A dangling link: say so rather than "no such file", which would puzzle its owner.
    throw new StudentFileError(
      `${file} is a symbolic link to ${readlinkSync(candidate)}, which does not exist`,
    );
  }
  try {
    return { path: resolveLabFile(labDir, file), from: 'lab folder' };
  } catch {
    return undefined;
  }
}

/** Reads a file `findStudentFile` found: a regular file under the size limit, or throws. */
export function readStudentFile(found: FoundFile, shown: string): string {
  try {
    return readRegularFile(found.path, shown).toString('utf8');
  } catch (error) {
    if (error instanceof LabFileError) throw new StudentFileError(error.message);
    throw error;
  }
}

function realpathOrUndefined(file: string): string | undefined {
  try {
    return realpathSync(file);
  } catch {
    return undefined;
  }
}

function isThere(file: string): boolean {
  return lstatSync(file, { throwIfNoEntry: false }) !== undefined;
}

function isLink(file: string): boolean {
  return lstatSync(file, { throwIfNoEntry: false })?.isSymbolicLink() ?? false;
}
