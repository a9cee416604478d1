import type { Status } from './report.js';

/**
 * Step and lab verdicts and the score, from check verdicts: the one copy of these rules, used
 * by the engine's reports, the TUI, grading and the text report. They take plain shapes (a
 * check's `optional`, `points` and `status`), so a LabReport, a graded student and the TUI's
 * saved verdicts all fit. A check that has not run has no status.
 */

export interface CheckVerdict {
  optional: boolean;
  status?: Status | undefined;
}

export interface StepVerdicts {
  optional: boolean;
  checks: readonly CheckVerdict[];
}

/**
 * A step's status, judged on its required checks (on all of them when none is required):
 * `failed` when one failed, even if another is `error`, so a check the target could not serve
 * never hides the student's mistake; `error` when nothing failed but something could not be
 * judged; `skipped` when every one was skipped; else `passed`. A step without checks passes.
 */
export function stepStatus(checks: readonly CheckVerdict[]): Status {
  const required = checks.filter((check) => !check.optional);
  const judged = required.length ? required : checks;
  if (judged.length === 0) return 'passed';
  if (judged.some((check) => check.status === 'failed')) return 'failed';
  if (judged.some((check) => check.status === 'error')) return 'error';
  if (judged.every((check) => check.status === 'skipped')) return 'skipped';
  return 'passed';
}

/** Every required check of the step passed (vacuously true when it has none). */
export function requiredChecksPassed(step: Pick<StepVerdicts, 'checks'>): boolean {
  return step.checks.every((check) => check.optional || check.status === 'passed');
}

/** Every required check of every required step passed: exit code 0, and a student who passed. */
export function requiredPassed(steps: readonly StepVerdicts[]): boolean {
  return steps.every((step) => step.optional || requiredChecksPassed(step));
}

/** Points earned (by passed checks) and possible (every check's, optional ones included). */
export function score(checks: Iterable<{ points: number; status?: Status | undefined }>): {
  earned: number;
  possible: number;
} {
  let earned = 0;
  let possible = 0;
  for (const check of checks) {
    possible += check.points;
    if (check.status === 'passed') earned += check.points;
  }
  return { earned, possible };
}
