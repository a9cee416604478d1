/**
 * `${name}` variables. Lab authors define them under `vars`; students override them with
 * `--var name=value`; the target supplies the built-ins at run time. `$${` is a literal `${`,
 * so shell commands can still use their own variables.
 */

/** Supplied by the target when a lab runs, so they need no definition. */
export const BUILTIN_VARS = ['account', 'region', 'partition'] as const;

/** Values used for the built-ins when a lab is only validated. */
export const SAMPLE_BUILTINS: Record<(typeof BUILTIN_VARS)[number], string> = {
  account: '000000000000',
  region: 'us-east-1',
  partition: 'aws',
};

const REFERENCE = /\$(\$)?\{([^}]*)\}/g;

/** The variable names a string refers to (escaped `$${...}` excluded). */
export function referencedVars(text: string): string[] {
  const names: string[] = [];
  for (const match of text.matchAll(REFERENCE)) {
    if (!match[1]) names.push(match[2] ?? '');
  }
  return names;
}

export function interpolateString(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(REFERENCE, (whole, escaped: string | undefined, name: string) => {
    if (escaped) return whole.slice(1);
    const value = vars[name];
    if (value === undefined) throw new Error(`undefined variable \${${name}}`);
    return value;
  });
}

/**
 * Fills the variables `vars` defines and leaves every other `${...}` as written, for files that
 * mix lab variables with another tool's own (CloudFormation's `${AWS::Region}`).
 */
export function interpolateKnown(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(REFERENCE, (whole, escaped: string | undefined, name: string) => {
    if (escaped) return whole.slice(1);
    return vars[name] ?? whole;
  });
}

/** Replaces variables in every string inside a JSON-like value, keys included. */
export function interpolate<T>(value: T, vars: Readonly<Record<string, string>>): T {
  if (typeof value === 'string') return interpolateString(value, vars) as T;
  if (Array.isArray(value)) return value.map((item) => interpolate(item, vars)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        interpolateString(key, vars),
        interpolate(item, vars),
      ]),
    ) as T;
  }
  return value;
}

/** A variable name bash can expand: what `vars` and `--var` accept. */
export const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Names the target's environment owns: a lab variable may not shadow them. */
const RESERVED_PREFIX = /^(AWS_|LABWRIGHT_|BASH)/;
const RESERVED_NAMES = new Set([
  'PATH',
  'HOME',
  'IFS',
  'ENV',
  'SHELLOPTS',
  'PS4',
  'CDPATH',
  'GLOBIGNORE',
  'PWD',
  'OLDPWD',
]);

/**
 * Why `name` cannot be a lab variable, or undefined when it can. Every variable reaches shell
 * lines as an environment variable of its name, so it must be a shell name, and one that does
 * not change what bash or the AWS CLI do (BASH_ENV would run a file; AWS_PROFILE would
 * change the account).
 */
export function varNameProblem(name: string): string | undefined {
  if (!SHELL_NAME.test(name))
    return `variable name "${name}" is not a shell name: letters, digits and _, not starting with a digit`;
  if (RESERVED_PREFIX.test(name) || RESERVED_NAMES.has(name))
    return `variable name "${name}" is reserved for the environment shell lines run in; choose another`;
  return undefined;
}

/**
 * The command bash runs for a `shell:` line. labwright never pastes a value into it: a value
 * (a `--var`, a roster column) pasted into `bash -c` is code, and `x"; touch /tmp/pwned` runs.
 * The author's `${name}` is expanded by bash itself from the environment (see
 * shellEnvironment), quoted as the author quoted it. Only the lab's own `$${` escape is undone,
 * so a line written for the old interpolation still means what it meant.
 */
export function shellLine(line: string): string {
  return line.replaceAll('$${', '${');
}

/**
 * The environment of a shell action or check: the target's (AWS_*, LABWRIGHT_*), and every lab
 * variable under its own name, so `"${bucket}"` in a shell line is the bucket. Lab variables win
 * over the inherited rest (they are what the author's `${name}` means), but never over AWS_* or
 * LABWRIGHT_*, which the loader refuses as variable names anyway.
 */
export function shellEnvironment(
  env: Readonly<Record<string, string>>,
  vars: Readonly<Record<string, string>>,
): Record<string, string> {
  const merged: Record<string, string> = { ...env };
  for (const [name, value] of Object.entries(vars)) {
    if (varNameProblem(name)) continue;
    merged[name] = value;
  }
  return merged;
}

/** Parses `name=value` as given to `--var`. */
export function parseVarAssignment(text: string): [string, string] | undefined {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(text);
  return match ? [match[1]!, match[2]!] : undefined;
}
