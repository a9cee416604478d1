/**
 * `${name}` variables. Lab authors define them under `vars`; students override them with
 * `--var name=value`; the target supplies the built-ins at run time. `$${` is a literal `${`,
 * so shell commands can still use their own variables.
 */

/**
 * Supplied when a lab runs, so they need no definition: the target's account, region,
 * partition and caller ARN; the workspace (the filled-in copy of the lab's files); and runId,
 * unique per attempt of the lab (kept with progress, new after `labwright reset`), for names
 * AWS never lets you reuse, such as a training job's.
 */
export const BUILTIN_VARS = [
  'account',
  'region',
  'partition',
  'callerArn',
  'workspace',
  'runId',
] as const;

export type BuiltinVar = (typeof BUILTIN_VARS)[number];

/** Values used for the built-ins when a lab is only validated. */
export const SAMPLE_BUILTINS: Record<BuiltinVar, string> = {
  account: '000000000000',
  region: 'us-east-1',
  partition: 'aws',
  callerArn: 'arn:aws:iam::000000000000:root',
  workspace: '/tmp/labwright-workspace',
  runId: 'r00000000',
};

/**
 * `${actions.<id>}` or `${actions.<id>.<JMESPath>}`: a value from the response of the action
 * with that id. Not a variable: it is known only once that action has run, so binding leaves it
 * as written and the engine fills it in when it runs an action or a check.
 */
const ACTION_REFERENCE = /^actions\.([a-z0-9][a-z0-9-]*)(?:\.(.+))?$/s;

export interface ActionReference {
  id: string;
  /** A JMESPath expression over the action's response; undefined for the whole response. */
  path: string | undefined;
}

export function actionReference(name: string): ActionReference | undefined {
  const match = ACTION_REFERENCE.exec(name);
  return match ? { id: match[1]!, path: match[2] } : undefined;
}

/** Whether a `${...}` name is an action output rather than a variable. */
export function isActionReference(name: string): boolean {
  return name.startsWith('actions.');
}

const REFERENCE = /\$(\$)?\{([^}]*)\}/g;

/** The `${...}` names a string refers to, action outputs included (escaped `$${...}` excluded). */
export function referencedVars(text: string): string[] {
  const names: string[] = [];
  for (const match of text.matchAll(REFERENCE)) {
    if (!match[1]) names.push(match[2] ?? '');
  }
  return names;
}

/**
 * Fills `${name}` with variables. An action output (`${actions...}`), escaped or not, stays as
 * written for fillActionOutputs, which runs once the action has.
 */
export function interpolateString(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(REFERENCE, (whole, escaped: string | undefined, name: string) => {
    if (isActionReference(name)) return whole;
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
    if (isActionReference(name)) return whole;
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

/**
 * Replaces each `${actions.<id>...}` in `text` through `lookup`, which returns the value's
 * text or throws a sentence; `$${actions...}` is the literal text.
 */
export function replaceActionReferences(
  text: string,
  lookup: (reference: ActionReference, written: string) => string,
): string {
  return text.replace(REFERENCE, (whole, escaped: string | undefined, name: string) => {
    if (!isActionReference(name)) return whole;
    if (escaped) return whole.slice(1);
    const reference = actionReference(name);
    if (!reference)
      throw new Error(`${whole} is not an action output: write \${actions.<id>.<path>}`);
    return lookup(reference, whole);
  });
}

/**
 * The lab's variable defaults with the variables they use filled in (`bucket:
 * "lab-\${account}"`), given the values known already (overrides and built-ins, which are
 * taken as they are). Throws a VarCycleError naming the cycle, or an Error naming an undefined
 * variable.
 */
export function resolveDefaults(
  defaults: Readonly<Record<string, string>>,
  fixed: Readonly<Record<string, string>>,
): Record<string, string> {
  const resolved: Record<string, string> = { ...fixed };
  const resolving: string[] = [];
  const resolve = (name: string): string => {
    if (Object.hasOwn(resolved, name)) return resolved[name]!;
    if (!Object.hasOwn(defaults, name)) throw new Error(`undefined variable \${${name}}`);
    const start = resolving.indexOf(name);
    if (start >= 0) throw new VarCycleError([...resolving.slice(start), name]);
    resolving.push(name);
    const value = defaults[name]!.replace(
      REFERENCE,
      (whole, escaped: string | undefined, inner: string) => {
        if (escaped) return whole.slice(1);
        if (isActionReference(inner))
          throw new Error(
            `the default of \${${name}} uses ${whole}: a variable cannot use an action's output`,
          );
        return resolve(inner);
      },
    );
    resolving.pop();
    resolved[name] = value;
    return value;
  };
  for (const name of Object.keys(defaults)) resolve(name);
  return resolved;
}

/** Variable defaults that use each other in a circle. */
export class VarCycleError extends Error {
  override name = 'VarCycleError';
  constructor(readonly cycle: readonly string[]) {
    super(`the variables' defaults use each other in a cycle: ${cycle.join(' -> ')}`);
  }
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
