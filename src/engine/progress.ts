import {
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  openSync,
  fsyncSync,
  closeSync,
} from 'node:fs';
import path from 'node:path';
import { stateDir } from '../xdg.js';
import type { Status } from './report.js';

/**
 * A student's progress in one lab on one target: hints seen, quiz answers, the last verdict of
 * each check, when they started and finished. One JSON file per lab and target under
 * `${XDG_STATE_HOME:-~/.local/state}/labwright/progress/<lab>/<target>.json`.
 *
 * The TUI and the CLI may both have it open (two terminals), so every change re-reads the
 * file, applies itself and writes the whole file atomically (temporary file, fsync, rename):
 * a crash mid-write leaves the previous file, never half of one.
 */

export interface CheckProgress {
  status: Status;
  message: string;
  at: string;
}

export interface ProgressData {
  version: 1;
  lab: string;
  target: string;
  startedAt: string;
  completedAt?: string;
  /** The step the student was on, so the TUI resumes there. */
  currentStep?: string;
  /** Hints seen, by `step/check`. */
  hintsSeen: Record<string, number>;
  /** Quiz answers: question id -> index of the chosen answer. */
  answers: Record<string, number>;
  /** The last verdict of each check, by `step/check`. */
  checks: Record<string, CheckProgress>;
}

type Env = Readonly<Record<string, string | undefined>>;

export function progressFile(labId: string, targetKey: string, env: Env = process.env): string {
  return path.join(stateDir(env), 'progress', safeName(labId), `${safeName(targetKey)}.json`);
}

export function checkKey(stepId: string, checkId: string): string {
  return `${stepId}/${checkId}`;
}

export class Progress {
  private current: ProgressData;

  private constructor(
    readonly lab: string,
    readonly target: string,
    /** Undefined for progress kept in memory only (grading, tests). */
    readonly file: string | undefined,
  ) {
    this.current = (file && readProgress(file, lab, target)) || fresh(lab, target);
  }

  /** The progress saved for this lab and target (or a fresh one; nothing is written yet). */
  static load(
    labId: string,
    targetKey: string,
    options: { file?: string; env?: Env } = {},
  ): Progress {
    return new Progress(
      labId,
      targetKey,
      options.file ?? progressFile(labId, targetKey, options.env),
    );
  }

  /** Progress that is never written to disk. */
  static inMemory(labId: string, targetKey: string): Progress {
    return new Progress(labId, targetKey, undefined);
  }

  get data(): Readonly<ProgressData> {
    return this.current;
  }

  hintsSeen(stepId: string, checkId: string): number {
    return this.current.hintsSeen[checkKey(stepId, checkId)] ?? 0;
  }

  /** Hints used in the whole lab. */
  hintsUsed(): number {
    return Object.values(this.current.hintsSeen).reduce((sum, n) => sum + n, 0);
  }

  /** Records that the student saw one more hint of a check; returns how many they have seen. */
  recordHint(stepId: string, checkId: string, available: number): number {
    let seen = 0;
    this.update((data) => {
      const key = checkKey(stepId, checkId);
      seen = Math.min((data.hintsSeen[key] ?? 0) + 1, Math.max(available, 0));
      data.hintsSeen[key] = seen;
    });
    return seen;
  }

  recordAnswer(questionId: string, choice: number): void {
    this.update((data) => {
      data.answers[questionId] = choice;
    });
  }

  setCurrentStep(stepId: string): void {
    this.update((data) => {
      data.currentStep = stepId;
    });
  }

  /** Records the verdicts of a run; `completed` marks the lab done the first time it is. */
  recordResults(
    results: { stepId: string; checkId: string; status: Status; message: string }[],
    completed = false,
  ): void {
    this.update((data) => {
      const at = new Date().toISOString();
      for (const result of results) {
        data.checks[checkKey(result.stepId, result.checkId)] = {
          status: result.status,
          message: result.message,
          at,
        };
      }
      if (completed) data.completedAt ??= at;
    });
  }

  /**
   * Forgets everything and starts a new attempt now (after `labwright reset`): the file keeps
   * only `startedAt`, so what counts as this attempt's begins here, not at the next check.
   */
  clear(): void {
    this.current = fresh(this.lab, this.target);
    if (this.file) writeAtomically(this.file, `${JSON.stringify(this.current, null, 2)}\n`);
  }

  private update(change: (data: ProgressData) => void): void {
    // Another process (the TUI in another terminal) may have written since we read.
    const latest = (this.file && readProgress(this.file, this.lab, this.target)) || this.current;
    const next = structuredClone(latest);
    change(next);
    if (this.file) writeAtomically(this.file, `${JSON.stringify(next, null, 2)}\n`);
    this.current = next;
  }
}

function fresh(lab: string, target: string): ProgressData {
  return {
    version: 1,
    lab,
    target,
    startedAt: new Date().toISOString(),
    hintsSeen: {},
    answers: {},
    checks: {},
  };
}

/** The saved progress, or undefined when there is none or it cannot be read as ours. */
function readProgress(file: string, lab: string, target: string): ProgressData | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const data = JSON.parse(text) as Partial<ProgressData>;
    if (data?.version !== 1) return undefined;
    return {
      ...fresh(lab, target),
      ...data,
      hintsSeen: { ...data.hintsSeen },
      answers: { ...data.answers },
      checks: { ...data.checks },
    };
  } catch {
    return undefined;
  }
}

/** Writes `text` to `file` so that readers see the old content or the new, never a mix. */
export function writeAtomically(file: string, text: string | Uint8Array): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    const fd = openSync(temporary, 'w', 0o600);
    try {
      writeFileSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}
