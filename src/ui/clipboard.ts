/**
 * Copying to the student's clipboard with OSC 52: the terminal itself sets the clipboard, so
 * it works over SSH and in tmux (with `set -g set-clipboard on`). Nothing is drawn.
 */

/** The escape sequence that asks the terminal to put `text` on the clipboard. */
export function osc52(text: string): string {
  return `\u001B]52;c;${Buffer.from(text, 'utf8').toString('base64')}\u0007`;
}

/** Writes the OSC 52 sequence for `text` to the terminal. */
export function copyWithOsc52(
  text: string,
  stdout: Pick<NodeJS.WriteStream, 'write'> = process.stdout,
): void {
  stdout.write(osc52(text));
}

/** What the help and the copy notice say about the clipboard. */
export const CLIPBOARD_NOTE =
  'copies use OSC 52: they work over SSH; in tmux run `tmux set -g set-clipboard on` first';
