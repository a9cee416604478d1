import chalk from 'chalk';
import { formatSeconds } from '../engine/backoff.js';
import type { RunEvent } from '../engine/events.js';

/**
 * What `check` and `solve` show on stderr while checks wait (src/engine/wait-policy.ts: only
 * while something is in progress, or for AWS's eventual consistency). On a terminal, one live
 * line, redrawn each second and cleared when the wait ends:
 *
 *   waiting for training job x: InProgress, 0:42 of 15:00 (Ctrl-C stops waiting)
 *
 * Elsewhere (a pipe, CI), one line when a check starts waiting, and nothing per tick.
 */

interface Wait {
  what: string;
  state: string;
  /** Time waited before `at`, and the bound. */
  elapsedMs: number;
  timeoutMs: number;
  at: number;
}

const TICK_MS = 1000;

export function checkProgressPrinter(
  enabled: boolean,
  out: NodeJS.WriteStream = process.stderr,
): (event: RunEvent) => void {
  const waits = new Map<string, Wait>();
  let timer: NodeJS.Timeout | undefined;
  const live = !!out.isTTY;

  const draw = () => {
    const [first] = waits.values();
    if (!first) return;
    const elapsed = first.elapsedMs + (Date.now() - first.at);
    const more = waits.size > 1 ? ` (and ${waits.size - 1} more)` : '';
    const text = `waiting for ${first.what}: ${first.state}, ${clock(elapsed)} of ${clock(first.timeoutMs)}${more} (Ctrl-C stops waiting)`;
    const width = out.columns ? out.columns - 1 : text.length;
    out.write(`\r\x1b[2K${chalk.dim(text.slice(0, width))}`);
  };
  const clear = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
    out.write('\r\x1b[2K');
  };

  return (event) => {
    if (!enabled) return;
    if (event.type === 'check-retry') {
      const key = `${event.stepId}/${event.checkId}`;
      const first = !waits.has(key);
      waits.set(key, {
        what: event.pending?.what ?? `${key} to show on AWS`,
        state: event.pending?.state ?? 'not yet',
        elapsedMs: event.elapsedMs,
        timeoutMs: event.timeoutMs,
        at: Date.now(),
      });
      if (!live) {
        if (first) {
          const what = event.pending ? `${event.pending.what} (${event.pending.state})` : key;
          out.write(
            chalk.dim(
              `… waiting for ${what}, up to ${formatSeconds(event.timeoutMs / 1000)} (Ctrl-C stops waiting): ${event.message}\n`,
            ),
          );
        }
        return;
      }
      draw();
      timer ??= setInterval(draw, TICK_MS);
      timer.unref();
    } else if (
      event.type === 'check-done' &&
      waits.delete(`${event.stepId}/${event.checkId}`) &&
      live
    ) {
      if (waits.size === 0) clear();
      else draw();
    }
  };
}

/** 0:42, 15:00, 1:02:03. */
export function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const seconds = String(total % 60).padStart(2, '0');
  const minutes = Math.floor(total / 60);
  if (minutes < 60) return `${minutes}:${seconds}`;
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}:${seconds}`;
}
