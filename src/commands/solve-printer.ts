import chalk from 'chalk';
import type { RunEvent } from '../engine/events.js';

/**
 * How `solve` and `reset` show their actions as they run: the action's title, the command a
 * student would type, shell output indented, then the outcome. Written to `out` (stderr when
 * stdout carries JSON).
 */
export function actionPrinter(
  out: NodeJS.WritableStream,
  checks: (event: RunEvent) => void = () => undefined,
) {
  return (event: RunEvent) => {
    switch (event.type) {
      case 'action-start':
        out.write(`${chalk.bold('→')} ${event.title}\n`);
        if (!('manual' in event.action)) out.write(chalk.dim(`  $ ${event.display}\n`));
        break;
      case 'action-output':
        out.write(indent(event.text));
        break;
      case 'action-retry':
        out.write(
          chalk.dim(
            `  … ${event.message}; trying again in ${(event.delayMs / 1000).toFixed(1)}s\n`,
          ),
        );
        break;
      case 'action-done': {
        const { result } = event;
        const line =
          result.status === 'done'
            ? chalk.green('  ✓ done')
            : result.status === 'already-done'
              ? chalk.green(`  ✓ ${result.message}`)
              : result.status === 'manual'
                ? chalk.yellow(`  ✋ ${result.message}`)
                : result.status === 'declined'
                  ? chalk.yellow(`  - ${result.message}`)
                  : chalk.red(`  ✗ ${result.message}`);
        out.write(`${line}\n`);
        break;
      }
      default:
        checks(event);
    }
  };
}

function indent(text: string): string {
  return text
    .split(/(?<=\n)/)
    .map((line) => `    ${line}`)
    .join('');
}
