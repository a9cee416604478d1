import { checkKey } from '../../engine/progress.js';
import type { BoundStep as Step } from '../../engine/bound-lab.js';
import type { Verdicts } from '../lab-state.js';
import { truncateLine, wrapSpans, type Line } from '../text/lines.js';
import { glyph, style } from '../theme.js';

export interface ChecksPaneInput {
  step: Step;
  verdicts: Verdicts;
  /** Checks running now, by check id, with the retry note when polling. */
  running: ReadonlyMap<string, string | undefined>;
  hintsSeen: (checkId: string) => number;
  spinner: string;
  watching: boolean;
  width: number;
  /** Lines a failure message may take before it is cut (`d` shows it whole); unlimited when absent. */
  messageLines?: number;
}

/**
 * The checks of the step, always on screen: ✓ / ✗ / spinner per check, what a failed check
 * found, and the hints the student asked for, in order.
 */
export function checksPane(input: ChecksPaneInput): Line[] {
  const { step, width } = input;
  const title: Line = [
    { text: 'Checks', style: style.heading },
    ...(input.watching
      ? [{ text: '  watching: re-checking every few seconds', style: style.running }]
      : []),
  ];
  const lines: Line[] = [title];
  if (step.checks.length === 0) {
    lines.push([
      {
        text: 'This step has nothing to check: read it, then press n for the next step.',
        style: style.muted,
      },
    ]);
    return lines;
  }
  for (const check of step.checks) {
    const verdict = input.verdicts[checkKey(step.id, check.id)];
    const running = input.running.has(check.id);
    const label = check.title ?? check.id;
    const points = check.points
      ? ` (${check.points} pts${check.optional ? ', optional' : ''})`
      : check.optional
        ? ' (optional)'
        : '';
    let mark: Line[number];
    if (running) mark = { text: input.spinner, style: style.running };
    else if (!verdict) mark = { text: glyph.notStarted, style: style.muted };
    else if (verdict.status === 'passed') mark = { text: glyph.passed, style: style.passed };
    else if (verdict.status === 'failed') mark = { text: glyph.failed, style: style.failed };
    else if (verdict.status === 'error') mark = { text: glyph.error, style: style.error };
    else mark = { text: '-', style: style.muted };
    lines.push(
      truncateLine([mark, { text: ` ${label}` }, { text: points, style: style.muted }], width),
    );

    const retryNote = input.running.get(check.id);
    if (running && retryNote) {
      lines.push(
        ...wrapSpans(
          [{ text: `waiting for it to take effect: ${retryNote}`, style: style.muted }],
          width,
          { firstPrefix: [{ text: '  ' }] },
        ),
      );
    }
    if (!running && verdict && verdict.status !== 'passed' && verdict.message) {
      const tone = verdict.status === 'error' ? style.error : undefined;
      const message = wrapSpans([{ text: verdict.message, style: tone }], width, {
        firstPrefix: [{ text: '  ' }],
      });
      const limit = input.messageLines ?? message.length;
      if (message.length > limit) {
        lines.push(
          ...message.slice(0, limit - 1),
          truncateLine(
            [...message[limit - 1]!, { text: ' … (d: details)', style: style.muted }],
            width,
          ),
        );
      } else {
        lines.push(...message);
      }
    }
    if (verdict?.status !== 'passed') {
      const seen = Math.min(input.hintsSeen(check.id), check.hints.length);
      // In the compact pane only the latest hint shows; each one says more than the last.
      const from = input.messageLines === undefined ? 0 : Math.max(0, seen - 1);
      for (let n = from; n < seen; n++) {
        const hint = check.hints[n] ?? '';
        lines.push(
          ...wrapSpans(
            [{ text: `Hint ${n + 1}/${check.hints.length}: `, style: style.hint }, { text: hint }],
            width,
            {
              firstPrefix: [{ text: '  ' }],
            },
          ),
        );
      }
    }
  }
  return lines;
}
