import { render } from 'ink';
import type { GradeReporter } from '../reporter.js';
import type { StudentResult } from '../results.js';
import { GradeView, type GradeViewState } from './GradeView.js';

/**
 * The Ink view as a GradeReporter. Events can come faster than a terminal should redraw
 * (a hundred students finishing within a second), so state changes are drawn at most every
 * 80 ms; the final frame is always drawn.
 */
export function liveReporter(header: {
  lab: string;
  total: number;
  concurrency: number;
}): GradeReporter {
  const running = new Set<string>();
  const finished: StudentResult[] = [];
  const snapshot = (): GradeViewState => ({
    ...header,
    running: [...running],
    finished: [...finished],
  });
  const app = render(<GradeView state={snapshot()} />, { exitOnCtrlC: true, patchConsole: false });
  let pending: NodeJS.Timeout | undefined;
  const redraw = () => {
    pending ??= setTimeout(() => {
      pending = undefined;
      app.rerender(<GradeView state={snapshot()} />);
    }, 80);
  };
  return {
    start(student) {
      running.add(student.id);
      redraw();
    },
    finish(result) {
      running.delete(result.id);
      finished.push(result);
      redraw();
    },
    async done(summary, written) {
      clearTimeout(pending);
      app.rerender(<GradeView state={{ ...snapshot(), summary, written }} />);
      app.unmount();
      await app.waitUntilExit();
    },
  };
}
