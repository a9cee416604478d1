/** A mistake in how labwright was invoked: shown as one sentence, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
  readonly exitCode = 2;
}

/** Exit codes of the CLI contract (DESIGN.md). */
export const EXIT = {
  ok: 0,
  checkFailed: 1,
  usage: 2,
  target: 3,
} as const;
