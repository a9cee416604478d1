/**
 * CloudWatch Logs filter patterns for unstructured events: `ERROR` (a term), `"Training seconds"`
 * (an exact phrase), `ERROR Exception` (every term), `?ERROR ?WARN` (any of them) and `-DEBUG`
 * (none of them). Case-sensitive, as on AWS. One matcher for the sandbox, which answers
 * FilterLogEvents with it, and for the checks, which re-check what any target answered with it.
 * JSON (`{ $.x = 1 }`) and space-delimited (`[ip, user]`) patterns are not matched: each caller
 * refuses them in its own terms.
 */

interface Term {
  text: string;
  kind: 'all' | 'any' | 'not';
}

export type MessageMatcher = (message: string) => boolean;

/** JSON and space-delimited patterns. */
export function isStructuredPattern(pattern: string): boolean {
  const source = pattern.trim();
  return source.startsWith('{') || source.startsWith('[');
}

/** Whether a quoted phrase is never closed. */
export function hasUnclosedQuote(pattern: string): boolean {
  let quotes = 0;
  for (const char of pattern) if (char === '"') quotes++;
  return quotes % 2 !== 0;
}

/** A matcher for a term pattern; an unclosed phrase runs to the end. */
export function compileTermPattern(pattern: string | undefined): MessageMatcher {
  const source = (pattern ?? '').trim();
  if (source === '' || source === '""') return () => true;
  const terms = tokenize(source);
  const all = terms.filter((t) => t.kind === 'all');
  const any = terms.filter((t) => t.kind === 'any');
  const not = terms.filter((t) => t.kind === 'not');
  return (message) =>
    all.every((t) => message.includes(t.text)) &&
    (any.length === 0 || any.some((t) => message.includes(t.text))) &&
    !not.some((t) => message.includes(t.text));
}

function tokenize(source: string): Term[] {
  const terms: Term[] = [];
  let i = 0;
  while (i < source.length) {
    while (source[i] === ' ') i++;
    if (i >= source.length) break;
    let kind: Term['kind'] = 'all';
    if (source[i] === '?') {
      kind = 'any';
      i++;
    } else if (source[i] === '-') {
      kind = 'not';
      i++;
    }
    let text: string;
    if (source[i] === '"') {
      const end = source.indexOf('"', i + 1);
      text = source.slice(i + 1, end < 0 ? source.length : end);
      i = end < 0 ? source.length : end + 1;
    } else {
      const end = source.indexOf(' ', i);
      text = source.slice(i, end < 0 ? source.length : end);
      i = end < 0 ? source.length : end;
    }
    if (text) terms.push({ text, kind });
  }
  return terms;
}
