import type { BoundCheck, BoundStep } from './bound-lab.js';
import type { CheckRunResult } from './check-run.js';

/**
 * `needs: [check-id]`: a check that builds on others (the training job's logs need the job to
 * have run) is judged only when they pass; otherwise it is `skipped` with "needs <title>", not
 * a second, misleading failure. A need names a check of the same step, or else of an earlier
 * step, that comes before it (the loader refuses any other), so judging checks in the lab's order
 * always judges a need first.
 */

export interface CheckRef {
  step: BoundStep;
  check: BoundCheck;
}

/** The checks `check` needs, found in the lab's steps; a need that names nothing is left out. */
export function needsOf(
  steps: readonly BoundStep[],
  step: BoundStep,
  check: BoundCheck,
): CheckRef[] {
  if (!check.needs?.length) return [];
  const at = steps.indexOf(step);
  const found: CheckRef[] = [];
  for (const id of check.needs) {
    for (let s = at; s >= 0; s--) {
      const candidate = steps[s]!;
      const own = candidate.checks.indexOf(check);
      const need = candidate.checks.find(
        (c, index) => c.id === id && (candidate !== step || index < own),
      );
      if (need) {
        found.push({ step: candidate, check: need });
        break;
      }
    }
  }
  return found;
}

/** What a skipped check says: the first need that did not pass, by its title. */
export function needsMessage(need: CheckRef): string {
  return `needs ${need.check.title ?? need.check.id}`;
}

/**
 * What a passed need could not really do on this target (`evidence.targetLimit`: moto marks a
 * training job Completed without running it), or undefined.
 */
export function targetLimitOf(result: CheckRunResult | undefined): string | undefined {
  if (result?.outcome.status !== 'passed') return undefined;
  const limit = result.outcome.evidence?.targetLimit;
  return typeof limit === 'string' ? limit : undefined;
}

/**
 * A check that builds on a need passed in name only, and did not pass: the target, not the
 * student, left it nothing to find (no logs from a job that never ran), so it cannot be judged
 * there. An `error` carrying the limit, never a failure with a misleading hint.
 */
export function cannotJudgeAfter(
  need: CheckRef,
  limit: string,
  result: CheckRunResult,
): CheckRunResult {
  const { outcome } = result;
  if (outcome.status === 'passed' || outcome.status === 'skipped') return result;
  return {
    ...result,
    outcome: {
      status: 'error',
      // What it found is kept as evidence, not said: its usual cause would mislead here.
      message: `cannot be judged on this target: it builds on "${need.check.title ?? need.check.id}", and ${limit}`,
      evidence: { ...outcome.evidence, found: outcome.message, targetLimit: limit },
      retryable: false,
    },
  };
}
