import chalk from 'chalk';
import type { TargetInfo } from '../aws/target.js';
import type { CheckReport, LabReport, Status } from '../engine/report.js';

/**
 * The plain report, for a terminal or a pipe: a line per check with ✓ or ✗, what was found,
 * and for a check that did not pass the next hint; then the score. Colour follows chalk,
 * which honours NO_COLOR and turns itself off without a TTY.
 */

const GLYPH: Record<Status, string> = {
  passed: chalk.green('✓'),
  failed: chalk.red('✗'),
  error: chalk.yellow('!'),
  skipped: chalk.dim('-'),
};

export function describeTargetInfo(target: TargetInfo): string {
  switch (target.kind) {
    case 'sandbox':
      return `the sandbox (${target.endpoint}, account ${target.account}, ${target.region})`;
    case 'endpoint':
      return `${target.endpoint} (account ${target.account}, ${target.region})`;
    case 'aws':
      return `AWS account ${target.account}, ${target.region}${target.profile ? `, profile ${target.profile}` : ''}`;
  }
}

export function renderText(report: LabReport, options: { title?: string } = {}): string {
  const lines: string[] = [];
  lines.push(`${chalk.bold(options.title ?? report.lab)} on ${describeTargetInfo(report.target)}`);
  for (const step of report.steps) {
    lines.push('');
    const optional = step.optional && !/optional/i.test(step.title) ? chalk.dim(' (optional)') : '';
    lines.push(`${GLYPH[step.status]} ${chalk.bold(step.id)}  ${step.title}${optional}`);
    for (const check of step.checks) lines.push(...renderCheck(check));
  }
  lines.push('');
  lines.push(summaryLine(report));
  return `${lines.join('\n')}\n`;
}

function renderCheck(check: CheckReport): string[] {
  const points = check.points
    ? chalk.dim(` [${check.status === 'passed' ? check.points : 0}/${check.points}]`)
    : '';
  const optional = check.optional ? chalk.dim(' (optional)') : '';
  const title = check.title ? ` ${check.title}` : '';
  const lines = [`  ${GLYPH[check.status]} ${check.id}:${title}${optional}${points}`];
  if (check.message)
    lines.push(`      ${check.status === 'passed' ? chalk.dim(check.message) : check.message}`);
  if (check.hint) lines.push(`      ${chalk.cyan('hint:')} ${check.hint}`);
  return lines;
}

export function summaryLine(report: LabReport): string {
  const required = report.steps.flatMap((step) =>
    step.checks.filter((check) => !check.optional && !step.optional),
  );
  const passed = required.filter((check) => check.status === 'passed').length;
  const errors = report.steps
    .flatMap((step) => step.checks)
    .filter((check) => check.status === 'error').length;
  const parts = [
    `Score ${report.score.earned}/${report.score.possible}`,
    `${passed}/${required.length} required checks passed`,
    ...(errors ? [`${errors} could not run`] : []),
    `${report.hintsUsed} hint${report.hintsUsed === 1 ? '' : 's'} used`,
    `${(report.durationMs / 1000).toFixed(2)}s`,
  ];
  return chalk.bold(parts.join(' · '));
}
