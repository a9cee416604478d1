import type { Pending } from '../../checks/define.js';
import type { Action } from '../lab/schema.js';
import type { CheckReport } from './report.js';

/** What the runner reports while it works, for the TUI's spinners and the CLI's progress lines. */
export type RunEvent =
  | { type: 'check-start'; stepId: string; checkId: string }
  /**
   * A check failed and is polled again after `delayMs`: what it waits for (`pending`, or AWS's
   * eventual consistency when absent), `elapsedMs` since its first attempt, of `timeoutMs`.
   */
  | {
      type: 'check-retry';
      stepId: string;
      checkId: string;
      attempt: number;
      delayMs: number;
      message: string;
      pending?: Pending;
      elapsedMs: number;
      timeoutMs: number;
    }
  | { type: 'check-done'; stepId: string; checkId: string; report: CheckReport }
  | {
      type: 'action-start';
      stepId: string;
      index: number;
      action: Action;
      title: string;
      display: string;
    }
  /** Output of a shell action, as it comes. */
  | {
      type: 'action-output';
      stepId: string;
      index: number;
      stream: 'stdout' | 'stderr';
      text: string;
    }
  | {
      type: 'action-retry';
      stepId: string;
      index: number;
      attempt: number;
      delayMs: number;
      message: string;
    }
  | { type: 'action-done'; stepId: string; index: number; result: ActionResult };

export type ActionStatus =
  /** It ran and succeeded. */
  | 'done'
  /** It failed with one of its ignoreErrors: already done. */
  | 'already-done'
  /** A manual action: the student must do it; solve cannot. */
  | 'manual'
  /** The student declined a billable action. */
  | 'declined'
  | 'failed';

export interface ActionResult {
  status: ActionStatus;
  title: string;
  message: string;
  /** The SDK output of an aws action. */
  output?: Record<string, unknown>;
  /** The error code of a failed or already-done aws action, or the exit code of a shell one. */
  code?: string;
}

export type RunEventListener = (event: RunEvent) => void;

/** A step id for events about the lab's cleanup actions. */
export const CLEANUP_STEP = 'cleanup';
