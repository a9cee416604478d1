import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { LabFileError, readRegularFile } from '../../src/lab/files.js';

/**
 * Reading a student's own files (a CloudFormation template) for a check. When an instructor
 * grades, the folder is the student's `dir` from the roster and its content is the student's:
 * a symlink in it could put any file the instructor can read into results.json, and a FIFO
 * could hang the grader. So a file is read only when its real path stays inside the folder it
 * was found in, and only when it is a regular file under the lab file size limit.
 */

/** A student's file that labwright refuses to read; the message names it and says why. */
export class StudentFileError extends Error {
  override name = 'StudentFileError';
}

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * Reads `file`, found in the folder `base`: only when its real path stays inside that folder
 * (a link out of it is refused, naming where it points), and only a regular file under the size
 * limit. Throws StudentFileError, whose message names the file and the reason.
 */
export function readStudentFile(file: string, base: string, shown: string): string {
  const root = realpathOrUndefined(base) ?? base;
  const real = realpathOrUndefined(file);
  if (real === undefined) {
    throw new StudentFileError(
      isLink(file)
        ? `${shown} is a symbolic link to ${readlinkSync(file)}, which does not exist`
        : `${shown} cannot be read: no such file`,
    );
  }
  if (!isInside(root, real)) {
    throw new StudentFileError(
      `${shown} is a symbolic link out of the folder ${base} (to ${real}): labwright does not follow it`,
    );
  }
  try {
    return readRegularFile(real, shown).toString('utf8');
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

function isLink(file: string): boolean {
  return lstatSync(file, { throwIfNoEntry: false })?.isSymbolicLink() ?? false;
}
