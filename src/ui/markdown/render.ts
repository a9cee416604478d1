import { Lexer, type Token, type Tokens } from 'marked';
import { commandLines, isShellLanguage } from '../text/command-lines.js';
import {
  lineWidth,
  plain,
  wrapSpans,
  type Line,
  type Span,
  type SpanStyle,
} from '../text/lines.js';
import { glyph, style } from '../theme.js';
import { highlight } from './highlight.js';

/**
 * Markdown to terminal lines: marked's lexer gives the tokens, and each block becomes
 * wrapped, styled lines. Code blocks keep their text exactly and start at column 0, so a
 * student can copy a command or a policy straight from the screen.
 */
export function markdownLines(
  markdown: string,
  width: number,
  options: MarkdownOptions = {},
): Line[] {
  const tokens = new Lexer({ gfm: true }).lex(markdown);
  return trimBlank(blocks(tokens, Math.max(20, width), options));
}

export interface MarkdownOptions {
  /**
   * Called for each code block, in order: the line returned (a copy key, say) goes above it.
   * The language tag itself is never shown.
   */
  codeLabel?: (code: string, lang: string | undefined) => Line | undefined;
}

function blocks(tokens: Token[], width: number, options: MarkdownOptions): Line[] {
  const out: Line[] = [];
  const gap = () => {
    if (out.length && lineIsBlank(out[out.length - 1])) return;
    if (out.length) out.push([]);
  };
  for (const token of tokens) {
    switch (token.type) {
      case 'space':
        break;
      case 'heading': {
        const t = token as Tokens.Heading;
        gap();
        const headingStyle =
          t.depth <= 1
            ? { ...style.heading, underline: true }
            : t.depth === 2
              ? style.heading
              : style.subheading;
        out.push(...wrapSpans(inline(t.tokens, headingStyle), width));
        out.push([]);
        break;
      }
      case 'paragraph': {
        const t = token as Tokens.Paragraph;
        out.push(...wrapSpans(inline(t.tokens), width));
        out.push([]);
        break;
      }
      case 'text': {
        const t = token as Tokens.Text;
        out.push(...wrapSpans(t.tokens ? inline(t.tokens) : [{ text: t.text }], width));
        break;
      }
      case 'list':
        out.push(...list(token as Tokens.List, width, options));
        out.push([]);
        break;
      case 'code': {
        const t = token as Tokens.Code;
        const lang = t.lang?.split(/\s/)[0] || undefined;
        const label = options.codeLabel?.(t.text, lang);
        if (label) out.push(label);
        // Never wrapped inside a word: commands break at spaces with `\`, anything else stays
        // whole, and a line wider than the screen scrolls sideways.
        const code = isShellLanguage(lang) ? commandLines(t.text, width).join('\n') : t.text;
        out.push(...highlight(code, lang));
        out.push([]);
        break;
      }
      case 'blockquote': {
        const t = token as Tokens.Blockquote;
        const bar: Line = [{ text: '│ ', style: style.quote }];
        for (const line of trimBlank(blocks(t.tokens, width - 2, options)))
          out.push([...bar, ...line]);
        out.push([]);
        break;
      }
      case 'hr':
        out.push(plain('─'.repeat(Math.min(width, 40)), style.muted));
        out.push([]);
        break;
      case 'table':
        out.push(...table(token as Tokens.Table, width));
        out.push([]);
        break;
      case 'html':
        out.push(...wrapSpans([{ text: (token as Tokens.HTML).text.trim() }], width));
        break;
      default:
        if ('text' in token && typeof token.text === 'string')
          out.push(...wrapSpans([{ text: token.text }], width));
    }
  }
  return out;
}

function list(token: Tokens.List, width: number, options: MarkdownOptions): Line[] {
  const out: Line[] = [];
  const start = typeof token.start === 'number' ? token.start : 1;
  const markers = token.items.map((_, i) =>
    token.ordered ? `${start + i}. ` : `${glyph.bullet} `,
  );
  const markerWidth = Math.max(...markers.map((m) => m.length));
  token.items.forEach((item, i) => {
    const marker = (markers[i] ?? '').padEnd(markerWidth);
    const task = item.task ? (item.checked ? '[x] ' : '[ ] ') : '';
    const inner = trimBlank(blocks(item.tokens, width - markerWidth, options));
    const body = inner.length ? inner : [[]];
    body.forEach((line, n) => {
      const prefix: Line =
        n === 0
          ? [{ text: marker, style: style.muted }, ...(task ? [{ text: task }] : [])]
          : [{ text: ' '.repeat(markerWidth) }];
      out.push([...prefix, ...line]);
    });
    if (token.loose && i < token.items.length - 1) out.push([]);
  });
  return out;
}

