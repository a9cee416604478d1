import type { Key } from 'ink';
import { lineWidth, type Line } from '../text/lines.js';
import { style } from '../theme.js';

/**
 * Every key of the lab screen, in one table: the handler looks keys up here, the footer
 * shows the most useful of them, and `?` lists them all. A key is described once.
 */

/** What the screen is doing, which decides what a key means. */
export type Mode = 'lab' | 'quiz' | 'copy' | 'help' | 'details' | 'steps' | 'complete';

/** What a key asks for; the screen reducer (lab-screen.ts) decides what it does. */
export type KeyEvent =
  | { type: 'quit' }
  | { type: 'back' }
  | { type: 'help' }
  | { type: 'details' }
  | { type: 'steps' }
  | { type: 'next-step' }
  | { type: 'previous-step' }
  | { type: 'scroll'; lines: number | 'page' | '-page' | 'top' | 'end' }
  | { type: 'sideways'; direction: 1 | -1 }
  | { type: 'next-action'; direction: 1 | -1 }
  | { type: 'enter' }
  | { type: 'myself' }
  | { type: 'check' }
  | { type: 'watch' }
  | { type: 'hint' }
  | { type: 'quiz' }
  | { type: 'copy' }
  | { type: 'number'; value: number }
  | { type: 'list-move'; by: 1 | -1 };

export interface KeyBinding {
  /** The keys as the help shows them. */
  keys: string;
  /** The footer's short form, for keys the footer may show. */
  footer?: { key: string; label: string; rank: number };
  /** What the help says the key does; without it the key is not in the help (its screen says it). */
  help?: string;
  modes: readonly Mode[];
  event(input: string, key: Key): KeyEvent | undefined;
}

const plainKey = (input: string, key: Key) => !key.ctrl && !key.meta && input;
const char =
  (...chars: string[]) =>
  (event: KeyEvent) =>
  (input: string, key: Key): KeyEvent | undefined =>
    plainKey(input, key) && chars.includes(input) ? event : undefined;

const LAB: readonly Mode[] = ['lab', 'quiz'];
const digit = (input: string, key: Key): KeyEvent | undefined =>
  plainKey(input, key) && /^[0-9]$/.test(input)
    ? { type: 'number', value: Number(input) }
    : undefined;

/** The table. Earlier entries win when two match the same key in the same mode. */
export const keyTable: readonly KeyBinding[] = [
  // Overlays that any key closes.
  {
    keys: 'any key',
    modes: ['help', 'details'],
    event: () => ({ type: 'back' }),
  },
  // The copy prompt: a number picks what to copy.
  {
    keys: 'y then 1-9, 0',
    modes: ['copy'],
    event: (input, key) =>
      digit(input, key) ?? (key.return || input === 'y' ? { type: 'enter' } : { type: 'back' }),
  },
  // The step list.
  {
    keys: '↑ ↓  enter  1-9',
    modes: ['steps'],
    event: (input, key) => {
      if (key.escape || input === 's' || input === 'q') return { type: 'back' };
      if (key.upArrow || input === 'k') return { type: 'list-move', by: -1 };
      if (key.downArrow || input === 'j') return { type: 'list-move', by: 1 };
      if (key.return) return { type: 'enter' };
      return digit(input, key);
    },
  },
  {
    keys: 'enter  q',
    modes: ['complete'],
    event: (input, key) =>
      input === 'q' ? { type: 'quit' } : key.return || key.escape ? { type: 'back' } : undefined,
  },
  // The quiz.
  {
    keys: '1-9',
    footer: { key: '1-9', label: 'answer', rank: 0 },
    help: 'answer the quiz (the first answer counts)',
    modes: ['quiz'],
    event: (input, key) => {
      const event = digit(input, key);
      return event && event.type === 'number' && event.value > 0 ? event : undefined;
    },
  },
  {
    keys: 'enter',
    footer: { key: 'enter', label: 'next', rank: 1 },
    modes: ['quiz'],
    event: () => undefined, // the lab's enter, below: the reducer knows the quiz is open
  },
  // The lab.
  {
    keys: '↑↓ PgUp PgDn',
    footer: { key: '↑↓', label: 'scroll', rank: 9 },
    help: 'scroll the instructions (also j k, space, Home, End)',
    modes: LAB,
    event: (input, key) => {
      if (key.downArrow || input === 'j') return { type: 'scroll', lines: 1 };
      if (key.upArrow || input === 'k') return { type: 'scroll', lines: -1 };
      if (key.pageDown || input === ' ') return { type: 'scroll', lines: 'page' };
      if (key.pageUp) return { type: 'scroll', lines: '-page' };
      if (key.home) return { type: 'scroll', lines: 'top' };
      if (key.end) return { type: 'scroll', lines: 'end' };
      return undefined;
    },
  },
  {
    keys: '< >',
    help: 'scroll a line wider than the screen sideways',
    modes: LAB,
    event: (input, key) =>
      plainKey(input, key) && (input === '<' || input === '>')
        ? { type: 'sideways', direction: input === '<' ? -1 : 1 }
        : undefined,
  },
  {
    keys: 'tab  shift-tab',
    footer: { key: 'tab', label: 'action', rank: 5 },
    help: 'choose the next / previous action',
    modes: LAB,
    event: (_input, key) =>
      key.tab ? { type: 'next-action', direction: key.shift ? -1 : 1 } : undefined,
  },
  {
    keys: 'enter',
    footer: { key: 'enter', label: 'run', rank: 6 },
    help: 'run the chosen action for me',
    modes: LAB,
    event: (_input, key) => (key.return ? { type: 'enter' } : undefined),
  },
  {
    keys: 'm',
    footer: { key: 'm', label: 'myself', rank: 10 },
    help: 'I will do the chosen action myself',
    modes: LAB,
    event: char('m')({ type: 'myself' }),
  },
  {
    keys: 'y',
    footer: { key: 'y', label: 'copy', rank: 4 },
    help: 'copy a command: y1, y2, … beside it; y y the chosen action',
    modes: LAB,
    event: char('y')({ type: 'copy' }),
  },
  {
    keys: 'c',
    footer: { key: 'c', label: 'check', rank: 3 },
    help: 'check this step now',
    modes: LAB,
    event: char('c')({ type: 'check' }),
  },
  {
    keys: 'w',
    footer: { key: 'w', label: 'watch', rank: 7 },
    help: 'watch: re-check every few seconds, on to the next step',
    modes: LAB,
    event: char('w')({ type: 'watch' }),
  },
  {
    keys: 'h',
    footer: { key: 'h', label: 'hint', rank: 1 },
    help: 'show the next hint (hints are counted)',
    modes: LAB,
    event: char('h')({ type: 'hint' }),
  },
  {
    keys: 'd',
    help: 'details: the checks with their whole messages',
    modes: LAB,
    event: char('d')({ type: 'details' }),
  },
  {
    keys: 'a',
    help: 'the quiz again: your answers, as they were counted',
    modes: ['lab'],
    event: char('a')({ type: 'quiz' }),
  },
  {
    keys: 'n →  p ←',
    footer: { key: 'n/p', label: 'step', rank: 0 },
    help: 'the next / previous step',
    modes: LAB,
    event: (input, key) => {
      if (key.rightArrow || (plainKey(input, key) && input === 'n')) return { type: 'next-step' };
      if (key.leftArrow || (plainKey(input, key) && input === 'p'))
        return { type: 'previous-step' };
      return undefined;
    },
  },
  {
    keys: 's',
    footer: { key: 's', label: 'steps', rank: 2 },
    help: 'list the steps and jump to one',
    modes: LAB,
    event: char('s')({ type: 'steps' }),
  },
  {
    keys: '?',
    modes: LAB,
    event: char('?')({ type: 'help' }),
  },
  {
    keys: 'q  ctrl-c',
    help: 'quit; your progress is saved',
    modes: LAB,
    event: char('q')({ type: 'quit' }),
  },
];

