import chalk from 'chalk';
import { describeTargetInfo } from '../report/text.js';
import { printCleanupReport } from './reset-report.js';
import { actionPrinter } from './solve-printer.js';
import { askYesNo, canAsk } from './target-prompt.js';
import { withLabSession, type LabCommandOptions } from './target-session.js';
import { EXIT, UsageError } from './usage-error.js';

/**
 * `labwright reset <lab>`: runs the lab's cleanup actions in order, deleting what the lab
 * created and nothing else (what is already gone is fine; what AWS demands first is done
 * first), then the attempt's training jobs, logs and CloudTrail events where the target can
 * (src/engine/cleanup/), and starts a new attempt of the student's progress on that target.
 * It reports what it deleted and what it left, and exits 1 when something it should delete
 * remains. On real AWS it asks first, unless `--yes`.
 */
export function resetCommand(lab: string, options: LabCommandOptions): Promise<number> {
  return withLabSession(lab, options, async ({ session, loaded }) => {
    if (session.target.kind === 'aws' && !options.yes) {
      const where = describeTargetInfo(session.target);
      if (!canAsk()) {
        throw new UsageError(
          `reset deletes the lab's resources in ${where}: rerun with --yes to confirm`,
        );
      }
      if (!(await askYesNo(`Delete what "${loaded.lab.title}" created in ${where}?`))) {
        console.log('Nothing was deleted.');
        return EXIT.ok;
      }
    }
    if (loaded.lab.cleanup.length === 0) {
      console.log('This lab has no cleanup actions: there is nothing to delete.');
    }
    const report = await session.cleanup({
      onEvent: actionPrinter(process.stdout),
      onNote: (line) => console.log(chalk.dim(`… ${line}`)),
      ignoreNotFound: true,
    });
    // The new attempt starts now: checks on AWS count only what it creates.
    session.progress.clear();
    printCleanupReport(report, process.stdout);
    console.log('');
    const count = (outcome: string) => report.items.filter((i) => i.outcome === outcome).length;
    const summary = `${count('deleted')} deleted, ${count('already-gone')} already gone, ${count('left')} left`;
    if (!report.ok) {
      const failed = report.actions.filter((result) => result.status === 'failed').length;
      console.log(
        chalk.red(
          `Reset of ${loaded.lab.id} is incomplete (${summary}${failed ? `; ${failed} cleanup action(s) failed` : ''}): what is marked ✗ is still there. Progress on this target was cleared.`,
        ),
      );
      return EXIT.checkFailed;
    }
    console.log(
      chalk.green(`Reset ${loaded.lab.id} (${summary}); progress on this target was cleared.`),
    );
    return EXIT.ok;
  });
}