function table(token: Tokens.Table, width: number): Line[] {
  // Cells are inline markdown: `code` shows as code, without its backticks.
  const cells = [token.header, ...token.rows].map((row, r) =>
    row.map((cell) => inline(cell.tokens, r === 0 ? style.strong : {})),
  );
  const columns = token.header.length;
  const widths = Array.from({ length: columns }, (_, c) =>
    Math.max(...cells.map((row) => lineWidth(row[c] ?? []))),
  );
  const out: Line[] = [];
  cells.forEach((row, r) => {
    const spans: Span[] = row.flatMap((cell, c) => [
      ...(c ? [{ text: '  ' }] : []),
      ...cell,
      ...(c < row.length - 1
        ? [{ text: '\u00a0'.repeat(Math.max(0, (widths[c] ?? 0) - lineWidth(cell))) }]
        : []),
    ]);
    out.push(...wrapSpans(spans, width).map(unbreakSpaces));
    if (r === 0) out.push(plain(widths.map((w) => '─'.repeat(w)).join('  '), style.muted));
  });
  return out;
}

/** Padding is laid out as no-break spaces (so wrapping keeps it) and shown as spaces. */
function unbreakSpaces(line: Line): Line {
  return line.map((span) => ({ ...span, text: span.text.replace(/\u00a0/g, ' ') }));
}

/** Inline tokens to spans, styles nesting (bold inside a link, code inside emphasis). */
function inline(tokens: Token[] | undefined, inherited: SpanStyle = {}): Span[] {
  const spans: Span[] = [];
  for (const token of tokens ?? []) {
    switch (token.type) {
      case 'strong':
        spans.push(...inline((token as Tokens.Strong).tokens, { ...inherited, ...style.strong }));
        break;
      case 'em':
        spans.push(...inline((token as Tokens.Em).tokens, { ...inherited, ...style.emphasis }));
        break;
      case 'del':
        spans.push(...inline((token as Tokens.Del).tokens, { ...inherited, dim: true }));
        break;
      case 'codespan':
        spans.push({
          text: decode((token as Tokens.Codespan).text),
          style: { ...inherited, ...style.code },
        });
        break;
      case 'link': {
        const t = token as Tokens.Link;
        const label = inline(t.tokens, { ...inherited, ...style.link });
        spans.push(...label);
        if (t.href && t.href !== t.text && !t.href.startsWith('mailto:')) {
          spans.push({ text: ` (${t.href})`, style: { ...inherited, ...style.muted } });
        }
        break;
      }
      case 'br':
        spans.push({ text: '\n' });
        break;
      case 'image':
        spans.push({
          text: `[image: ${(token as Tokens.Image).text}]`,
          style: { ...inherited, ...style.muted },
        });
        break;
      case 'text': {
        const t = token as Tokens.Text;
        if (t.tokens?.length) spans.push(...inline(t.tokens, inherited));
        // A newline inside a paragraph is a soft break: a space, as a browser shows it.
        else spans.push({ text: decode(t.text).replace(/\n/g, ' '), style: inherited });
        break;
      }
      default:
        if ('text' in token && typeof token.text === 'string')
          spans.push({ text: decode(token.text), style: inherited });
    }
  }
  return spans.map((span) =>
    span.style && Object.keys(span.style).length === 0 ? { text: span.text } : span,
  );
}

const entities: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
};

/** marked escapes HTML in text tokens; the terminal wants the characters back. */
function decode(text: string): string {
  return text.replace(/&(?:amp|lt|gt|quot|#39);/g, (entity) => entities[entity] ?? entity);
}

function lineIsBlank(line: Line | undefined): boolean {
  return !line || line.every((span) => span.text.trim() === '');
}

function trimBlank(lines: Line[]): Line[] {
  let start = 0;
  let end = lines.length;
  while (start < end && lineIsBlank(lines[start])) start++;
  while (end > start && lineIsBlank(lines[end - 1])) end--;
  return lines
    .slice(start, end)
    .filter((line, i, all) => !(lineIsBlank(line) && lineIsBlank(all[i - 1]) && i > 0));
}
