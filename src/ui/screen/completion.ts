import { wrapSpans, type Line } from '../text/lines.js';
import { glyph, style } from '../theme.js';
import { progressBar } from './header.js';

export interface CompletionInput {
  labId: string;
  title: string;
  earned: number;
  possible: number;
  hintsUsed: number;
  timeTaken: string;
  /** The target options to repeat in the reset command, e.g. "--target aws --profile dev". */
  targetArgs: string;
  /** How the student runs labwright: `labwright`, or `npx labwright` when not on the PATH. */
  command?: string;
  width: number;
}

/** The end of the lab: score, hints, time, and how to clean up. */
export function completionLines(input: CompletionInput): Line[] {
  const { width } = input;
  const reset = `${input.command ?? 'labwright'} reset ${input.labId}${input.targetArgs ? ` ${input.targetArgs}` : ''}`;
  return [
    [{ text: `${glyph.passed} Lab complete`, style: { ...style.passed, bold: true } }],
    ...wrapSpans([{ text: input.title, style: style.strong }], width),
    [],
    [
      { text: 'Score       ' },
      { text: `${input.earned}/${input.possible} `, style: style.strong },
      ...progressBar(input.earned, input.possible, 20),
    ],
    [{ text: 'Hints used  ' }, { text: String(input.hintsUsed), style: style.strong }],
    [{ text: 'Time taken  ' }, { text: input.timeTaken, style: style.strong }],
    [],
    ...wrapSpans([{ text: 'Delete what the lab created, and nothing else, with:' }], width),
    [{ text: reset, style: style.code }],
    [],
    [
      { text: 'enter', style: style.key },
      { text: ' back to the lab   ', style: style.muted },
      { text: 'q', style: style.key },
      { text: ' quit', style: style.muted },
    ],
  ];
}
