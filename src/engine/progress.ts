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
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { stateDir } from '../xdg.js';
import type { Status } from './report.js';

/**
 * A student's progress in one lab on one target with one set of variables: hints seen, quiz
 * answers, the last verdict of each check, the outputs of actions that have run, the attempt's
 * runId, when they started and finished. One JSON file per lab, target and `--var` set under
 * `${XDG_STATE_HOME:-~/.local/state}/labwright/progress/<lab>/<target>[.<vars hash>].json`, so
 * a run with other variables does not show verdicts about other resources.
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
  /** This attempt's `${runId}`: kept while the student resumes, new after a reset. */
  runId?: string;
  /** The response of each action with an id that has run (`${actions.<id>...}`), by id. */
  outputs?: Record<string, unknown>;
}

type Env = Readonly<Record<string, string | undefined>>;

export function progressFile(
  labId: string,
  targetKey: string,
  env: Env = process.env,
  vars: Readonly<Record<string, string>> = {},
): string {
  const variant = varsKey(vars);
  return path.join(
    stateDir(env),
    'progress',
    safeName(labId),
    `${safeName(targetKey)}${variant ? `.${variant}` : ''}.json`,
  );
}

/** Names a set of `--var` overrides in a file name; none (the lab's defaults) is ''. */
export function varsKey(vars: Readonly<Record<string, string>>): string {
  const entries = Object.entries(vars).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (!entries.length) return '';
  return createHash('sha256').update(JSON.stringify(entries)).digest('hex').slice(0, 12);
}

export function checkKey(stepId: string, checkId: string): string {
  return `${stepId}/${checkId}`;
}

export class Progress {
  private current: ProgressData;
  /** The progress was saved before this process loaded it, so its startedAt is the attempt's. */
  private saved: boolean;

  private constructor(
    readonly lab: string,
    readonly target: string,
    /** Undefined for progress kept in memory only (grading, tests). */
    readonly file: string | undefined,
  ) {
    const read = file ? readProgress(file, lab, target) : undefined;
    this.saved = !!read;
    this.current = read ?? fresh(lab, target);
  }

  /**
   * When the student's current attempt began (the first saved progress since the last reset),
   * or undefined when no progress was saved before: a first `check` after work done without
   * labwright must not take its own start for the attempt's and disown that work.
   */
  get attemptStartedAt(): Date | undefined {
    if (!this.saved) return undefined;
    const at = new Date(this.current.startedAt);
    return Number.isNaN(at.getTime()) ? undefined : at;
  }

  /**
   * The progress saved for this lab, target and `--var` overrides (or a fresh one; nothing is
   * written yet).
   */
  static load(
    labId: string,
    targetKey: string,
    options: { file?: string; env?: Env; vars?: Readonly<Record<string, string>> } = {},
  ): Progress {
    return new Progress(
      labId,
      targetKey,
      options.file ?? progressFile(labId, targetKey, options.env, options.vars),
    );
  }

  /** Progress that is never written to disk. */
  static inMemory(labId: string, targetKey: string): Progress {
    return new Progress(labId, targetKey, undefined);
  }

  get data(): Readonly<ProgressData> {
    return this.current;
  }

  /** This attempt's runId, saved the first time it is asked for so a resumed run has the same. */
  runId(): string {
    if (!this.current.runId) {
      const runId = newRunId();
      this.update((data) => {
        data.runId ??= runId;
      });
    }
    return this.current.runId!;
  }

  /** The saved response of the action with this id, if it has run. */
  output(actionId: string): unknown {
    return this.current.outputs?.[actionId];
  }

  hasOutput(actionId: string): boolean {
    return Object.hasOwn(this.current.outputs ?? {}, actionId);
  }

  /** Keeps the response of an action with an id, for `${actions.<id>...}` in this run and later. */
  recordOutput(actionId: string, output: unknown): void {
    this.update((data) => {
      data.outputs = { ...data.outputs, [actionId]: output };
    });
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
   * Forgets everything (after `labwright reset`) but when the new attempt began, now: on AWS,
   * checks count only what was created since (the old attempt's jobs and logs remain there).
   */
  clear(): void {
    this.current = fresh(this.lab, this.target);
    if (this.file) {
      writeAtomically(this.file, `${JSON.stringify(this.current, null, 2)}\n`);
      this.saved = true;
    }
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

/** Short, lowercase letters and digits: fits S3 bucket names and SageMaker job names alike. */
function newRunId(): string {
  return `r${randomBytes(4).toString('hex')}`;
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
      ...(data.outputs ? { outputs: { ...data.outputs } } : {}),
    };
  } catch {
    return undefined;
  }
}

/**
 * Writes `text` to `file` so that readers see the old content or the new, never a mix. With
 * `durable: false` (a cache, which a reader may find empty after a crash and rebuild) the data
 * is not forced to the disk first: an fsync costs a run ~10 ms.
 */
export function writeAtomically(
  file: string,
  text: string | Uint8Array,
  { durable = true }: { durable?: boolean } = {},
): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    const fd = openSync(temporary, 'w', 0o600);
    try {
      writeFileSync(fd, text);
      if (durable) fsyncSync(fd);
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
