import type { BoundCheck, BoundStep } from './bound-lab.js';

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
