import { CLIPBOARD_NOTE } from '../clipboard.js';
import { truncateLine, wrapSpans, type Line } from '../text/lines.js';
import { style } from '../theme.js';
import { keyTable } from './keys.js';

/** The `?` overlay: every key of the key table, then how copying and progress work. */
export function helpLines(width: number): Line[] {
  const entries = keyTable.filter((binding) => binding.help);
  const keyWidth = Math.max(...entries.map((k) => k.keys.length)) + 2;
  const lines: Line[] = [
    [
      { text: 'Keys', style: style.heading },
      { text: '  any key goes back', style: style.muted },
    ],
  ];
  lines.push(
    ...wrapSpans(
      [
        {
          text: `Progress is saved after every change. y: ${CLIPBOARD_NOTE}.`,
          style: style.muted,
        },
      ],
      width,
    ),
    [],
  );
  for (const k of entries) {
    lines.push(
      truncateLine(
        [{ text: k.keys.padEnd(keyWidth), style: style.key }, { text: k.help ?? '' }],
        width,
      ),
    );
  }
  return lines;
}
