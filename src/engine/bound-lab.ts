import { isFileRef, readLabDocument } from '../lab/files.js';
import type { LoadedLab } from '../lab/load.js';
import type { Action, Check, Lab, Step } from '../lab/schema.js';
import { interpolate, interpolateString } from '../lab/vars.js';

/**
 * A lab bound to one session: bound once, when the target (and so `${account}`, `${region}`,
 * `${partition}`) is known, then never changed. Every `${name}` is filled in with the session's
 * variables: titles, instructions, hints, `cli:` and `manual:` lines, billable resources, each
 * check's `with`, and each aws action's `input`, whose `{ file: }` documents are read here,
 * once, and filled in too. The engine, and through it the TUI and grading, run this, never
 * the lab as loaded.
 *
 * Two things stay as written:
 * - `shell:` lines. Lab variables reach bash as data, never pasted into its code (issue 11):
 *   a shell action is bound verbatim, and whatever runs it supplies the variables.
 * - What is not known when the lab is bound: an action's outputs (values captured from its
 *   result) are filled in once that action has run.
 *
 * `$${NAME}` is the author's literal `${NAME}` and is bound as that text. A check whose `with`,
 * or an action whose `input`, cannot be bound (a `{ file: }` that is gone or broken) carries
 * `problem`, the sentence the run reports for it; nothing is thrown here.
 */

type Vars = Readonly<Record<string, string>>;

export type BoundCheck = Readonly<Check> & {
  /** Why `with` could not be bound; the check then reports `error` with this message. */
  readonly problem?: string;
};

export type BoundAction = Readonly<Action> & {
  /** Why `input` could not be bound; the action then fails with this message. */
  readonly problem?: string;
};

export interface BoundStep extends Readonly<Omit<Step, 'checks' | 'actions'>> {
  readonly actions: readonly BoundAction[];
  readonly checks: readonly BoundCheck[];
}

/** A lab's `mistakes` are not bound: `labwright test` swaps one into the lab before binding it. */
export interface BoundLab extends Readonly<Omit<Lab, 'steps' | 'cleanup' | 'vars' | 'mistakes'>> {
  readonly steps: readonly BoundStep[];
  readonly cleanup: readonly BoundAction[];
  /** The variables it was bound with: defaults, `--var` overrides, the target's built-ins. */
  readonly vars: Vars;
  /** The lab folder, where `{ file: }` documents were read and shell actions run. */
  readonly labDir: string;
}

export function bindLab(loaded: LoadedLab, vars: Vars): BoundLab {
  const { mistakes: _mistakes, ...lab } = loaded.lab;
  const labDir = loaded.dir;
  const text = (value: string) => fillText(value, vars);
  const documents = labDocuments(labDir, vars);
  const bindAction = (action: Action): BoundAction => bindActionWith(action, vars, documents);
  return deepFreeze({
    ...lab,
    title: text(lab.title),
    ...(lab.summary !== undefined ? { summary: text(lab.summary) } : {}),
    cleanup: lab.cleanup.map(bindAction),
    steps: lab.steps.map((step): BoundStep => ({
      ...step,
      title: text(step.title),
      instructions: text(step.instructions),
      actions: step.actions.map(bindAction),
      checks: step.checks.map((check) => bindCheck(check, vars, text)),
    })),
    vars,
    labDir,
  });
}

/**
 * The lab's `{ file: }` documents, each read and filled in the first time it is asked for,
 * then kept for the session: what actions and checks' calls send.
 */
export interface LabDocuments {
  /** Replaces each `{ file }` reference in `value` by the document, its variables filled in. */
  load(value: unknown): unknown;
}

export function labDocuments(labDir: string, vars: Vars): LabDocuments {
  const cache = new Map<string, unknown>();
  const read = (file: string): unknown => {
    if (!cache.has(file)) cache.set(file, interpolate(readLabDocument(labDir, file), vars));
    // A copy each time: the SDK gets data it may keep or change, and the cache stays as read.
    return structuredClone(cache.get(file));
  };
  const load = (value: unknown): unknown => {
    if (isFileRef(value)) return read(value.file);
    if (Array.isArray(value)) return value.map(load);
    // Only plain data: a Date or a Uint8Array in a check's input is passed as it is.
    if (isPlainObject(value)) {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, load(item)]));
    }
    return value;
  };
  return { load };
}

/** The command shown for an action as it runs: its `cli:` line, its shell line, or the task. */
export function actionDisplay(action: BoundAction, vars: Vars): string {
  if ('aws' in action) return action.cli ?? `aws ${action.aws}`;
  if ('wait' in action) return action.cli ?? `wait for ${action.wait}`;
  if ('shell' in action) return fillText(action.shell, vars);
  return action.manual;
}

function bindActionWith(action: Action, vars: Vars, documents: LabDocuments): BoundAction {
  const text = (value: string) => fillText(value, vars);
  const common = {
    title: text(action.title),
    ...(action.cli !== undefined ? { cli: text(action.cli) } : {}),
    ...(action.billable
      ? { billable: { ...action.billable, resource: text(action.billable.resource) } }
      : {}),
  };
  if ('shell' in action) return { ...action, ...common };
  if ('manual' in action) return { ...action, ...common, manual: text(action.manual) };
  try {
    const input = documents.load(interpolate(action.input, vars)) as Record<string, unknown>;
    return { ...action, ...common, input };
  } catch (error) {
    return { ...action, ...common, problem: (error as Error).message };
  }
}

function bindCheck(check: Check, vars: Vars, text: (value: string) => string): BoundCheck {
  const common = {
    ...check,
    ...(check.title !== undefined ? { title: text(check.title) } : {}),
    hints: check.hints.map(text),
  };
  try {
    // A shell check's `run` is shell code: bound verbatim, its variables reach bash as data.
    if (check.type === 'shell' && typeof check.with.run === 'string') {
      const { run, ...rest } = check.with;
      return { ...common, with: { ...(interpolate(rest, vars) as object), run } };
    }
    return { ...common, with: interpolate(check.with, vars) };
  } catch (error) {
    return { ...common, problem: (error as Error).message };
  }
}

/** Fills text shown to a student; a variable the run lacks is shown as written. */
function fillText(value: string, vars: Vars): string {
  try {
    return interpolateString(value, vars);
  } catch {
    return value;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (!value || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}
