import type { CheckContext, CheckOutcome, CheckType } from '../../checks/define.js';
import type { BoundCheck } from './bound-lab.js';
import { CheckerPermissionError, firstLine, TargetError } from '../aws/errors.js';
import { nextDelayMs, sleep, type RetryBound } from './backoff.js';
import type { RunEventListener } from './events.js';
import type { TargetInfo } from '../aws/target.js';
import { waitSeconds } from './wait-policy.js';

/**
 * Runs one check of the bound lab (its `with` is filled in already): validates it with the check
 * type's schema, runs it, and while it fails and waiting can change that (src/engine/wait-policy.ts:
 * something in progress, or AWS's eventual consistency) polls again with backoff up to its bound. A check that throws becomes status `error` with the reason; a
 * TargetError (target unreachable, credentials refused) is thrown on, since no check can run.
 */

/** What a run of a check ended in: the check's outcome, or skipped (a need did not pass). */
export type RunOutcome =
  CheckOutcome | (Omit<CheckOutcome, 'status'> & { status: 'skipped'; retryable: false });

export interface CheckRunResult {
  outcome: RunOutcome;
  durationMs: number;
  attempts: number;
  /** The check failed because labwright's own identity lacks a permission. */
  checkerDenied?: CheckerPermissionError;
}

export interface CheckRunOptions {
  stepId: string;
  check: BoundCheck;
  type: CheckType | undefined;
  ctx: CheckContext;
  /** Poll while waiting can help, up to this bound; undefined runs once. */
  poll?: RetryBound;
  /** Where the check runs: only real AWS has an eventual-consistency window. */
  targetKind?: TargetInfo['kind'];
  /** When the check already ran once (and failed) before polling starts. */
  previous?: CheckRunResult;
  onEvent?: RunEventListener;
  signal?: AbortSignal;
}

export async function runCheck(options: CheckRunOptions): Promise<CheckRunResult> {
  const { stepId, check } = options;
  const started = Date.now() - (options.previous?.durationMs ?? 0);
  let result = options.previous ?? (await attempt(options));
  let attempts = result.attempts;
  for (;;) {
    const { outcome } = result;
    if (!options.poll) break;
    // Each new outcome decides again: a job that went from InProgress to Failed stops the wait.
    const timeoutSeconds = waitSeconds(outcome, options.targetKind ?? 'sandbox', options.poll);
    if (timeoutSeconds === 0) break;
    const elapsedMs = Date.now() - started;
    const bound = { ...options.poll, timeoutSeconds };
    const delayMs = nextDelayMs(bound, attempts - 1, elapsedMs);
    if (delayMs === undefined || options.signal?.aborted) break;
    options.onEvent?.({
      type: 'check-retry',
      stepId,
      checkId: check.id,
      attempt: attempts + 1,
      delayMs,
      message: outcome.message,
      ...(outcome.pending ? { pending: outcome.pending } : {}),
      elapsedMs,
      timeoutMs: timeoutSeconds * 1000,
    });
    try {
      await sleep(delayMs, options.signal);
    } catch {
      break;
    }
    result = await attempt(options);
    attempts += 1;
  }
  return { ...result, attempts, durationMs: Date.now() - started };
}

async function attempt(options: CheckRunOptions): Promise<CheckRunResult> {
  const { check, type, ctx } = options;
  const started = Date.now();
  const done = (outcome: CheckOutcome, checkerDenied?: CheckerPermissionError): CheckRunResult => ({
    outcome,
    durationMs: Date.now() - started,
    attempts: 1,
    ...(checkerDenied ? { checkerDenied } : {}),
  });
  if (!type) {
    return done({
      status: 'error',
      message: `labwright has no check type "${check.type}"`,
      retryable: false,
    });
  }
  if (check.problem !== undefined) {
    return done({ status: 'error', message: check.problem, retryable: false });
  }
  let input: unknown;
  try {
    const parsed = type.with.safeParse(check.with);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? ` (at with.${issue.path.join('.')})` : '';
      return done({
        status: 'error',
        message: `the check's settings are invalid: ${issue?.message ?? 'unknown problem'}${where}`,
        retryable: false,
      });
    }
    input = parsed.data;
  } catch (error) {
    return done({ status: 'error', message: (error as Error).message, retryable: false });
  }
  try {
    const outcome = await type.run(input, ctx);
    return done({ ...outcome, evidence: outcome.evidence ?? {} });
  } catch (error) {
    if (error instanceof TargetError) throw error;
    if (error instanceof CheckerPermissionError) {
      return done({ status: 'error', message: error.message, retryable: false }, error);
    }
    const e = error as Error;
    const code = e?.name && e.name !== 'Error' ? `${e.name}: ` : '';
    return done({
      status: 'error',
      message: `the check could not run: ${code}${firstLine(e?.message ?? String(error))}`,
      retryable: false,
    });
  }
}
