import path from 'node:path';
import type { LabReport } from '../engine/report.js';
import type { Progress } from '../engine/progress.js';
import type { LoadedLab } from '../lab/load.js';
import { createBlobStore } from '../sandbox/blobs.js';
import { blobRefs, readJournal } from './journal.js';
import { packHandIn, type HandInBody, type HandInHeader } from './format.js';
import { labIdentity } from './lab-version.js';
import { workspaceDir } from '../engine/workspace.js';
import { collectStudentFiles, studentFilePaths } from './student-files.js';

/** What `labwright submit` gathers: everything a grader needs to redo the student's work. */

export interface BuildHandInOptions {
  loaded: LoadedLab;
  /** The sandbox's state folder, where journal.jsonl and blobs/ are. */
  stateDir: string;
  student: string;
  /** `--var` overrides as the student gave them (defaults are the lab's). */
  vars: Readonly<Record<string, string>>;
  /** Every variable, resolved: to find the student's files the checks read. */
  resolvedVars: Readonly<Record<string, string>>;
  region: string;
  progress: Progress;
  /** The student's folder. */
  cwd: string;
  /** The student's own report, for reference. */
  report: LabReport | null;
  now?: Date;
}

export interface BuiltHandIn {
  bytes: Buffer;
  header: HandInHeader;
  records: number;
  files: string[];
  /** Files left out and why, and uploads missing from the state folder. */
  warnings: string[];
}

export async function buildHandIn(options: BuildHandInOptions): Promise<BuiltHandIn> {
  const { loaded } = options;
  const identity = await labIdentity(loaded);
  const journal = await readJournal(options.stateDir);
  const store = createBlobStore(path.join(options.stateDir, 'blobs'));
  const blobs: Record<string, string> = {};
  const warnings: string[] = [];
  for (const hash of blobRefs(journal).sort()) {
    const data = await store.get(hash).catch(() => undefined);
    if (data) blobs[hash] = data.toString('base64');
    else warnings.push(`uploaded bytes ${hash.slice(0, 12)}… are missing from ${options.stateDir}`);
  }
  // Where the checks look: the folder submit runs from, then the lab's workspace (where the TUI
  // tells students to work); the grader lays them out in the student's folder.
  const collected = await collectStudentFiles(
    [options.cwd, workspaceDir(loaded.lab.id)],
    studentFilePaths(loaded.lab, options.resolvedVars),
  );
  warnings.push(...collected.skipped);

  const now = options.now ?? new Date();
  const data = options.progress.data;
  const startedAt = data.startedAt ?? null;
  const end = data.completedAt ?? now.toISOString();
  const header: HandInHeader = {
    lab: identity.id,
    labVersion: identity.version,
    student: options.student,
    submittedAt: now.toISOString(),
  };
  const body: Omit<HandInBody, 'seal'> = {
    vars: { ...options.vars },
    region: options.region,
    labFilesHash: identity.filesHash,
    progress: {
      startedAt,
      completedAt: data.completedAt ?? null,
      hintsSeen: { ...data.hintsSeen },
      answers: { ...data.answers },
      hintsUsed: options.progress.hintsUsed(),
      timeTakenMs: startedAt ? Math.max(0, Date.parse(end) - Date.parse(startedAt)) : null,
    },
    journal,
    blobs,
    files: collected.files,
    report: options.report,
  };
  return {
    bytes: packHandIn(header, body),
    header,
    records: journal.length,
    files: Object.keys(collected.files),
    warnings,
  };
}