/** What a key means in a mode, if anything. */
export function eventForKey(mode: Mode, input: string, key: Key): KeyEvent | undefined {
  for (const binding of keyTable) {
    if (!binding.modes.includes(mode)) continue;
    const event = binding.event(input, key);
    if (event) return event;
  }
  return undefined;
}

export interface KeyHelp {
  key: string;
  label: string;
}

/**
 * The footer's keys for a mode: the table's, those that apply now (no `tab` on a step
 * without actions), with the watch key saying what it will do.
 */
export function footerKeys(mode: Mode, now: { hasActions: boolean; watching: boolean }): KeyHelp[] {
  // Overlays say their own keys; the footer keeps only help and quit.
  if (mode !== 'lab' && mode !== 'quiz') return [];
  const actionOnly = new Set(['tab', 'enter', 'm']);
  const notInQuiz = new Set(['tab', 'm', 'y', 'w', '↑↓']);
  return keyTable
    .filter((binding) => binding.footer && binding.modes.includes(mode))
    .filter((binding) =>
      mode === 'quiz'
        ? !notInQuiz.has(binding.footer!.key)
        : now.hasActions || !actionOnly.has(binding.footer!.key),
    )
    .map((binding) => ({
      ...binding.footer!,
      label: binding.footer!.key === 'w' && now.watching ? 'unwatch' : binding.footer!.label,
    }))
    .filter((k, i, all) => all.findIndex((other) => other.key === k.key) === i)
    .map(({ key, label, rank }) => ({ key, label, rank }));
}

/** Where a key sits in the footer: what a step is done with first, moving around last. */
const FOOTER_ORDER = ['1-9', 'tab', 'enter', 'y', 'c', 'w', 'h', 'n/p', 'm', 's', '↑↓'];
const displayOrder = (key: string) => {
  const at = FOOTER_ORDER.indexOf(key);
  return at < 0 ? FOOTER_ORDER.length : at;
};

/**
 * The footer line: the keys that fit, chosen by rank (most useful first) and shown in a
 * fixed order; `?` and `q` always.
 */
export function footerLine(keys: (KeyHelp & { rank?: number })[], width: number): Line {
  const always: KeyHelp[] = [
    { key: '?', label: 'help' },
    { key: 'q', label: 'quit' },
  ];
  const render = (list: KeyHelp[], gap: string): Line =>
    list.flatMap((k, i) => [
      ...(i ? [{ text: gap }] : []),
      { text: k.key, style: style.key },
      { text: ` ${k.label}`, style: style.muted },
    ]);
  const byRank = [...keys].sort((a, b) => (a.rank ?? 0) - (b.rank ?? 0));
  for (const gap of ['  ', ' ']) {
    const chosen = new Set<KeyHelp>();
    for (const key of byRank) {
      const next = keys.filter((k) => chosen.has(k) || k === key);
      if (lineWidth(render([...next, ...always], gap)) > width) break;
      chosen.add(key);
    }
    const shown = keys
      .filter((k) => chosen.has(k))
      .sort((a, b) => displayOrder(a.key) - displayOrder(b.key));
    // With two spaces when every key fits; else one space, to keep more keys.
    if (chosen.size === keys.length || gap === ' ') return render([...shown, ...always], gap);
  }
  return render(always, ' ');
}
