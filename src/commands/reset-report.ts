import chalk from 'chalk';
import type { CleanupItem, CleanupReport } from '../engine/cleanup/run-cleanup.js';

/**
 * What `labwright reset` says at the end: what it deleted, what was already gone, and what it
 * left and why (✗ for what it should have deleted, · for what the target cannot delete).
 */
export function printCleanupReport(report: CleanupReport, out: NodeJS.WritableStream): void {
  const line = (item: CleanupItem) =>
    `${item.kind} ${item.name}${item.detail ? `: ${item.detail}` : ''}`;
  const sections: [string, CleanupItem['outcome'], (item: CleanupItem) => string][] = [
    ['Deleted', 'deleted', (item) => chalk.green(`  ✓ ${line(item)}`)],
    ['Already gone', 'already-gone', (item) => chalk.dim(`  · ${line(item)}`)],
    [
      'Left',
      'left',
      (item) =>
        item.unexpected ? chalk.red(`  ✗ ${line(item)}`) : chalk.yellow(`  · ${line(item)}`),
    ],
  ];
  for (const [title, outcome, show] of sections) {
    const items = report.items.filter((item) => item.outcome === outcome);
    if (items.length === 0) continue;
    out.write(`\n${chalk.bold(`${title}:`)}\n`);
    for (const item of items) out.write(`${show(item)}\n`);
  }
}
