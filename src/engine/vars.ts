import type { TargetInfo } from '../aws/target.js';
import { BUILTIN_VARS, parseVarAssignment } from '../lab/vars.js';

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
 * The variables a lab runs with: the lab's defaults, then `--var name=value` overrides, then
 * the built-ins the target supplies (account, region, partition), which nothing may override.
 */
export function resolveVars(
  defaults: Readonly<Record<string, string>>,
  overrides: Readonly<Record<string, string>>,
  target: Pick<TargetInfo, 'account' | 'region' | 'partition'>,
): Record<string, string> {
  for (const name of Object.keys(overrides)) {
    if ((BUILTIN_VARS as readonly string[]).includes(name)) {
      throw new VarError(`--var ${name}: ${name} comes from the target and cannot be set`);
    }
    if (!Object.hasOwn(defaults, name)) {
      const known = Object.keys(defaults);
      throw new VarError(
        `--var ${name}: the lab has no variable ${name}${known.length ? `; its variables are ${known.join(', ')}` : ''}`,
      );
    }
  }
  return {
    ...defaults,
    ...overrides,
    account: target.account,
    region: target.region,
    partition: target.partition,
  };
}
