import type { BoundLab as Lab } from '../../engine/bound-lab.js';
import type { StepState } from '../lab-state.js';
import { lineWidth, truncateLine, type Line, type SpanStyle } from '../text/lines.js';
import { glyph, style } from '../theme.js';

/** The glyph and colour of a step's state; optional steps not yet begun show ◇. */
export function stepGlyph(
  state: StepState,
  optional: boolean,
): { text: string; style?: SpanStyle } {
  switch (state) {
    case 'passed':
      return { text: glyph.passed, style: style.passed };
    case 'failed':
      return { text: glyph.failed, style: style.failed };
    case 'in-progress':
      return { text: glyph.inProgress, style: style.running };
    case 'not-started':
      return optional
        ? { text: glyph.optional, style: style.muted }
        : { text: glyph.notStarted, style: style.muted };
  }
}

/** One line: "Step 2/7 Create an IAM role…   ✓ ◐ ○ ○ ○ ○ ◇", the current glyph underlined. */
export function stepStrip(lab: Lab, states: StepState[], current: number, width: number): Line {
  const glyphs: Line = [];
  lab.steps.forEach((step, i) => {
    const g = stepGlyph(states[i] ?? 'not-started', step.optional);
    glyphs.push({ text: ' ' });
    glyphs.push({ text: g.text, style: i === current ? { ...g.style, inverse: true } : g.style });
  });
  const step = lab.steps[current];
  const label: Line = [
    { text: `Step ${current + 1}/${lab.steps.length} `, style: style.muted },
    { text: step?.title ?? '', style: style.subheading },
    ...(step && saysOptional(step) ? [{ text: ' (optional)', style: style.muted }] : []),
  ];
  const room = Math.max(10, width - lineWidth(glyphs) - 1);
  const shown = truncateLine(label, room);
  const pad = Math.max(1, width - lineWidth(shown) - lineWidth(glyphs));
  return [...shown, { text: ' '.repeat(pad) }, ...glyphs];
}

/** The step list overlay: every step with its glyph, the selected one highlighted. */
export function stepListLines(
  lab: Lab,
  states: StepState[],
  selected: number,
  current: number,
  width: number,
): Line[] {
  const lines: Line[] = [[{ text: 'Steps', style: style.heading }], []];
  lab.steps.forEach((step, i) => {
    const g = stepGlyph(states[i] ?? 'not-started', step.optional);
    const marker = i === selected ? glyph.pointer : ' ';
    const line: Line = [
      { text: `${marker} ` },
      { text: g.text, style: g.style },
      { text: ` ${i + 1}. ` },
      { text: step.title, style: i === current ? style.strong : undefined },
      ...(saysOptional(step) ? [{ text: ' (optional)', style: style.muted }] : []),
    ];
    lines.push(
      truncateLine(
        i === selected
          ? line.map((span) => ({ ...span, style: { ...span.style, ...style.focus } }))
          : line,
        width,
      ),
    );
  });
  lines.push([]);
  lines.push([
    { text: glyph.passed, style: style.passed },
    { text: ' passed  ' },
    { text: glyph.failed, style: style.failed },
    { text: ' failed  ' },
    { text: glyph.inProgress, style: style.running },
    { text: ' in progress  ' },
    { text: glyph.notStarted, style: style.muted },
    { text: ' not started  ' },
    { text: glyph.optional, style: style.muted },
    { text: ' optional' },
  ]);
  lines.push([{ text: '↑↓ choose · enter or 1-9 go · esc back', style: style.muted }]);
  return lines.map((line) => truncateLine(line, width));
}

/** An optional step is marked so, unless its title already says it. */
function saysOptional(step: { optional: boolean; title: string }): boolean {
  return step.optional && !/\boptional\b/i.test(step.title);
}
