import { lineWidth, type Line } from '../text/lines.js';
import { style } from '../theme.js';

export interface KeyHelp {
  key: string;
  label: string;
}

/** The footer: as many of the keys as fit, most useful first; `?` and `q` always. */
export function footerLine(keys: KeyHelp[], width: number): Line {
  const always: KeyHelp[] = [
    { key: '?', label: 'help' },
    { key: 'q', label: 'quit' },
  ];
  const render = (list: KeyHelp[]): Line =>
    list.flatMap((k, i) => [
      ...(i ? [{ text: '  ' }] : []),
      { text: k.key, style: style.key },
      { text: ` ${k.label}`, style: style.muted },
    ]);
  const chosen: KeyHelp[] = [];
  for (const key of keys) {
    if (lineWidth(render([...chosen, key, ...always])) > width) break;
    chosen.push(key);
  }
  return render([...chosen, ...always]);
}

/** Every key, for the `?` overlay. */
export const allKeys: KeyHelp[] = [
  { key: '↑ ↓  j k', label: 'scroll the instructions a line' },
  { key: 'PgUp PgDn  space', label: 'scroll a page' },
  { key: 'tab  shift-tab', label: 'choose the next / previous action' },
  { key: 'enter', label: 'run the chosen action for me' },
  { key: 'm', label: 'I will do the chosen action myself' },
  { key: 'c', label: 'check this step now' },
  { key: 'w', label: 'watch: re-check every few seconds, move on when it passes' },
  { key: 'h', label: 'show the next hint (hints are counted)' },
  { key: 'd', label: 'details: the checks with their whole messages' },
  { key: 'a', label: 'answer the quiz again' },
  { key: 'n  →', label: 'next step' },
  { key: 'p  ←', label: 'previous step' },
  { key: 's', label: 'list the steps and jump to one' },
  { key: '?', label: 'this help' },
  { key: 'q  ctrl-c', label: 'quit; your progress is saved' },
];
