import type { QuizQuestion } from '../lab-state.js';
import { wrapSpans, type Line } from '../text/lines.js';
import { glyph, style } from '../theme.js';

export interface QuizPaneInput {
  questions: QuizQuestion[];
  index: number;
  /** The answer given to questions[index] (the first, which counts), shown with its feedback. */
  chosen: number | undefined;
  width: number;
}

/**
 * One question of the quiz, answered with its number. The first answer counts: after it, the
 * pane says whether it was right (and why, when it was), but never gives a wrong answer's
 * right one away.
 */
export function quizPane({ questions, index, chosen, width }: QuizPaneInput): Line[] {
  const question = questions[index];
  if (!question) return [];
  const lines: Line[] = [
    ...wrapSpans(
      [
        { text: `Quiz ${index + 1}/${questions.length}  `, style: style.heading },
        { text: 'the first answer counts  ', style: style.muted },
        { text: question.prompt, style: style.strong },
      ],
      width,
    ),
  ];
  question.choices.forEach((choice, i) => {
    const isChosen = chosen === i;
    const right = isChosen && question.answer === i;
    const mark = !isChosen ? ' ' : right ? glyph.passed : glyph.failed;
    const markStyle = !isChosen ? undefined : right ? style.passed : style.failed;
    lines.push(
      ...wrapSpans([{ text: choice }], width, {
        firstPrefix: [
          { text: mark, style: markStyle },
          { text: ` ${i + 1} `, style: style.key },
        ],
        restPrefix: [{ text: '    ' }],
      }),
    );
  });
  if (chosen === undefined) {
    lines.push([{ text: `Press 1-${question.choices.length} to answer.`, style: style.muted }]);
    return lines;
  }
  const right = chosen === question.answer;
  const verdict: Line = right
    ? [
        { text: `${glyph.passed} Right. `, style: style.passed },
        { text: question.explanation ?? '' },
      ]
    : [
        { text: `${glyph.failed} Not right. `, style: style.failed },
        {
          text: 'Your first answer is the one that counts.',
          style: style.muted,
        },
      ];
  lines.push(...wrapSpans(verdict, width));
  const next = index + 1 < questions.length ? 'next question' : 'see the result';
  lines.push([
    { text: 'enter', style: style.key },
    { text: ` ${next}`, style: style.muted },
  ]);
  return lines;
}
