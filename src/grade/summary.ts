import { percentOf, studentPassed, type StudentResult } from './results.js';

/** The class at a glance: its average, and how many students passed each check. */

export interface LabCheckRef {
  stepId: string;
  checkId: string;
  title: string;
  /** Optional checks, and the checks of optional steps, do not decide a grade. */
  optional: boolean;
}

export interface CheckPassRate extends LabCheckRef {
  passed: number;
  /** Students whose work was graded (the denominator). */
  graded: number;
  /** 0..1; 0 when nobody could be graded. */
  rate: number;
}

export interface ClassSummary {
  students: number;
  graded: number;
  /** Students who could not be graded. */
  errored: number;
  /** Graded students who passed every required check. */
  passedAll: number;
  /** Mean percent over the graded students, one decimal; null when nobody was graded. */
  averagePercent: number | null;
  /** Required checks hardest first (lowest pass rate; lab order breaks ties), then optional ones. */
  checks: CheckPassRate[];
}

export function summarizeClass(
  labChecks: readonly LabCheckRef[],
  results: readonly StudentResult[],
): ClassSummary {
  const graded = results.filter((result) => result.error === null);
  const passedByCheck = new Map<string, number>();
  for (const result of graded) {
    for (const step of result.steps) {
      for (const check of step.checks) {
        if (check.status === 'passed') {
          const key = `${step.id}/${check.id}`;
          passedByCheck.set(key, (passedByCheck.get(key) ?? 0) + 1);
        }
      }
    }
  }
  const checks = labChecks
    .map((ref, order) => {
      const passed = passedByCheck.get(`${ref.stepId}/${ref.checkId}`) ?? 0;
      return {
        ...ref,
        passed,
        graded: graded.length,
        rate: graded.length ? passed / graded.length : 0,
        order,
      };
    })
    .sort((a, b) => Number(a.optional) - Number(b.optional) || a.rate - b.rate || a.order - b.order)
    .map(({ order: _order, ...rate }) => rate);
  const average = graded.length
    ? Math.round(
        (graded.reduce((sum, result) => sum + percentOf(result), 0) / graded.length) * 10,
      ) / 10
    : null;
  return {
    students: results.length,
    graded: graded.length,
    errored: results.length - graded.length,
    passedAll: graded.filter(studentPassed).length,
    averagePercent: average,
    checks,
  };
}

/** The hardest required check: the one the fewest students passed. */
export function hardestCheck(summary: ClassSummary): CheckPassRate | undefined {
  return summary.checks.find((check) => !check.optional);
}
