/**
 * CloudWatch Logs filter patterns for unstructured events: `ERROR` (a term), `"Training seconds"`
 * (an exact phrase), `ERROR Exception` (all terms), `?ERROR ?WARN` (any term) and `-DEBUG`
 * (exclusion). Matching is case-sensitive, as on AWS. JSON (`{ $.x = 1 }`) and space-delimited
 * (`[a, b]`) patterns are refused rather than silently matching everything.
 */
import { AwsError } from '../types.js';

interface Term {
  text: string;
  kind: 'all' | 'any' | 'not';
}

export type EventMatcher = (message: string) => boolean;

export function compileFilterPattern(pattern: string | undefined): EventMatcher {
  const source = (pattern ?? '').trim();
  if (source === '' || source === '""') return () => true;
  if (source.startsWith('{') || source.startsWith('[')) {
    throw new AwsError(
      'InvalidParameterException',
      'Invalid filter pattern: JSON and space-delimited filter patterns are not supported by the labwright sandbox',
    );
  }
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
    let text = '';
    if (source[i] === '"') {
      const end = source.indexOf('"', i + 1);
      if (end < 0) throw new AwsError('InvalidParameterException', 'Invalid filter pattern');
      text = source.slice(i + 1, end);
      i = end + 1;
    } else {
      const end = source.indexOf(' ', i);
      text = source.slice(i, end < 0 ? source.length : end);
      i = end < 0 ? source.length : end;
    }
    if (text) terms.push({ text, kind });
  }
  return terms;
}
