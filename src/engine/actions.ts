import { spawn } from 'node:child_process';
import type { AwsClients } from '../aws/clients.js';
import { errorCode, errorCodes, firstLine, TargetError } from '../aws/errors.js';
import { isFileRef, readLabDocument } from '../lab/files.js';
import type { Action, AwsAction, ShellAction } from '../lab/schema.js';
import { interpolate, interpolateString, shellEnvironment, shellLine } from '../lab/vars.js';
import { nextDelayMs, sleep } from './backoff.js';
import type { ActionResult, RunEventListener } from './events.js';

/**
 * Runs one action of a step (or of the lab's cleanup): `aws` calls an SDK operation,
 * `shell` runs a bash command with the target's environment in the lab folder, `manual` is
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
  onEvent?: RunEventListener;
  signal?: AbortSignal;
}

/** The command a student would type for this action, with variables filled in. */
export function describeAction(action: Action, vars: Readonly<Record<string, string>>): string {
  const fill = (text: string) => safeInterpolate(text, vars);
  if ('aws' in action) return action.cli ? fill(action.cli) : `aws ${action.aws}`;
  if ('shell' in action) return fill(action.shell);
  return fill(action.manual);
}

export async function runAction(action: Action, ctx: ActionContext): Promise<ActionResult> {
  const title = safeInterpolate(action.title, ctx.vars);
  ctx.onEvent?.({
    type: 'action-start',
    stepId: ctx.stepId,
    index: ctx.index,
    action,
    title,
    display: describeAction(action, ctx.vars),
  });
  let result: ActionResult;
  if (action.billable && ctx.confirmBillable) {
    const billable = {
      resource: safeInterpolate(action.billable.resource, ctx.vars),
      usdPerHour: action.billable.usdPerHour,
    };
    if (!(await ctx.confirmBillable(billable, title))) {
      result = { status: 'declined', title, message: `skipped: you declined ${billable.resource}` };
      ctx.onEvent?.({ type: 'action-done', stepId: ctx.stepId, index: ctx.index, result });
      return result;
    }
  }
  if ('aws' in action) result = await runAwsAction(action, title, ctx);
  else if ('shell' in action) result = await runShellAction(action, title, ctx);
  else {
    result = {
      status: 'manual',
      title,
      message: `do this by hand (labwright cannot): ${safeInterpolate(action.manual, ctx.vars)}`,
    };
  }
  ctx.onEvent?.({ type: 'action-done', stepId: ctx.stepId, index: ctx.index, result });
  return result;
}

/** The input of an aws action: variables filled in, `{ file }` references loaded (and filled in). */
export function resolveActionInput(
  input: Record<string, unknown>,
  vars: Readonly<Record<string, string>>,
  labDir: string,
): Record<string, unknown> {
  return loadFileRefs(interpolate(input, vars), vars, labDir) as Record<string, unknown>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (!value || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/** Replaces each `{ file }` reference in `value` by the document, its variables filled in. */
export function loadFileRefs(
  value: unknown,
  vars: Readonly<Record<string, string>>,
  labDir: string,
): unknown {
  if (isFileRef(value)) return interpolate(readLabDocument(labDir, value.file), vars);
  if (Array.isArray(value)) return value.map((item) => loadFileRefs(item, vars, labDir));
  // Only plain data: a Date or a Uint8Array in a check's input is passed as it is.
  if (isPlainObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, loadFileRefs(item, vars, labDir)]),
    );
  }
  return value;
}

async function runAwsAction(
  action: AwsAction,
  title: string,
  ctx: ActionContext,
): Promise<ActionResult> {
  const [service = '', operation = ''] = action.aws.split(':');
  let input: Record<string, unknown>;
  try {
    input = resolveActionInput(action.input, ctx.vars, ctx.labDir);
  } catch (error) {
    return { status: 'failed', title, message: (error as Error).message };
  }
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

function runShellAction(
  action: ShellAction,
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
    const forward = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      const text = chunk.toString('utf8');
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
      if (code === 0) resolve({ status: 'done', title, message: 'done', code: '0' });
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

/** Interpolates for display; an undefined variable is shown as written rather than thrown. */
function safeInterpolate(text: string, vars: Readonly<Record<string, string>>): string {
  try {
    return interpolateString(text, vars);
  } catch {
    return text;
  }
}
