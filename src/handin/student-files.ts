import { lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Lab } from '../lab/schema.js';
import { interpolate } from '../lab/vars.js';
import { HandInError } from './format.js';

/**
 * The student's own files that a lab's checks read from their folder: a CloudFormation template
 * (`cfn.template`'s `file`), a Terraform file or folder, and so on. A check type that judges the
 * student's files names them in its `with` block under one of FILE_KEYS; checks that call AWS,
 * ask a quiz or run a shell command read none.
 */

const FILE_KEYS = ['file', 'files', 'dir', 'directory', 'path', 'template', 'terraform'];
const NOT_FILE_CHECKS = new Set(['aws.call', 'quiz', 'shell']);
/** Folders inside a student's folder that are never theirs to hand in. */
const SKIPPED_DIRS = new Set(['.terraform', '.git', 'node_modules']);
const MAX_FILE_BYTES = 5 * 1024 * 1024;
const MAX_TOTAL_BYTES = 20 * 1024 * 1024;

/** The paths (relative to the student's folder) the lab's checks read, as the student ran them. */
export function studentFilePaths(lab: Lab, vars: Readonly<Record<string, string>>): string[] {
  const found = new Set<string>();
  for (const step of lab.steps) {
    for (const check of step.checks) {
      if (NOT_FILE_CHECKS.has(check.type) || !check.with || typeof check.with !== 'object') {
        continue;
      }
      let filled: Record<string, unknown>;
      try {
        filled = interpolate(check.with as Record<string, unknown>, vars);
      } catch {
        continue;
      }
      for (const key of FILE_KEYS) {
        const value = filled[key];
        for (const item of Array.isArray(value) ? value : [value]) {
          if (typeof item === 'string' && item.trim()) found.add(item.trim());
        }
      }
    }
  }
  return [...found];
}

export interface CollectedFiles {
  /** base64 content by POSIX path relative to the student's folder. */
  files: Record<string, string>;
  /** What was left out and why, for the student to read. */
  skipped: string[];
}

/**
 * Reads those paths from the first of `folders` that has each (the student's folder, then the
 * lab's workspace): a file as itself, a folder as every regular file below it. Nothing outside
 * the folder, no symbolic link, nothing too large.
 */
export async function collectStudentFiles(
  folders: readonly string[],
  wanted: readonly string[],
): Promise<CollectedFiles> {
  const files: Record<string, string> = {};
  const skipped: string[] = [];
  let total = 0;
  const add = async (cwd: string, relative: string): Promise<void> => {
    const absolute = path.join(cwd, relative);
    const stats = await lstat(absolute).catch(() => undefined);
    if (!stats) return;
    if (stats.isSymbolicLink()) {
      skipped.push(`${relative}: a symbolic link (hand in the file itself)`);
    } else if (stats.isDirectory()) {
      const entries = await readdir(absolute, { withFileTypes: true });
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const entry of entries) {
        if (entry.isDirectory() && SKIPPED_DIRS.has(entry.name)) continue;
        await add(cwd, path.posix.join(relative, entry.name));
      }
    } else if (stats.isFile()) {
      if (stats.size > MAX_FILE_BYTES || total + stats.size > MAX_TOTAL_BYTES) {
        skipped.push(`${relative}: too large (${stats.size} bytes)`);
        return;
      }
      total += stats.size;
      files[relative] = (await readFile(absolute)).toString('base64');
    }
  };
  for (const item of wanted) {
    const relative = safeRelative(item);
    if (!relative) {
      skipped.push(`${item}: outside your folder, so not handed in`);
      continue;
    }
    const cwd = await firstHolding(folders, relative);
    if (cwd) await add(cwd, relative);
  }
  return { files, skipped };
}

async function firstHolding(folders: readonly string[], relative: string) {
  for (const folder of folders) {
    if (await lstat(path.join(folder, relative)).catch(() => undefined)) return folder;
  }
  return undefined;
}

/** A path inside the student's folder, as POSIX; undefined for absolute or escaping paths. */
export function safeRelative(item: string): string | undefined {
  if (item.includes('\0') || path.isAbsolute(item) || path.win32.isAbsolute(item)) return undefined;
  const normalized = path.posix.normalize(item.replace(/\\/g, '/'));
  if (normalized === '.' || normalized === '..' || normalized.startsWith('../')) return undefined;
  return normalized.replace(/\/+$/, '');
}

/**
 * Writes a hand-in's files into `dir` (a fresh, empty folder) as plain files: paths that leave the
 * folder or collide are refused, and nothing is followed or created but folders and files.
 */
export async function writeStudentFiles(
  dir: string,
  files: Readonly<Record<string, string>>,
): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    const relative = safeRelative(name);
    if (!relative || relative !== name) {
      throw new HandInError(
        `the hand-in holds a file named "${name}", outside the student's folder`,
      );
    }
    const target = path.join(dir, ...relative.split('/'));
    try {
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, Buffer.from(content, 'base64'), { flag: 'wx', mode: 0o600 });
    } catch (error) {
      throw new HandInError(
        `the hand-in's file ${name} cannot be laid out (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
    }
  }
}
