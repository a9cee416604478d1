import type { Line, Span, SpanStyle } from '../text/lines.js';
import { syntax } from '../theme.js';

/**
 * A small line-by-line highlighter for the languages labs show: JSON, YAML, bash and
 * Python. Each language is a list of rules tried in order at each position; text no rule
 * claims stays plain. Good enough to read, never changes the characters shown.
 */

type Rule = [
  RegExp,
  SpanStyle | ((match: RegExpExecArray, before: string) => SpanStyle | undefined),
];

const json: Rule[] = [
  [/"(?:[^"\\]|\\.)*"(?=\s*:)/y, syntax.key],
  [/"(?:[^"\\]|\\.)*"?/y, syntax.string],
  [/-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y, syntax.number],
  [/\b(?:true|false|null)\b/y, syntax.literal],
  [/[{}[\],:]/y, syntax.punctuation],
];

const yaml: Rule[] = [
  [/#.*/y, (_match, before) => (before === '' || /\s$/.test(before) ? syntax.comment : undefined)],
  [
    /[A-Za-z_][\w.-]*(?=\s*:(?:\s|$))/y,
    (_match, before) => (/^\s*(?:-\s+)?$/.test(before) ? syntax.key : undefined),
  ],
  [/"(?:[^"\\]|\\.)*"?|'(?:[^']|'')*'?/y, syntax.string],
  [/![A-Za-z:]+/y, syntax.keyword],
  [/\b(?:true|false|null|yes|no)\b/y, syntax.literal],
  [/-?\b\d+(?:\.\d+)?\b/y, syntax.number],
];

const bash: Rule[] = [
  [/#.*/y, (_match, before) => (before === '' || /\s$/.test(before) ? syntax.comment : undefined)],
  [/"(?:[^"\\]|\\.)*"?|'[^']*'?/y, syntax.string],
  [/\$\{[^}]*\}|\$[A-Za-z_]\w*|\$\(/y, syntax.variable],
  [/(?<![\w-])--?[A-Za-z][\w-]*/y, syntax.flag],
  [
    /[A-Za-z_][\w.-]*/y,
    (_match, before) =>
      /^\s*$|(?:[|;&(]|&&|\|\|)\s*$/.test(before) && !/\\\s*$/.test(before)
        ? syntax.command
        : undefined,
  ],
];

const python: Rule[] = [
  [/#.*/y, syntax.comment],
  [
    /[rbfu]?(?:"""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?)/y,
    syntax.string,
  ],
  [
    /\b(?:and|as|assert|async|await|break|class|continue|def|del|elif|else|except|finally|for|from|global|if|import|in|is|lambda|nonlocal|not|or|pass|raise|return|try|while|with|yield)\b/y,
    syntax.keyword,
  ],
  [/\b(?:True|False|None)\b/y, syntax.literal],
  [/\b\d+(?:\.\d+)?\b/y, syntax.number],
  [/[A-Za-z_]\w*(?=\()/y, syntax.function],
];

const languages: Record<string, Rule[]> = {
  json,
  yaml,
  yml: yaml,
  bash,
  sh: bash,
  shell: bash,
  console: bash,
  python,
  py: python,
};

export function highlightable(lang: string | undefined): boolean {
  return lang !== undefined && lang.toLowerCase() in languages;
}

/** Splits code into lines of styled spans; unknown languages come back plain. */
export function highlight(code: string, lang: string | undefined): Line[] {
  const rules = lang ? languages[lang.toLowerCase()] : undefined;
  return code.split('\n').map((text) => (rules ? highlightLine(text, rules) : [{ text }]));
}

function highlightLine(text: string, rules: Rule[]): Line {
  const spans: Span[] = [];
  let plainText = '';
  let index = 0;
  const flush = () => {
    if (plainText) spans.push({ text: plainText });
    plainText = '';
  };
  outer: while (index < text.length) {
    for (const [pattern, styleOf] of rules) {
      pattern.lastIndex = index;
      const match = pattern.exec(text);
      if (!match || match[0] === '') continue;
      const chosen = typeof styleOf === 'function' ? styleOf(match, text.slice(0, index)) : styleOf;
      if (!chosen) continue;
      flush();
      spans.push({ text: match[0], style: chosen });
      index += match[0].length;
      continue outer;
    }
    // Keep words whole, so a rule cannot match from the middle of an identifier.
    const word = /[\w-]+|./y;
    word.lastIndex = index;
    const chunk = word.exec(text)?.[0] ?? text.charAt(index);
    plainText += chunk;
    index += chunk.length;
  }
  flush();
  return spans.length ? spans : [{ text: '' }];
}
