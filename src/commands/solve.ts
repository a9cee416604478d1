import chalk from 'chalk';
import type { Billable } from '../engine/actions.js';
import { checkProgressPrinter } from './check-progress.js';
import { finishReport } from './check.js';
import { catchInterrupt, EXIT_INTERRUPTED } from './interrupt.js';
import { actionPrinter } from './solve-printer.js';
import { askYesNo, canAsk } from './target-prompt.js';
import { withLabSession, type LabCommandOptions } from './target-session.js';
import { UsageError } from './usage-error.js';

/**
 * `labwright solve <lab>`: runs the reference actions of each step (or of `--step` steps),
 * idempotently, then the checks, and reports like `check`. A lab author uses it to prove a lab
 * can be passed. On real AWS a billable action asks first (cost per hour) unless `--yes`.
 * Ctrl-C stops it: the report so far, then exit 130.
 */
export async function solveCommand(
  lab: string,
  options: LabCommandOptions & { wait?: boolean; all?: boolean },
): Promise<number> {
  const out = options.json ? process.stderr : process.stdout;
  const confirmBillable = async (billable: Billable, title: string): Promise<boolean> => {
    if (options.yes) return true;
    if (!canAsk()) {
      throw new UsageError(
        `"${title}" creates ${billable.resource}, billed at about $${billable.usdPerHour} per hour on your AWS account: rerun with --yes to accept the cost`,
      );
    }
    return askYesNo(
      `"${title}" creates ${billable.resource}, billed at about $${billable.usdPerHour} per hour. Go ahead?`,
    );
  };
  const interrupt = catchInterrupt();
  try {
    const code = await withLabSession(
      lab,
      options,
      async ({ session, steps, loaded }) => {
        // Ask for --yes before anything runs, not halfway through the lab.
        const billable = loaded.lab.steps
          .filter((step) => (steps ? steps.includes(step.id) : options.all || !step.optional))
          .flatMap((step) => step.actions.filter((action) => action.billable));
        if (session.target.kind === 'aws' && billable.length && !options.yes && !canAsk()) {
          const what = billable.map((action) => action.billable!.resource).join(', ');
          throw new UsageError(
            `solve would create billable resources on AWS (${what}): rerun with --yes to accept the cost`,
          );
        }
        const { actions, report } = await session.solve({
          ...(steps ? { steps } : {}),
          ...(options.all ? { all: true } : {}),
          ...(options.wait === false ? { wait: 'none' as const } : {}),
          signal: interrupt.signal,
          onEvent: interrupt.listen(actionPrinter(out, checkProgressPrinter(true))),
        });
        const manual = actions.flatMap(({ stepId, results }) =>
          results
            .filter((result) => result.status === 'manual')
            .map((result) => `${stepId}: ${result.title}`),
        );
        const failed = actions.flatMap(({ stepId, results }) =>
          results
            .filter((result) => result.status === 'failed')
            .map((result) => `${stepId}: ${result.title} (${result.message})`),
        );
        out.write('\n');
        if (manual.length)
          out.write(
            chalk.yellow(
              `solve cannot do ${manual.length} manual action(s): ${manual.join('; ')}\n`,
            ),
          );
        if (failed.length)
          out.write(chalk.red(`${failed.length} action(s) failed: ${failed.join('; ')}\n`));
        if (manual.length || failed.length) out.write('\n');
        return finishReport(
          interrupt.settle(report),
          options,
          loaded.lab.title,
          session.checkerDenied,
        );
      },
      { confirmBillable },
    );
    // The target is closed by now (the sandbox flushed, server.json removed).
    return interrupt.interrupted ? EXIT_INTERRUPTED : code;
  } finally {
    interrupt.dispose();
  }
}
