import { writeFileSync } from 'node:fs';
import type { WaitMode } from '../engine/runner.js';
import { requiredPassed } from '../engine/verdicts.js';
import type { LabReport } from '../engine/report.js';
import { renderJson } from '../report/json.js';
import { renderJunit } from '../report/junit.js';
import { renderText } from '../report/text.js';
import { checkProgressPrinter } from './check-progress.js';
import { catchInterrupt, EXIT_INTERRUPTED } from './interrupt.js';
import { withLabSession, type LabCommandOptions } from './target-session.js';
import { EXIT, UsageError } from './usage-error.js';

export interface CheckOptions extends LabCommandOptions {
  /** commander's --no-wait */
  wait?: boolean;
}

/**
 * `labwright check <lab>`: runs the checks (of `--step` steps, or all), prints the report as
 * text or `--json`, writes `--junit FILE`, and exits 0 when every required check passed, 1
 * when one did not, 3 when the target failed or labwright's own identity lacks a permission,
 * 130 after Ctrl-C (with the report so far).
 */
export async function checkCommand(lab: string, options: CheckOptions): Promise<number> {
  const interrupt = catchInterrupt();
  try {
    const code = await withLabSession(lab, options, async ({ session, steps, loaded }) => {
      // With --step the student is on that step: wait for it. Otherwise wait only on the first
      // unfinished step; later steps are not begun, and waiting on them would only stall.
      const wait: WaitMode = options.wait === false ? 'none' : steps ? 'all' : 'current';
      const report = await session.runChecks({
        ...(steps ? { steps } : {}),
        wait,
        signal: interrupt.signal,
        onEvent: interrupt.listen(checkProgressPrinter(!options.json)),
      });
      return finishReport(
        interrupt.settle(report),
        options,
        loaded.lab.title,
        session.checkerDenied,
      );
    });
    // The target is closed by now (the sandbox flushed, server.json removed).
    return interrupt.interrupted ? EXIT_INTERRUPTED : code;
  } finally {
    interrupt.dispose();
  }
}

/** Prints the report in the asked format, writes JUnit, and returns the exit code. */
export function finishReport(
  report: LabReport,
  options: Pick<LabCommandOptions, 'json' | 'junit'>,
  title: string,
  checkerDenied: readonly string[],
): number {
  process.stdout.write(options.json ? renderJson(report) : renderText(report, { title }));
  if (options.junit) {
    try {
      writeFileSync(options.junit, renderJunit(report));
    } catch (error) {
      throw new UsageError(`cannot write --junit ${options.junit}: ${(error as Error).message}`);
    }
  }
  if (checkerDenied.length) {
    const actions = [...new Set(checkerDenied)].join(', ');
    console.error(
      `labwright: the identity labwright runs as may not call ${actions}; grant it, then check again`,
    );
    return EXIT.target;
  }
  return requiredPassed(report.steps) ? EXIT.ok : EXIT.checkFailed;
}
