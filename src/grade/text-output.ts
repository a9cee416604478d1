import chalk from 'chalk';
import { formatPercent, bar } from './bar.js';
import { percentOf, studentPassed, type StudentResult } from './results.js';
import type { ClassSummary } from './summary.js';

/** Plain output, for pipes and CI logs: one line per student as they finish, then the summary. */

export function studentLine(
  result: StudentResult,
  position: { done: number; total: number },
): string {
  const counter = chalk.dim(
    `[${String(position.done).padStart(String(position.total).length)}/${position.total}]`,
  );
  const seconds = chalk.dim(`${(result.durationMs / 1000).toFixed(1)} s`);
  if (result.error !== null) {
    return `${counter} ${chalk.yellow('!')} ${result.id}  ${chalk.yellow('not graded:')} ${result.error}  ${seconds}`;
  }
  const score = `${result.score.earned}/${result.score.possible} (${percentOf(result).toFixed(1)}%)`;
  if (studentPassed(result))
    return `${counter} ${chalk.green('✓')} ${result.id}  ${score}  ${seconds}`;
  const missed = result.steps.flatMap((step) =>
    step.optional
      ? []
      : step.checks
          .filter((check) => !check.optional && check.status !== 'passed')
          .map((check) => `${step.id}/${check.id}`),
  );
  return `${counter} ${chalk.red('✗')} ${result.id}  ${score}  ${chalk.dim('missed:')} ${missed.join(', ')}  ${seconds}`;
}

export function summaryText(summary: ClassSummary, written: readonly string[]): string {
  const lines: string[] = [''];
  const notGraded = summary.errored ? `; ${summary.errored} could not be graded` : '';
  lines.push(
    `Graded ${summary.graded} of ${summary.students} students${notGraded}. ` +
      `${summary.passedAll} passed every required check.`,
  );
  lines.push(
    `Class average: ${summary.averagePercent === null ? 'none (nobody could be graded)' : `${summary.averagePercent.toFixed(1)}%`}`,
  );
  if (summary.graded > 0) {
    const width = Math.max(...summary.checks.map((check) => label(check).length));
    const row = (check: ClassSummary['checks'][number]) =>
      `  ${label(check).padEnd(width)}  ${bar(check.rate, 20)}  ${formatPercent(check.rate).padStart(4)}  ${chalk.dim(`${check.passed}/${check.graded}`)}`;
    const required = summary.checks.filter((check) => !check.optional);
    const optional = summary.checks.filter((check) => check.optional);
    lines.push('', 'Pass rate of each check, hardest first:', ...required.map(row));
    if (optional.length) lines.push(chalk.dim('Optional:'), ...optional.map(row));
  }
  if (written.length) lines.push('', `Wrote ${written.join(', ')}`);
  return lines.join('\n');
}

function label(check: { stepId: string; checkId: string }): string {
  return `${check.stepId}/${check.checkId}`;
}
