import chalk from 'chalk';
import type { LabReport } from '../engine/report.js';
import type { LabSession } from '../engine/runner.js';
import { requiredPassed } from '../engine/verdicts.js';
import { prepareWorkspace } from '../engine/workspace.js';
import { withLabSession, type LabCommandOptions } from './target-session.js';
import { EXIT } from './usage-error.js';

/**
 * `labwright hint <lab>`: runs the checks once (no waiting), then prints the next hint the
 * student has not seen for the first check that does not pass, and records it: reports count
 * the hints a student used. Hints come one at a time, from a nudge to the answer.
 */
export function hintCommand(lab: string, options: LabCommandOptions): Promise<number> {
  return withLabSession(lab, options, async ({ session, steps, loaded }) => {
    const report = await checkUntilRequiredFailure(
      session,
      steps ?? session.lab.steps.map((step) => step.id),
    );
    const given = session.nextHint(report);
    if (options.json) {
      const check =
        given &&
        report.steps.find((s) => s.id === given.stepId)?.checks.find((c) => c.id === given.checkId);
      process.stdout.write(
        `${JSON.stringify(given ? { ...given, message: check?.message ?? '', hintsUsed: session.progress.hintsUsed() } : null, null, 2)}\n`,
      );
      return EXIT.ok;
    }
    if (!given) {
      const failing = report.steps.some((step) =>
        step.checks.some((check) => check.status !== 'passed'),
      );
      console.log(
        failing
          ? 'The checks that do not pass have no hints.'
          : 'Every check passes: no hint needed.',
      );
      return EXIT.ok;
    }
    const check = report.steps
      .find((s) => s.id === given.stepId)
      ?.checks.find((c) => c.id === given.checkId);
    console.log(
      `${chalk.red('✗')} ${chalk.bold(`${given.stepId} › ${given.checkId}`)}: ${given.title}`,
    );
    if (check?.message) console.log(`  ${check.message}`);
    const last = given.number === given.total ? ', the last' : '';
    console.log(`${chalk.cyan(`Hint ${given.number} of ${given.total}${last}:`)} ${given.hint}`);
    // A command naming the lab's files runs where they are, with the student's names filled in.
    if (given.hint.includes('file://')) {
      const dir = prepareWorkspace(loaded.dir, loaded.lab.id, session.vars);
      console.log(chalk.dim(`Run its commands in ${dir}, where the lab's files are.`));
    }
    return EXIT.ok;
  });
}

/**
 * Checks step by step, stopping at the first step with a required check that does not pass:
 * the hint is for that step, and later steps (maybe slow ones) need not run. The reports of
 * the steps that ran are merged into one.
 */
async function checkUntilRequiredFailure(
  session: LabSession,
  stepIds: string[],
): Promise<LabReport> {
  let merged: LabReport | undefined;
  for (const id of stepIds) {
    const report = await session.runChecks({ steps: [id], wait: 'none' });
    merged = merged ? { ...merged, steps: [...merged.steps, ...report.steps] } : report;
    if (!requiredPassed(report.steps)) break;
  }
  return merged!;
}
