/**
 * Polling for eventual consistency: the first wait is `intervalSeconds`, each next one doubles,
 * up to 8x the first, until `timeoutSeconds` have passed since the start.
 */

export interface RetryBound {
  timeoutSeconds: number;
  intervalSeconds: number;
}

/** The wait before attempt `attempt + 1` (attempt counts from 0), or undefined when out of time. */
export function nextDelayMs(
  bound: RetryBound,
  attempt: number,
  elapsedMs: number,
): number | undefined {
  const first = bound.intervalSeconds * 1000;
  const delay = Math.min(first * 2 ** attempt, first * 8);
  const left = bound.timeoutSeconds * 1000 - elapsedMs;
  if (left <= 0) return undefined;
  return Math.min(delay, left);
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Human time for a bound: 30s, 2m, 15m. */
export function formatSeconds(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)}s`;
  return `${Math.round(seconds / 60)}m`;
}
