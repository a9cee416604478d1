/**
 * A shell command laid out to be copied from the terminal. A line wider than the screen is
 * broken only at a space between two words (never inside a word or a quoted string), before
 * its options where it can, with ` \` continuations: what a student selects and pastes is
 * still the same command. A word wider than the screen stays whole on a line of its own, wider
 * than the screen (the view scrolls sideways, and the copy key copies the command whole).
 * Comment lines and lines inside a multi-line quote are left as they are. No decoration is
 * added to the lines.
 */
export function commandLines(command: string, width: number): string[] {
  const out: string[] = [];
  let openQuote: string | undefined;
  for (const line of command.replace(/\s+$/, '').split('\n')) {
    const startQuote = openQuote;
    openQuote = quoteAfter(line, openQuote);
    // A line that fits, a comment, or one that starts or ends inside a quote: as it is.
    if (
      line.length <= width ||
      startQuote !== undefined ||
      openQuote !== undefined ||
      /^\s*#/.test(line)
    ) {
      out.push(line);
      continue;
    }
    out.push(...breakLine(line, width));
  }
  return out;
}

/** One long line of a command, broken at spaces between words, with ` \` continuations. */
function breakLine(line: string, width: number): string[] {
  const indent = /^\s*/.exec(line)?.[0] ?? '';
  const words = splitOutsideQuotes(line.trim());
  // The author's own continuation stays on the last word, not alone on a line.
  if (words.length > 1 && words[words.length - 1] === '\\') {
    words.pop();
    words[words.length - 1] += ' \\';
  }
  const lines: string[] = [];
  let current = '';
  for (const word of words) {
    if (!current) {
      current = `${indent}${word}`;
      continue;
    }
    const candidate = `${current} ${word}`;
    const startsOption = word.startsWith('-');
    // Break before an option, or when the line would not fit with its " \".
    if (startsOption || candidate.length + 2 > width) {
      lines.push(`${current} \\`);
      current = `${indent}  ${word}`;
    } else {
      current = candidate;
    }
  }
  if (current) lines.push(current);
  return lines;
}

/** Words of a command line, keeping quoted strings (which may hold spaces) whole. */
export function splitOutsideQuotes(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: string | undefined;
  for (let i = 0; i < command.length; i++) {
    const char = command.charAt(i);
    if (quote) {
      word += char;
      if (char === '\\' && quote === '"') {
        word += command.charAt(i + 1);
        i++;
      } else if (char === quote) quote = undefined;
    } else if (char === '\\') {
      word += char + command.charAt(i + 1);
      i++;
    } else if (char === '"' || char === "'") {
      quote = char;
      word += char;
    } else if (char === ' ' || char === '\t') {
      if (word) words.push(word);
      word = '';
    } else {
      word += char;
    }
  }
  if (word) words.push(word);
  return words;
}

/** The quote still open at the end of `line` (given the one open at its start), if any. */
function quoteAfter(line: string, open: string | undefined): string | undefined {
  let quote = open;
  for (let i = 0; i < line.length; i++) {
    const char = line.charAt(i);
    if (quote) {
      if (char === '\\' && quote === '"') i++;
      else if (char === quote) quote = undefined;
    } else if (char === '\\') i++;
    else if (char === '#' && (i === 0 || /\s/.test(line.charAt(i - 1)))) return undefined;
    else if (char === '"' || char === "'") quote = char;
  }
  return quote;
}

/** Languages whose code blocks are shell commands, laid out as commands. */
export function isShellLanguage(lang: string | undefined): boolean {
  return lang !== undefined && /^(bash|sh|shell|zsh|console|shell-session)$/i.test(lang);
}
