import { replaceActionReferences, type ActionReference } from '../lab/vars.js';

/**
 * `${actions.<id>.<JMESPath>}`: values from the responses of actions that have run (a KMS key's
 * id, a created role's ARN). The bound lab keeps these references as written, since nothing is
 * known of an action's response when the lab is bound; the engine fills them in here, right
 * before it runs an action or a check, from the outputs kept with progress (so a resumed TUI or
 * a later `labwright check` still has them).
 */

/** Where the outputs are kept: the session's progress. */
export interface ActionOutputs {
  has(id: string): boolean;
  get(id: string): unknown;
}

/** JMESPath, loaded the first time a reference needs it (most labs never do). */
export type JmesSearch = (data: unknown, expression: string) => unknown;

let jmespath: JmesSearch | undefined;

export async function loadJmesPath(): Promise<JmesSearch> {
  jmespath ??= (await import('jmespath')).search as JmesSearch;
  return jmespath;
}

/** Whether `value` holds any `${actions...}` reference (and so needs filling). */
export function hasActionReferences(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('${actions.');
  if (Array.isArray(value)) return value.some(hasActionReferences);
  if (value && typeof value === 'object') {
    return Object.entries(value).some(
      ([key, item]) => hasActionReferences(key) || hasActionReferences(item),
    );
  }
  return false;
}

/** What a reference finds in the responses: its text, or why there is none. */
type Found =
  | { text: string }
  | { missing: 'not run' }
  | { missing: 'invalid path'; message: string }
  | { missing: 'nothing there' };

function findOutput(reference: ActionReference, outputs: ActionOutputs, search: JmesSearch): Found {
  if (!outputs.has(reference.id)) return { missing: 'not run' };
  const response = outputs.get(reference.id);
  let found: unknown;
  try {
    found = reference.path === undefined ? response : search(response, reference.path);
  } catch (error) {
    return { missing: 'invalid path', message: (error as Error).message };
  }
  if (found === null || found === undefined) return { missing: 'nothing there' };
  // A string is pasted as it is, anything else as JSON.
  return { text: typeof found === 'string' ? found : JSON.stringify(found) };
}

/**
 * `value` with every `${actions.<id>...}` filled in. Throws an Error with the sentence a student
 * sees when the action has not run yet, or the path finds nothing.
 */
export async function fillActionOutputs<T>(value: T, outputs: ActionOutputs): Promise<T> {
  if (!hasActionReferences(value)) return value;
  const search = await loadJmesPath();
  const lookup = (reference: ActionReference, written: string): string => {
    const found = findOutput(reference, outputs, search);
    if ('text' in found) return found.text;
    switch (found.missing) {
      case 'not run':
        throw new Error(
          `${written} needs the action "${reference.id}" to have run first: run that step's actions (labwright solve --step, or the TUI's "run it for me")`,
        );
      case 'invalid path':
        throw new Error(`${written}: the JMESPath is invalid: ${found.message}`);
      case 'nothing there':
        throw new Error(`${written}: the response of action "${reference.id}" has nothing there`);
    }
  };
  return fill(value, lookup) as T;
}

/**
 * Text a student reads (a hint) with every `${actions.<id>...}` filled in where it can be; where
 * it cannot yet, a sentence in its place says what would fill it, never the raw reference.
 */
export async function showActionOutputs(
  texts: readonly string[],
  outputs: ActionOutputs,
): Promise<string[]> {
  if (!hasActionReferences(texts)) return [...texts];
  const search = await loadJmesPath();
  const lookup = (reference: ActionReference): string => {
    const found = findOutput(reference, outputs, search);
    if ('text' in found) return found.text;
    return found.missing === 'not run'
      ? `(what the action "${reference.id}" returns, once it has run)`
      : `(nothing at ${reference.path ?? 'the top'} of what the action "${reference.id}" returned)`;
  };
  return texts.map((text) => {
    try {
      return replaceActionReferences(text, lookup);
    } catch {
      return text;
    }
  });
}

function fill(
  value: unknown,
  lookup: (reference: ActionReference, written: string) => string,
): unknown {
  if (typeof value === 'string') return replaceActionReferences(value, lookup);
  if (Array.isArray(value)) return value.map((item) => fill(item, lookup));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        replaceActionReferences(key, lookup),
        fill(item, lookup),
      ]),
    );
  }
  return value;
}

/**
 * What an action's response is kept as: the SDK's output without its `$metadata`, as JSON
 * (dates as ISO text), so it is the same read from progress as it was just after the call.
 */
export function outputToKeep(output: unknown): unknown {
  if (!output || typeof output !== 'object') return output ?? null;
  const { $metadata: _metadata, ...rest } = output as Record<string, unknown>;
  // Only data: a response body stream or a client object is not part of what is kept.
  const plain = (_key: string, item: unknown) => {
    if (!item || typeof item !== 'object' || Array.isArray(item)) return item;
    const prototype = Object.getPrototypeOf(item) as unknown;
    return prototype === Object.prototype || prototype === null ? item : undefined;
  };
  return JSON.parse(JSON.stringify(rest, plain) ?? 'null') as unknown;
}
