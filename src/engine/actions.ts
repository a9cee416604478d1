import { spawn } from 'node:child_process';
import type { AwsClients } from '../aws/clients.js';
import { errorCode, errorCodes, firstLine, TargetError } from '../aws/errors.js';
import type { Action, AwsAction, ShellAction, WaitAction } from '../lab/schema.js';
import { actionDisplay, labDocuments, type BoundAction } from './bound-lab.js';
import { interpolateString, shellEnvironment, shellLine } from '../lab/vars.js';
import { nextDelayMs, sleep } from './backoff.js';
import type { ActionResult, RunEventListener } from './events.js';

/**
 * Runs one action of a step (or of the lab's cleanup): `aws` calls an SDK operation, `wait`
 * waits with one of the SDK's waiters, `shell` runs a bash command with the target's
 * environment in the lab's workspace (its files with the variables filled in), `manual` is
 * only shown. Actions are meant to be idempotent: an error the lab lists in `ignoreErrors`
 * means the work was already done.
 */

const NOT_FOUND = /NotFound|NoSuch/;

export interface Billable {
  resource: string;
  usdPerHour: number;
}

export interface ActionContext {
  clients: AwsClients;
  vars: Readonly<Record<string, string>>;
  /** Where shell actions run: the workspace, or the lab folder when there is none. */
  labDir: string;
  /** The environment shell actions run with (the target's, plus LABWRIGHT_CWD). */
  env: Readonly<Record<string, string>>;
  /**
   * Asked before a billable action runs on real AWS; false skips it. Absent means the
   * caller already agreed (--yes) or the target bills nothing.
   */
  confirmBillable?: (billable: Billable, title: string) => Promise<boolean>;
  /** Treat "not found" errors as already done (cleanup: what is gone needs no deleting). */
  ignoreNotFound?: boolean;
  stepId: string;
  index: number;
  /** Runs once the action has started, before its work (reset: what AWS demands before a delete). */
  before?: () => Promise<void>;
  onEvent?: RunEventListener;
  signal?: AbortSignal;
}

/** The command a student would type for this action, with variables filled in. */
export function describeAction(action: Action, vars: Readonly<Record<string, string>>): string {
  const fill = (text: string) => safeInterpolate(text, vars);
  if ('aws' in action) return action.cli ? fill(action.cli) : `aws ${action.aws}`;
  if ('shell' in action) return fill(action.shell);
  if ('wait' in action) return fill(action.cli ?? `wait for ${action.wait}`);
  return fill(action.manual);
}

/** Runs one action of the bound lab (src/engine/bound-lab.ts): its text is filled in already. */
export async function runAction(action: BoundAction, ctx: ActionContext): Promise<ActionResult> {
  const title = action.title;
  ctx.onEvent?.({
    type: 'action-start',
    stepId: ctx.stepId,
    index: ctx.index,
    action,
    title,
    display: actionDisplay(action, ctx.vars),
  });
  let result: ActionResult;
  if (action.billable && ctx.confirmBillable) {
    const billable = {
      resource: action.billable.resource,
      usdPerHour: action.billable.usdPerHour,
    };
    if (!(await ctx.confirmBillable(billable, title))) {
      result = { status: 'declined', title, message: `skipped: you declined ${billable.resource}` };
      ctx.onEvent?.({ type: 'action-done', stepId: ctx.stepId, index: ctx.index, result });
      return result;
    }
  }
  await ctx.before?.();
  if ('aws' in action) result = await runAwsAction(action, title, ctx);
  else if ('shell' in action) result = await runShellAction(action, title, ctx);
  else if ('wait' in action) result = await runWaitAction(action, title, ctx);
  else {
    result = {
      status: 'manual',
      title,
      message: `do this by hand (labwright cannot): ${action.manual}`,
    };
  }
  ctx.onEvent?.({ type: 'action-done', stepId: ctx.stepId, index: ctx.index, result });
  return result;
}

/** Replaces each `{ file }` reference in `value` by the document, its variables filled in. */
export function loadFileRefs(
  value: unknown,
  vars: Readonly<Record<string, string>>,
  labDir: string,
): unknown {
  return labDocuments(labDir, vars).load(value);
}

