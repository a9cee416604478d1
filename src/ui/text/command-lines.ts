/**
 * A shell command laid out to be copied from the terminal: when it is wider than the
 * screen it is broken before its options with ` \` continuations, so what a student
 * selects and pastes is still one valid command. No decoration is added to the lines.
 */
export function commandLines(command: string, width: number): string[] {
  const single = command.trim();
  if (single.includes('\n') || single.length <= width) return single.split('\n');
  const words = splitOutsideQuotes(single);
  const lines: string[] = [];
  let current = '';
  for (const word of words) {
    const startsOption = word.startsWith('-') && current !== '';
    const candidate = current ? `${current} ${word}` : word;
    // Break before an option, or when the line would not fit with its " \".
    if (current && (startsOption || candidate.length + 2 > width)) {
      lines.push(`${current} \\`);
      current = `  ${word}`;
    } else {
      current = candidate;
    }
  }
  if (current) lines.push(current);
  return lines;
}

/** Words of a command, keeping quoted strings (which may hold spaces) whole. */
function splitOutsideQuotes(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: string | undefined;
  for (let i = 0; i < command.length; i++) {
    const char = command.charAt(i);
    if (quote) {
      word += char;
      if (char === quote && command.charAt(i - 1) !== '\\') quote = undefined;
    } else if (char === '"' || char === "'") {
      quote = char;
      word += char;
    } else if (char === ' ') {
      if (word) words.push(word);
      word = '';
    } else {
      word += char;
    }
  }
  if (word) words.push(word);
  return words;
}
