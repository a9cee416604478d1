import type { CheckOutcome, Pending } from '../define.js';

/** Outcome builders, so every check words its verdict the same way. */

export function passed(message: string, evidence?: Record<string, unknown>): CheckOutcome {
  return { status: 'passed', message, ...(evidence ? { evidence } : {}) };
}

export function failed(
  message: string,
  evidence?: Record<string, unknown>,
  options: { retryable?: boolean } = {},
): CheckOutcome {
  return {
    status: 'failed',
    message,
    ...(evidence ? { evidence } : {}),
    ...(options.retryable === false ? { retryable: false } : {}),
  };
}

/**
 * Not passed yet, because something is still in progress: the engine may wait for it
 * (`what` and `state` show on the student's waiting line).
 */
export function inProgress(
  message: string,
  pending: Pending,
  evidence?: Record<string, unknown>,
): CheckOutcome {
  return { status: 'failed', message, pending, ...(evidence ? { evidence } : {}) };
}

/** Failed for good: nothing is in progress that could change it (a job that ended). */
export function failedForGood(message: string, evidence?: Record<string, unknown>): CheckOutcome {
  return failed(message, evidence, { retryable: false });
}

/** The check could not judge (the target lacks an operation, a file is unreadable): say why. */
export function errored(message: string, evidence?: Record<string, unknown>): CheckOutcome {
  return { status: 'error', message, retryable: false, ...(evidence ? { evidence } : {}) };
}

/** Joins findings into one message, "a; b; c": one line reads better than a list in a report. */
export function sentence(parts: string[]): string {
  return parts.join('; ');
}

/** Keeps evidence small: long lists are cut, with a count of what was left out. */
export function trimList<T>(items: readonly T[], max = 20): T[] | { first: T[]; more: number } {
  return items.length <= max
    ? [...items]
    : { first: items.slice(0, max), more: items.length - max };
}
