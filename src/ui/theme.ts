import type { SpanStyle } from './text/lines.js';

/**
 * Colours and glyphs in one place. Every state also has a glyph or a word, so the screen
 * still reads right under NO_COLOR, when chalk drops all colour.
 */

export const glyph = {
  notStarted: '○',
  inProgress: '◐',
  passed: '✓',
  failed: '✗',
  error: '!',
  optional: '◇',
  pointer: '›',
  bullet: '•',
} as const;

export const style = {
  heading: { bold: true, color: 'cyan' },
  subheading: { bold: true },
  strong: { bold: true },
  emphasis: { italic: true },
  code: { color: 'yellow' },
  link: { color: 'blue', underline: true },
  quote: { dim: true, italic: true },
  muted: { dim: true },
  passed: { color: 'green' },
  failed: { color: 'red' },
  error: { color: 'magenta' },
  running: { color: 'cyan' },
  hint: { color: 'yellow' },
  focus: { inverse: true },
  warning: { color: 'yellow', bold: true },
  danger: { color: 'red', bold: true },
  key: { bold: true, color: 'cyan' },
} satisfies Record<string, SpanStyle>;

/** Syntax colours for code blocks. */
export const syntax = {
  keyword: { color: 'magenta' },
  string: { color: 'green' },
  number: { color: 'yellow' },
  literal: { color: 'yellow' },
  comment: { dim: true, italic: true },
  key: { color: 'cyan' },
  variable: { color: 'blue' },
  flag: { color: 'cyan' },
  command: { bold: true },
  function: { color: 'blue' },
  punctuation: { dim: true },
} satisfies Record<string, SpanStyle>;

/** True when the student asked for no colour (https://no-color.org): any non-empty NO_COLOR. */
export function colourDisabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return typeof env.NO_COLOR === 'string' && env.NO_COLOR !== '';
}
