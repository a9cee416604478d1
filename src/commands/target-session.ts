import { existsSync } from 'node:fs';
import path from 'node:path';
import { TargetError, TargetOptionError } from '../aws/errors.js';
import type { TargetOptions } from '../aws/target.js';
import { loadLabForRun } from '../engine/lab-cache.js';
import {
  openLab,
  UnknownStepError,
  type LabSession,
  type OpenLabOptions,
} from '../engine/runner.js';
import { parseVars, VarError } from '../engine/vars.js';
import { labRoots, resolveLabArgument } from '../lab/discover.js';
import type { LoadedLab } from '../lab/load.js';
import { formatProblem } from '../lab/problem.js';
import { openTarget, type CommandTarget } from './target.js';
import { EXIT, UsageError } from './usage-error.js';

/**
 * What every lab command (check, solve, hint, reset) does around its own work: find and load
 * the lab (problems exit 2 with file:line:col), parse `--var` and `--step`, reach the target
 * (exit 3 when it cannot be reached or refuses the credentials), open the lab session, and
 * close everything afterwards. Errors become one sentence on stderr, never a stack trace.
 */

export interface LabCommandOptions extends TargetOptions {
  step?: string[];
  var?: string[];
  json?: boolean;
  junit?: string;
  yes?: boolean;
}

export interface LabCommandContext {
  session: LabSession;
  loaded: LoadedLab;
  target: CommandTarget;
  steps: string[] | undefined;
}

export async function withLabSession(
  labArgument: string,
  options: LabCommandOptions,
  work: (context: LabCommandContext) => Promise<number>,
  sessionOptions: Partial<Pick<OpenLabOptions, 'confirmBillable'>> = {},
): Promise<number> {
  let target: CommandTarget | undefined;
  try {
    const loaded = await loadLab(labArgument);
    if (typeof loaded === 'number') return loaded;
    const vars = parseVars(options.var ?? []);
    const steps = options.step?.length ? options.step : undefined;
    const known = loaded.lab.steps.map((step) => step.id);
    for (const id of steps ?? []) if (!known.includes(id)) throw new UnknownStepError(id, known);
    target = await openTarget(options);
    const session = openLab({
      lab: loaded,
      connection: target.connection,
      vars,
      ...sessionOptions,
    });
    return await work({ session, loaded, target, steps });
  } catch (error) {
    return reportError(error);
  } finally {
    await target?.close();
  }
}

/** The lab named on the command line, loaded; or the exit code after printing its problems. */
export async function loadLab(argument: string): Promise<LoadedLab | number> {
  const file = findLab(argument);
  if (!file) {
    throw new UsageError(
      `no lab "${argument}": give a lab id (\`labwright list\` shows them) or a path to a lab.yaml`,
    );
  }
  const result = await loadLabForRun(file);
  if (!result.ok) {
    for (const problem of result.problems) console.error(formatProblem(problem));
    console.error(
      `labwright: the lab does not load (${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}); \`labwright validate\` lints it`,
    );
    return EXIT.usage;
  }
  return result.loaded;
}

/**
 * A lab id is, by convention, its folder's name: look there first, so finding a lab does not
 * parse every lab.yaml; then ask discovery (a lab whose id differs from its folder).
 */
function findLab(argument: string): string | undefined {
  if (/^[a-z0-9][a-z0-9-]*$/.test(argument) && !existsSync(argument)) {
    for (const { dir } of labRoots()) {
      const file = path.join(dir, argument, 'lab.yaml');
      if (existsSync(file)) return file;
    }
  }
  return resolveLabArgument(argument);
}

/** Prints an error as one sentence and returns its exit code; unexpected errors are rethrown. */
export function reportError(error: unknown): number {
  if (error instanceof TargetError) {
    console.error(`labwright: ${error.message}`);
    return EXIT.target;
  }
  if (
    error instanceof UsageError ||
    error instanceof TargetOptionError ||
    error instanceof VarError ||
    error instanceof UnknownStepError
  ) {
    console.error(`labwright: ${error.message}`);
    return EXIT.usage;
  }
  throw error;
}

/** `--step` may be repeated. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
