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

/** Parses `name=value` as given to `--var`. */
export function parseVarAssignment(text: string): [string, string] | undefined {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(text);
  return match ? [match[1]!, match[2]!] : undefined;
}