async function runAwsAction(
  action: Readonly<AwsAction> & { readonly problem?: string },
  title: string,
  ctx: ActionContext,
): Promise<ActionResult> {
  const [service = '', operation = ''] = action.aws.split(':');
  if (action.problem !== undefined) return { status: 'failed', title, message: action.problem };
  // A copy: the bound lab is immutable, and the SDK may keep or change what it is given.
  const input = structuredClone(action.input) as Record<string, unknown>;
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      const output = await ctx.clients.call(
        service,
        operation,
        input,
        ctx.signal ? { signal: ctx.signal } : {},
      );
      return { status: 'done', title, message: 'done', output };
    } catch (error) {
      if (error instanceof TargetError) throw error;
      const code = errorCode(error);
      const codes = errorCodes(error);
      const ignored = codes.find((name) => action.ignoreErrors.includes(name));
      if (ignored) {
        return {
          status: 'already-done',
          title,
          message: `already done (${ignored})`,
          code: ignored,
        };
      }
      if (ctx.ignoreNotFound && codes.some((name) => NOT_FOUND.test(name))) {
        return { status: 'already-done', title, message: `already gone (${code})`, code };
      }
      const message = `${code}: ${firstLine((error as Error).message ?? String(error))}`;
      const delayMs = action.retry
        ? nextDelayMs(action.retry, attempt, Date.now() - started)
        : undefined;
      if (delayMs === undefined || ctx.signal?.aborted)
        return { status: 'failed', title, message, code };
      ctx.onEvent?.({
        type: 'action-retry',
        stepId: ctx.stepId,
        index: ctx.index,
        attempt: attempt + 1,
        delayMs,
        message,
      });
      await sleep(delayMs, ctx.signal);
    }
  }
}

async function runWaitAction(
  action: Readonly<WaitAction> & { readonly problem?: string },
  title: string,
  ctx: ActionContext,
): Promise<ActionResult> {
  if (action.problem !== undefined) return { status: 'failed', title, message: action.problem };
  const [service = '', waiter = ''] = action.wait.split(':');
  try {
    const output = await ctx.clients.waitFor(
      service,
      waiter,
      structuredClone(action.input) as Record<string, unknown>,
      {
        timeoutSeconds: action.timeoutSeconds,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      },
    );
    return { status: 'done', title, message: 'done', output };
  } catch (error) {
    if (error instanceof TargetError) throw error;
    const e = error as Error;
    const why =
      e?.name === 'TimeoutError'
        ? `still not done after ${action.timeoutSeconds} s`
        : firstLine(e?.message ?? String(error));
    return { status: 'failed', title, message: `${action.wait}: ${why}`, code: errorCode(error) };
  }
}

function runShellAction(
  action: Readonly<ShellAction>,
  title: string,
  ctx: ActionContext,
): Promise<ActionResult> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', shellLine(action.shell)], {
      cwd: ctx.labDir,
      env: shellEnvironment(ctx.env, ctx.vars),
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    let lastError = '';
    let stdout = '';
    const forward = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      // Kept (up to 1 MB) as the action's output, for `${actions.<id>...}`.
      if (stream === 'stdout' && stdout.length < 1 << 20) stdout += text;
      if (stream === 'stderr' && text.trim())
        lastError = firstLine(text.trim().split('\n').at(-1) ?? '');
      ctx.onEvent?.({ type: 'action-output', stepId: ctx.stepId, index: ctx.index, stream, text });
    };
    child.stdout.on('data', forward('stdout'));
    child.stderr.on('data', forward('stderr'));
    child.on('error', (error) =>
      resolve({ status: 'failed', title, message: `bash could not run: ${error.message}` }),
    );
    child.on('close', (code, signal) => {
      if (code === 0)
        resolve({ status: 'done', title, message: 'done', code: '0', output: shellOutput(stdout) });
      else {
        const why = signal ? `was stopped by ${signal}` : `exited with ${code}`;
        resolve({
          status: 'failed',
          title,
          message: `the command ${why}${lastError ? `: ${lastError}` : ''}`,
          code: String(code ?? signal),
        });
      }
    });
  });
}

/** A shell action's output: its stdout parsed as JSON (`aws ... --output json`), else `{ stdout }`. */
function shellOutput(stdout: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(stdout) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // Not JSON: the text itself.
  }
  return { stdout: stdout.trim() };
}

/** Interpolates for display; an undefined variable is shown as written rather than thrown. */
function safeInterpolate(text: string, vars: Readonly<Record<string, string>>): string {
  try {
    return interpolateString(text, vars);
  } catch {
    return text;
  }
}
