import type * as z from 'zod';
import type { Path, Report } from './path.js';

/** Turning zod's issues into problems an author understands, at the right place. */

type Issue = z.core.$ZodIssue;

/** A union's issues are those of the branch the author evidently meant: the one with fewest. */
export function flattenIssues(issues: readonly Issue[]): Issue[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const best = [...issue.errors].sort((a, b) => a.length - b.length)[0] ?? [];
      return flattenIssues(
        best.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] })),
      );
    }
    return [issue];
  });
}

export function describeIssue(issue: Issue, root: unknown, report: Report): void {
  const at = issue.path.filter((key): key is string | number => typeof key !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    for (const key of issue.keys) {
      report([...at, key], `unknown key "${key}"`, true);
    }
    return;
  }
  // A bad variable name is reported by the loader's own pass, which says why (varNameProblem).
  if (issue.code === 'invalid_key' && at.length === 2 && at[0] === 'vars') return;
  if (issue.code === 'invalid_key') {
    report(at, `invalid key "${String(at[at.length - 1])}"`, true);
    return;
  }
  if (issue.code === 'invalid_type' && valueAt(root, at) === undefined) {
    const key = at[at.length - 1];
    if (typeof key === 'string' && ACTION_KINDS.includes(key) && isActionPath(at.slice(0, -1))) {
      report(at.slice(0, -1), 'an action needs one of aws, shell or manual');
      return;
    }
    report(at.slice(0, -1), `missing required key "${String(key)}" (expected ${issue.expected})`);
    return;
  }
  if (issue.code === 'invalid_type') {
    report(at, `expected ${issue.expected}, found ${describeValue(valueAt(root, at))}`);
    return;
  }
  report(at, issue.message);
}

const ACTION_KINDS = ['aws', 'shell', 'manual'];

/** steps[i].actions[j] or cleanup[j] */
function isActionPath(at: Path): boolean {
  const parent = at[at.length - 2];
  return typeof at[at.length - 1] === 'number' && (parent === 'actions' || parent === 'cleanup');
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string')
    return `the string "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return `${typeof value} ${String(value)}`;
}

export function valueAt(root: unknown, at: Path): unknown {
  let current: unknown = root;
  for (const key of at) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}
