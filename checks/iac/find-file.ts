/**
 * Where a student's own file is: the folder they run labwright from, then the lab's workspace
 * (where the TUI tells them to `cd`), then the lab folder (a copy the lab ships, said so).
 */
import { lstat, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { CheckContext } from '../define.js';

export type FoundIn = 'working directory' | 'workspace' | 'lab folder';

export interface Found {
  path: string;
  /** The folder it was found in; names are shown relative to it. */
  base: string;
  from: FoundIn;
}

async function isThere(path: string): Promise<boolean> {
  const entry = await lstat(path).catch(() => undefined);
  if (!entry) return false;
  return !(await stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  ));
}

export function searchedFolders(ctx: CheckContext): { dir: string; from: FoundIn }[] {
  const folders: { dir: string; from: FoundIn }[] = [{ dir: ctx.cwd, from: 'working directory' }];
  if (ctx.workspace && resolve(ctx.workspace) !== resolve(ctx.cwd)) {
    folders.push({ dir: ctx.workspace, from: 'workspace' });
  }
  folders.push({ dir: ctx.labDir, from: 'lab folder' });
  return folders;
}

/**
 * The first of the searched folders that holds `file`: a file, or whatever `accepts` takes
 * (a Terraform configuration: a .tf file, or a folder with one).
 */
export async function findStudentFile(
  file: string,
  ctx: CheckContext,
  options: { accepts?: (path: string) => Promise<boolean> } = {},
): Promise<Found | undefined> {
  // Anything there but a folder: a FIFO or a link is found, and then refused by name when read.
  const accepts = options.accepts ?? isThere;
  if (isAbsolute(file)) {
    return (await accepts(file))
      ? { path: file, base: ctx.cwd, from: 'working directory' }
      : undefined;
  }
  for (const { dir, from } of searchedFolders(ctx)) {
    const path = resolve(dir, file);
    if (await accepts(path)) return { path, base: dir, from };
  }
  return undefined;
}

/** `in your working folder`, `in the workspace (~/.local/...)`, `from the lab folder`. */
export function describeFound(found: Found): string {
  switch (found.from) {
    case 'working directory':
      return 'in your working folder';
    case 'workspace':
      return `in the lab's workspace ${found.base}`;
    case 'lab folder':
      return 'from the lab folder; none in your working directory';
  }
}

/** `looked in A, in the workspace B and in the lab folder C` */
export function describeSearch(ctx: CheckContext): string {
  return searchedFolders(ctx)
    .map(({ dir, from }) =>
      from === 'working directory'
        ? dir
        : from === 'workspace'
          ? `the workspace ${dir}`
          : `the lab folder ${dir}`,
    )
    .join(', ')
    .replace(/, ([^,]*)$/, ' and $1');
}
