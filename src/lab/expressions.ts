import type { Path, Report } from './path.js';
import { actionReference, isActionReference, referencedVars } from './vars.js';

/**
 * The expressions inside a lab that only fail when they run: JMESPath queries (aws.call's
 * `expect[].query`, `${actions.<id>.<path>}`) and regular expressions (aws.call's
 * `expect[].matches`, shell's `outputMatches`; the mistakes' own are checked in mistakes.ts).
 * Checked at load, so an
 * author finds them with `labwright validate`, not when a student's check says `error`.
 */

type Compile = (expression: string) => unknown;

/** Reports every invalid JMESPath and regular expression in the lab's raw data. */
export async function checkExpressions(data: unknown, report: Report): Promise<void> {
  const queries: { at: Path; expression: string; written?: string }[] = [];
  const patterns: { at: Path; pattern: string; flags?: string }[] = [];
  walk(data, [], (value, at) => {
    for (const name of referencedVars(value)) {
      if (!isActionReference(name)) continue;
      const path = actionReference(name)?.path;
      if (path !== undefined) queries.push({ at, expression: path, written: `\${${name}}` });
    }
  });
  listAt(data, 'steps').forEach((step, s) =>
    listAt(step, 'checks').forEach((check, c) => {
      const at: Path = ['steps', s, 'checks', c, 'with'];
      // Raw data: an entry may be anything (null, a number), the schema reports that.
      const { type, with: settings } = fieldsOf(check);
      if (type === 'aws.call') {
        listAt(settings, 'expect').forEach((assertion, a) => {
          const { query, matches } = fieldsOf(assertion);
          if (typeof query === 'string')
            queries.push({ at: [...at, 'expect', a, 'query'], expression: query });
          if (typeof matches === 'string')
            patterns.push({ at: [...at, 'expect', a, 'matches'], pattern: matches });
        });
      } else if (type === 'shell') {
        const pattern = fieldsOf(settings).outputMatches;
        if (typeof pattern === 'string')
          patterns.push({ at: [...at, 'outputMatches'], pattern, flags: 'm' });
      }
    }),
  );

  for (const { at, pattern, flags } of patterns) {
    try {
      new RegExp(pattern, flags);
    } catch (error) {
      report(at, `invalid regular expression /${pattern}/: ${messageOf(error)}`);
    }
  }
  if (!queries.length) return;
  const { compile } = (await import('jmespath')) as unknown as { compile: Compile };
  for (const { at, expression, written } of queries) {
    try {
      compile(expression);
    } catch (error) {
      report(
        at,
        `${written ? `${written}: ` : ''}invalid JMESPath "${expression}": ${messageOf(error)}`,
      );
    }
  }
}

function walk(value: unknown, at: Path, visit: (text: string, at: Path) => void): void {
  if (typeof value === 'string') visit(value, at);
  else if (Array.isArray(value)) value.forEach((item, index) => walk(item, [...at, index], visit));
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) walk(item, [...at, key], visit);
  }
}

function fieldsOf(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

function listAt(value: unknown, key: string): unknown[] {
  const list =
    value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return Array.isArray(list) ? list : [];
}

function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}
