import type { LabReport } from '../engine/report.js';
import { forEachBounded } from '../for-each-bounded.js';
import type { StudentResult, UngradedStudent } from './results.js';
import type { RosterStudent } from './roster.js';

/** Grading a class: every student, a bounded number at a time, each within a time limit. */

export interface GradeClassOptions {
  concurrency: number;
  timeoutMs: number;
  /** Grades one student read-only; throws a sentence-worthy error when their work cannot be reached. */
  gradeStudent(student: RosterStudent, signal: AbortSignal): Promise<LabReport>;
  /** Turns what went wrong into the sentence shown in the student's `error` cell. */
  describeError(error: unknown, student: RosterStudent): string;
  lab: { id: string; version: string; possible: number };
  onStart?(student: RosterStudent): void;
  onFinish?(result: StudentResult, student: RosterStudent): void;
}

/** Results in roster order, whatever order the students finished in. */
export async function gradeClass(
  students: readonly RosterStudent[],
  options: GradeClassOptions,
): Promise<StudentResult[]> {
  const results = new Array<StudentResult>(students.length);
  await forEachBounded(students, options.concurrency, async (student, index) => {
    options.onStart?.(student);
    const result = await gradeWithin(student, options);
    results[index] = result;
    options.onFinish?.(result, student);
  });
  return results;
}

async function gradeWithin(
  student: RosterStudent,
  options: GradeClassOptions,
): Promise<StudentResult> {
  const startedAt = new Date();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const seconds = Math.round(options.timeoutMs / 100) / 10;
      const error = new GradeTimeoutError(
        `grading took longer than ${seconds} s, so it was stopped: the student's endpoint or account answers too slowly (raise --timeout to wait longer)`,
      );
      controller.abort(error);
      reject(error);
    }, options.timeoutMs);
  });
  try {
    const report = await Promise.race([options.gradeStudent(student, controller.signal), timedOut]);
    return { ...report, id: student.id, error: null };
  } catch (error) {
    const reason =
      error instanceof GradeTimeoutError ? error.message : options.describeError(error, student);
    return ungraded(student.id, reason, startedAt, options.lab);
  } finally {
    clearTimeout(timer);
  }
}

export class GradeTimeoutError extends Error {
  override name = 'GradeTimeoutError';
}

export function ungraded(
  id: string,
  error: string,
  startedAt: Date,
  lab: GradeClassOptions['lab'],
): UngradedStudent {
  return {
    id,
    error,
    lab: lab.id,
    labVersion: lab.version,
    target: null,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    score: { earned: 0, possible: lab.possible },
    hintsUsed: 0,
    steps: [],
  };
}
