import {
  BUILTIN_VARS,
  parseVarAssignment,
  resolveDefaults,
  VarCycleError,
  type BuiltinVar,
} from '../lab/vars.js';

/** A `--var` that names no variable of the lab, or a built-in: exit 2. */
export class VarError extends Error {
  override name = 'VarError';
}

/** The `--var name=value` options, as overrides by name; a malformed one throws VarError. */
export function parseVars(assignments: readonly string[]): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const text of assignments) {
    const parsed = parseVarAssignment(text);
    if (!parsed) {
      throw new VarError(`--var ${text}: write it as name=value, e.g. --var bucket=my-own-bucket`);
    }
    vars[parsed[0]] = parsed[1];
  }
  return vars;
}

/**
 * The variables a lab runs with: `--var name=value` overrides, the built-ins (account, region,
 * partition, callerArn, workspace, runId), which nothing may override, and the lab's other
 * defaults, which may use any of them (`lab-\${account}`).
 */
export function resolveVars(
  defaults: Readonly<Record<string, string>>,
  overrides: Readonly<Record<string, string>>,
  builtins: Readonly<Partial<Record<BuiltinVar, string>>>,
): Record<string, string> {
  checkOverrides(defaults, overrides);
  try {
    const known = Object.fromEntries(
      Object.entries(builtins).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );
    return resolveDefaults(defaults, { ...overrides, ...known });
  } catch (error) {
    if (error instanceof VarCycleError) throw new VarError(error.message);
    throw new VarError((error as Error).message);
  }
}

/** `--var` may set only variables the lab defines, never a built-in: VarError otherwise. */
export function checkOverrides(
  defaults: Readonly<Record<string, string>>,
  overrides: Readonly<Record<string, string>>,
): void {
  for (const name of Object.keys(overrides)) {
    if ((BUILTIN_VARS as readonly string[]).includes(name)) {
      throw new VarError(`--var ${name}: ${name} is built in and cannot be set`);
    }
    if (!Object.hasOwn(defaults, name)) {
      const known = Object.keys(defaults);
      throw new VarError(
        `--var ${name}: the lab has no variable ${name}${known.length ? `; its variables are ${known.join(', ')}` : ''}`,
      );
    }
  }
}
