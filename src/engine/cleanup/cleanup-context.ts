import { errorCodes, isUnsupportedOperation } from '../../aws/errors.js';
import type { TargetInfo } from '../../aws/target.js';
import { nextDelayMs, sleep, type RetryBound } from '../backoff.js';

/** An SDK call on the target: `call('iam', 'GetRole', { RoleName })`. */
export type Call = (
  service: string,
  operation: string,
  input: Record<string, unknown>,
) => Promise<Record<string, unknown>>;

/** What reset's deletion steps need: the target, its calls, a way to say what they do, a clock. */
export interface CleanupContext {
  call: Call;
  target: TargetInfo;
  /** Says a step as it happens ("stopping MyNotebookInstance (InService)"). */
  say(line: string): void;
  /** How long a wait for a state (a notebook stopping) may take, and how often to look. */
  bound: RetryBound;
  signal?: AbortSignal;
}

/**
 * AWS's ways of saying "there is no such thing" (SageMaker's is a ValidationException, its
 * message "Requested resource not found"; moto's "Could not find training job ...").
 */
export function isNotFound(error: unknown): boolean {
  if (errorCodes(error).some((code) => /NotFound|NoSuch/.test(code))) return true;
  const message = (error as { message?: string })?.message ?? '';
  return /RecordNotFound|Requested resource not found|does not exist|cannot be found|could not find/i.test(
    message,
  );
}

/** Runs `probe`, answering `gone` when the target says the thing does not exist. */
export async function unlessGone<T>(probe: () => Promise<T>, gone: T): Promise<T> {
  try {
    return await probe();
  } catch (error) {
    if (isNotFound(error)) return gone;
    throw error;
  }
}

/** Calls an operation the target may lack (LocalStack, the sandbox): undefined when it does. */
export async function ifSupported<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (isUnsupportedOperation(error)) return undefined;
    throw error;
  }
}

/**
 * Looks until `settled` says the value is final, within the context's bound; returns the last
 * value seen and whether it settled.
 */
export async function waitUntil<T>(
  ctx: CleanupContext,
  look: () => Promise<T>,
  settled: (value: T) => boolean,
): Promise<{ value: T; settled: boolean }> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    const value = await look();
    if (settled(value)) return { value, settled: true };
    const delay = nextDelayMs(ctx.bound, attempt, Date.now() - started);
    if (delay === undefined) return { value, settled: false };
    await sleep(delay, ctx.signal);
  }
}

/** Every item of a Marker-paged IAM list (`IsTruncated`, `Marker`). */
export async function allPages<T>(
  ctx: CleanupContext,
  service: string,
  operation: string,
  input: Record<string, unknown>,
  member: string,
): Promise<T[]> {
  const items: T[] = [];
  let marker: string | undefined;
  do {
    const page = await ctx.call(service, operation, {
      ...input,
      ...(marker ? { Marker: marker } : {}),
    });
    items.push(...((page[member] as T[] | undefined) ?? []));
    marker = page.IsTruncated ? (page.Marker as string | undefined) : undefined;
  } while (marker);
  return items;
}
