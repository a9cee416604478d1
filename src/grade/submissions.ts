import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { HandInError, readHandInHeader } from '../handin/format.js';
import type { RosterStudent } from './roster.js';

/**
 * `grade --submissions <dir or files...>`: the class is the hand-ins. Each `*.labwright` file in a
 * folder (not below it), or each file named, is a student, whose id is the name the hand-in was
 * written for. Only each file's clear header is read here; a file that is not a hand-in, or a
 * second hand-in for the same student, is graded as an error row naming the file.
 */

export const HAND_IN_EXTENSION = '.labwright';

export async function handInFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const given of paths) {
    const absolute = path.resolve(given);
    const stats = await stat(absolute).catch(() => undefined);
    if (!stats) throw new Error(`--submissions ${given}: no such file or folder`);
    if (stats.isDirectory()) {
      const names = (await readdir(absolute, { withFileTypes: true }))
        .filter((entry) => entry.isFile() && entry.name.endsWith(HAND_IN_EXTENSION))
        .map((entry) => entry.name)
        .sort();
      files.push(...names.map((name) => path.join(absolute, name)));
    } else {
      files.push(absolute);
    }
  }
  return [...new Set(files)];
}

/** The hand-ins as roster students, in the order of their files. */
export async function handInStudents(files: readonly string[]): Promise<RosterStudent[]> {
  const students: RosterStudent[] = [];
  const firstFile = new Map<string, string>();
  for (const file of files) {
    const base = path.basename(file);
    let id = base;
    let refusal: string | undefined;
    try {
      id = (await readHeader(file)).student;
    } catch (error) {
      refusal = `${base}: ${(error as Error).message}`;
    }
    const first = firstFile.get(id);
    if (first !== undefined) {
      refusal = `${base} is a second hand-in for student ${id}; the first is ${path.basename(first)}`;
      id = `${id} (${base})`;
    } else {
      firstFile.set(id, file);
    }
    students.push({
      id,
      line: 0,
      access: { kind: 'submission', file },
      vars: {},
      ...(refusal ? { refusal } : {}),
    });
  }
  return students;
}

async function readHeader(file: string) {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return readHandInHeader(buffer.subarray(0, bytesRead)).header;
  } catch (error) {
    if (error instanceof HandInError) throw error;
    throw new HandInError(`cannot read it (${(error as NodeJS.ErrnoException).code ?? error})`);
  } finally {
    await handle.close();
  }
}
