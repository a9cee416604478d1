import type { RunEvent, RunEventListener } from '../engine/events.js';
import type { CheckReport, LabReport } from '../engine/report.js';
import { stepStatus } from '../engine/verdicts.js';

/**
 * Ctrl-C in `check` and `solve`. Node's default for SIGINT kills the process on the spot: no
 * report, an unflushed sandbox, a server.json pointing at nothing. Instead the first Ctrl-C
 * aborts the run (what is in flight is cancelled, nothing new starts), so the command prints
 * the report so far, closes its target (a sandbox it started flushes its state and removes
 * server.json) and exits 130, as a shell expects of an interrupted command. A second Ctrl-C
 * quits at once, should closing hang.
 */

export const EXIT_INTERRUPTED = 130;

const NOT_RUN = 'not run: stopped by Ctrl-C';

export interface Interrupt {
  readonly signal: AbortSignal;
  readonly interrupted: boolean;
  /** Wraps a listener: check results announced before Ctrl-C are remembered as they were. */
  listen(onEvent?: RunEventListener): RunEventListener;
  /**
   * The report as it stood at Ctrl-C: each check's last result from before it, and the checks
   * that had none (or were cut short) marked skipped, "not run".
   */
  settle(report: LabReport): LabReport;
  dispose(): void;
}

export function catchInterrupt(): Interrupt {
  const controller = new AbortController();
  const before = new Map<string, CheckReport>();
  const key = (stepId: string, checkId: string) => `${stepId}/${checkId}`;
  const quit = () => process.exit(EXIT_INTERRUPTED);
  const stop = () => {
    process.stderr.write('\nlabwright: stopped (Ctrl-C); Ctrl-C again quits at once\n');
    process.once('SIGINT', quit);
    controller.abort(new Error('stopped by Ctrl-C'));
  };
  process.once('SIGINT', stop);
  return {
    signal: controller.signal,
    get interrupted() {
      return controller.signal.aborted;
    },
    listen(onEvent) {
      return (event: RunEvent) => {
        if (event.type === 'check-done' && !controller.signal.aborted)
          before.set(key(event.stepId, event.checkId), event.report);
        onEvent?.(event);
      };
    },
    settle(report) {
      if (!controller.signal.aborted) return report;
      const steps = report.steps.map((step) => {
        const checks = step.checks.map(
          (check): CheckReport =>
            before.get(key(step.id, check.id)) ?? {
              ...check,
              status: 'skipped',
              message: NOT_RUN,
              hint: null,
              evidence: {},
              durationMs: 0,
            },
        );
        return { ...step, checks, status: stepStatus(checks) };
      });
      const all = steps.flatMap((step) => step.checks);
      const earned = all
        .filter((check) => check.status === 'passed')
        .reduce((sum, check) => sum + check.points, 0);
      return { ...report, steps, score: { ...report.score, earned } };
    },
    dispose() {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGINT', quit);
    },
  };
}
