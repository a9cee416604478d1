import chalk from 'chalk';
import { formatSeconds } from '../engine/backoff.js';
import type { RunEvent } from '../engine/events.js';

/**
 * Progress lines on stderr while checks run, so a student knows why `check` is waiting:
 * one line the first time each check is polled again for eventual consistency.
 */
export function checkProgressPrinter(enabled: boolean): (event: RunEvent) => void {
  const announced = new Set<string>();
  return (event) => {
    if (!enabled || event.type !== 'check-retry') return;
    const key = `${event.stepId}/${event.checkId}`;
    if (announced.has(key)) return;
    announced.add(key);
    process.stderr.write(
      chalk.dim(
        `… ${key} does not pass yet; checking again in ${formatSeconds(event.delayMs / 1000)}, for a while (Ctrl-C stops waiting): ${event.message}\n`,
      ),
    );
  };
}
