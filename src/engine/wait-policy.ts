import type { CheckOutcome } from '../../checks/define.js';
import type { TargetInfo } from '../aws/target.js';
import type { RetryBound } from './backoff.js';

/**
 * When waiting can change a check's verdict, and for how long. Polling a verdict that cannot
 * change only stalls the student, so the engine waits only:
 *
 * - while the check says something is in progress (`pending`: a training job InProgress, a
 *   notebook Pending), up to the check's bound (the lab's `retry:`);
 * - on real AWS, for a short eventual-consistency window (a role or policy just created may
 *   take seconds to show), unless the check says its verdict is final (`retryable: false`).
 *
 * The sandbox and emulators are consistent at once: a failed verdict without `pending` is final
 * there. Passed and `error` verdicts are never polled (an error is the target's or labwright's).
 */

/** Seconds AWS may take to show what was just done (IAM, S3); the sandbox shows it at once. */
export const CONSISTENCY_WINDOW_SECONDS = 15;

/** Seconds, from the check's first attempt, during which waiting may change `outcome`; 0: none. */
export function waitSeconds(
  // A check skipped for a need (check-run.ts RunOutcome) has a status of its own: never waited on.
  outcome: Pick<CheckOutcome, 'pending' | 'retryable'> & { status: string },
  targetKind: TargetInfo['kind'],
  bound: RetryBound,
): number {
  if (outcome.status !== 'failed') return 0;
  if (outcome.pending) return bound.timeoutSeconds;
  if (targetKind === 'aws' && outcome.retryable !== false) {
    return Math.min(bound.timeoutSeconds, CONSISTENCY_WINDOW_SECONDS);
  }
  return 0;
}
