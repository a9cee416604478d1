/**
 * Styled text as lines the UI lays out itself: markdown, commands and messages are wrapped
 * to the terminal width here, so a view can scroll by whole lines and Ink never rewraps them.
 */

export interface SpanStyle {
  color?: string;
  bold?: boolean;
  italic?: boolean;
  dim?: boolean;
  underline?: boolean;
  inverse?: boolean;
}

export interface Span {
  text: string;
  style?: SpanStyle;
}

export type Line = Span[];

/** Terminal columns a string takes. Wide (CJK, emoji) characters count two. */
export function textWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (
      code < 0x20 ||
      (code >= 0x300 && code < 0x370) ||
      code === 0x200d ||
      (code >= 0xfe00 && code <= 0xfe0f)
    )
      continue;
    width += isWide(code) ? 2 : 1;
  }
  return width;
}

function isWide(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0x1f300 && code <= 0x1faff)
  );
}

export function lineWidth(line: Line): number {
  return line.reduce((sum, span) => sum + textWidth(span.text), 0);
}

export function lineText(line: Line): string {
  return line.map((span) => span.text).join('');
}

export function plain(text: string, style?: SpanStyle): Line {
  return [style ? { text, style } : { text }];
}

/** Cuts a line to `width` columns, ending with … when something was cut. */
export function truncateLine(line: Line, width: number): Line {
  if (lineWidth(line) <= width) return line;
  const out: Line = [];
  let room = Math.max(0, width - 1);
  for (const span of line) {
    if (room <= 0) break;
    let text = '';
    for (const char of span.text) {
      const w = textWidth(char);
      if (w > room) {
        room = 0;
        break;
      }
      text += char;
      room -= w;
    }
    if (text) out.push({ ...span, text });
  }
  out.push({ text: '…' });
  return out;
}

interface WrapOptions {
  /** Spans put before the first line (a list bullet, a quote bar). */
  firstPrefix?: Line;
  /** Spans put before every following line; defaults to spaces as wide as firstPrefix. */
  restPrefix?: Line;
}

/**
 * Word-wraps styled spans to `width` columns. Spaces at a break are dropped; a word longer
 * than a line is split. Newlines in the text start a new line.
 */
export function wrapSpans(spans: Line, width: number, options: WrapOptions = {}): Line[] {
  const firstPrefix = options.firstPrefix ?? [];
  const restPrefix = options.restPrefix ?? plain(' '.repeat(lineWidth(firstPrefix)));
  const lines: Line[] = [];
  let current: Line = [...firstPrefix];
  let used = lineWidth(firstPrefix);
  let atLineStart = true;
  let pendingSpace: Span | undefined;

  const newLine = () => {
    lines.push(current);
    current = [...restPrefix];
    used = lineWidth(restPrefix);
    atLineStart = true;
    pendingSpace = undefined;
  };
  const push = (span: Span) => {
    const last = current[current.length - 1];
    if (last && !atLineStart && sameStyle(last.style, span.style)) {
      current[current.length - 1] = { ...last, text: last.text + span.text };
    } else {
      current.push(span);
    }
    used += textWidth(span.text);
    atLineStart = false;
  };

  for (const span of spans) {
    for (const part of span.text.split(/(\n| +)/)) {
      if (part === '') continue;
      if (part === '\n') {
        newLine();
        continue;
      }
      if (part.startsWith(' ')) {
        if (!atLineStart) pendingSpace = { text: part, style: span.style };
        continue;
      }
      const spaceWidth = pendingSpace ? textWidth(pendingSpace.text) : 0;
      if (!atLineStart && used + spaceWidth + textWidth(part) > width) newLine();
      else if (pendingSpace) push(pendingSpace);
      pendingSpace = undefined;
      let word = part;
      while (textWidth(word) > Math.max(1, width - used)) {
        const [head, tail] = splitAtWidth(word, Math.max(1, width - used));
        push({ text: head, style: span.style });
        newLine();
        word = tail;
      }
      if (word) push({ text: word, style: span.style });
    }
  }
  lines.push(current);
  return lines;
}

function splitAtWidth(text: string, width: number): [string, string] {
  let head = '';
  let used = 0;
  const chars = [...text];
  let index = 0;
  for (; index < chars.length; index++) {
    const char = chars[index] ?? '';
    const w = textWidth(char);
    if (used + w > width) break;
    head += char;
    used += w;
  }
  if (head === '') return [chars[0] ?? '', chars.slice(1).join('')];
  return [head, chars.slice(index).join('')];
}

function sameStyle(a: SpanStyle | undefined, b: SpanStyle | undefined): boolean {
  return JSON.stringify(a ?? {}) === JSON.stringify(b ?? {});
}

/** Hard-wraps each line of preformatted text (code), keeping its own indentation. */
export function wrapPreformatted(lines: Line[], width: number): Line[] {
  const out: Line[] = [];
  for (const line of lines) {
    if (lineWidth(line) <= width) {
      out.push(line);
      continue;
    }
    let current: Line = [];
    let used = 0;
    for (const span of line) {
      let text = span.text;
      while (used + textWidth(text) > width) {
        const [head, tail] = splitAtWidth(text, width - used);
        current.push({ ...span, text: head });
        out.push(current);
        current = [];
        used = 0;
        text = tail;
      }
      if (text) {
        current.push({ ...span, text });
        used += textWidth(text);
      }
    }
    out.push(current);
  }
  return out;
}

/** A line without its first `columns` columns: a wide line scrolled sideways. */
export function sliceLine(line: Line, columns: number): Line {
  if (columns <= 0) return line;
  const out: Line = [];
  let skip = columns;
  for (const span of line) {
    if (skip <= 0) {
      out.push(span);
      continue;
    }
    let text = '';
    for (const char of span.text) {
      if (skip > 0) skip -= textWidth(char);
      else text += char;
    }
    if (text) out.push({ ...span, text });
  }
  return out;
}
