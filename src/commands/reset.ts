import chalk from 'chalk';
import { describeTargetInfo } from '../report/text.js';
import { actionPrinter } from './solve-printer.js';
import { askYesNo, canAsk } from './target-prompt.js';
import { withLabSession, type LabCommandOptions } from './target-session.js';
import { EXIT, UsageError } from './usage-error.js';

/**
 * `labwright reset <lab>`: runs the lab's cleanup actions in order, deleting what the lab
 * created and nothing else (what is already gone is fine), then forgets the student's progress
 * on that target. On real AWS it asks first, unless `--yes`.
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
    const results = await session.cleanup({
      onEvent: actionPrinter(process.stdout),
      ignoreNotFound: true,
    });
    session.progress.clear();
    const failed = results.filter((result) => result.status === 'failed');
    console.log('');
    if (failed.length) {
      console.log(
        chalk.red(
          `${failed.length} cleanup action(s) failed; the rest ran. Progress on this target was cleared.`,
        ),
      );
      return EXIT.checkFailed;
    }
    console.log(chalk.green(`Cleaned up ${loaded.lab.id}; progress on this target was cleared.`));
    return EXIT.ok;
  });
}
