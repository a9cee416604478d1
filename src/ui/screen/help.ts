import { truncateLine, wrapSpans, type Line } from '../text/lines.js';
import { style } from '../theme.js';
import { allKeys } from './keys.js';

export function helpLines(width: number): Line[] {
  const keyWidth = Math.max(...allKeys.map((k) => k.key.length)) + 2;
  const lines: Line[] = [
    [
      { text: 'Keys', style: style.heading },
      { text: '  any key goes back', style: style.muted },
    ],
  ];
  for (const k of allKeys) {
    lines.push(
      truncateLine([{ text: k.key.padEnd(keyWidth), style: style.key }, { text: k.label }], width),
    );
  }
  lines.push([]);
  lines.push(
    ...wrapSpans(
      [
        {
          text: 'Progress is saved after every change. Quit at any time and run labwright again to land where you were.',
          style: style.muted,
        },
      ],
      width,
    ),
  );
  return lines;
}
