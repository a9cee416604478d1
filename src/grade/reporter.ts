import type { StudentResult } from './results.js';
import type { RosterStudent } from './roster.js';
import type { ClassSummary } from './summary.js';
import { studentLine, summaryText } from './text-output.js';

/** Shows grading as it goes: the Ink view on a terminal, plain lines otherwise. */
export interface GradeReporter {
  start(student: RosterStudent): void;
  finish(result: StudentResult): void;
  /** Shows the summary and releases the terminal. */
  done(summary: ClassSummary, written: readonly string[]): Promise<void>;
}

export function plainReporter(total: number, write: (line: string) => void): GradeReporter {
  let finished = 0;
  return {
    start: () => undefined,
    finish(result) {
      finished += 1;
      write(studentLine(result, { done: finished, total }));
    },
    async done(summary, written) {
      write(summaryText(summary, written));
    },
  };
}
