import type * as z from 'zod';
import type { TargetInfo } from '../src/aws/target.js';
import type { ServiceName } from '../src/service-names.js';

/**
 * A check type, declared as data first: its name, a one-line summary for authors and
 * editors, and the zod schema of its `with` block. The lab loader needs only this part,
 * so labs can be validated without loading any AWS client.
 */
export interface CheckSpec<W extends z.ZodType = z.ZodType> {
  type: string;
  summary: string;
  with: W;
  /** What docs/checks.md says of it (scripts/generate-docs.ts). */
  docs?: CheckDocs;
}

/** A check type's documentation, beside its schema so the two change together. */
export interface CheckDocs {
  /** What it judges and how, for an author choosing a check: a few sentences. */
  judges: string;
  /**
   * The AWS operations it may call, as service:Operation: docs/checks.md says from them where
   * it works (an emulator must implement them). Empty for checks that read files or answers.
   */
  calls: readonly string[];
  /** A `with` block an author can copy. */
  example: Record<string, unknown>;
}

export function defineCheckSpec<W extends z.ZodType>(spec: CheckSpec<W>): CheckSpec<W> {
  return spec;
}

/** Where the checks run, as reports show it (declared with the targets, in src/aws). */
export type { TargetInfo };

/** What a check may use. AWS access goes through `call`, so clients load only when needed. */
export interface CheckContext {
  /**
   * Calls an AWS SDK v3 operation on the target, e.g. call('iam', 'GetRole', { RoleName }).
   * Throws the SDK's error (its `name` is the AWS error code) when AWS says no.
   */
  call<Output = Record<string, unknown>>(
    service: ServiceName,
    operation: string,
    input: Record<string, unknown>,
  ): Promise<Output>;
  target: TargetInfo;
  /** Lab variables with overrides and built-ins (account, region, partition) applied. */
  vars: Readonly<Record<string, string>>;
  /** The lab folder, where `{ file: }` references resolve. */
  labDir: string;
  /** The student's working folder, where their own files (a CloudFormation template) are. */
  cwd: string;
  /**
   * The lab's workspace (src/engine/workspace.ts), where the TUI tells the student to `cd`:
   * checks of the student's own files look there after `cwd`. Absent when grading.
   */
  workspace?: string;
  /** Quiz answers the student gave, by question id (index of the chosen answer). */
  answers: Readonly<Record<string, number>>;
  /** Environment for `shell` checks: the target's endpoint, credentials and region. */
  env: Readonly<Record<string, string>>;
  signal: AbortSignal;
  /**
   * On real AWS, when the student's current attempt began (reset starts a new one): what was
   * created before it is a previous attempt's and does not count. Undefined on the sandbox and
   * emulators (reset deletes an attempt's resources there) and when the start is unknown.
   */
  since?: Date;
}

export type CheckStatus = 'passed' | 'failed' | 'error';

/** What a check found. `message` says it in the student's terms; `evidence` is the data judged. */
export interface CheckOutcome {
  status: CheckStatus;
  message: string;
  evidence?: Record<string, unknown>;
  /**
   * Something the verdict depends on is still in progress (a training job InProgress, a
   * notebook Pending): waiting may change a failed verdict, so the engine polls up to the
   * check's bound. `what` names it, `state` is where it is ("training job x", "InProgress").
   */
  pending?: Pending;
  /**
   * False when not even eventual consistency can change the verdict (a quiz, a template file,
   * a job that ended), so the engine does not poll it on AWS either. A failed outcome without
   * `pending` is otherwise polled only for AWS's short eventual-consistency window.
   */
  retryable?: boolean;
}

/** What a failed check waits for: see CheckOutcome.pending. */
export interface Pending {
  what: string;
  state: string;
}

/** A check type: its spec and the logic that judges the student's work. */
export interface CheckType<W extends z.ZodType = z.ZodType> extends CheckSpec<W> {
  run(input: z.output<W>, ctx: CheckContext): Promise<CheckOutcome>;
}
