import type { QuizQuestion } from '../lab-state.js';
import { wrapSpans, type Line } from '../text/lines.js';
import { glyph, style } from '../theme.js';

export interface QuizPaneInput {
  questions: QuizQuestion[];
  index: number;
  /** The choice just made for questions[index], shown with its feedback. */
  chosen: number | undefined;
  width: number;
}

/** One question of the quiz, answered with its number; after an answer, whether it was right and why. */
export function quizPane({ questions, index, chosen, width }: QuizPaneInput): Line[] {
  const question = questions[index];
  if (!question) return [];
  const lines: Line[] = [
    ...wrapSpans(
      [
        { text: `Quiz ${index + 1}/${questions.length}  `, style: style.heading },
        { text: question.prompt, style: style.strong },
      ],
      width,
    ),
  ];
  question.choices.forEach((choice, i) => {
    const isChosen = chosen === i;
    const isAnswer = chosen !== undefined && question.answer === i;
    const mark =
      chosen === undefined ? ' ' : isAnswer ? glyph.passed : isChosen ? glyph.failed : ' ';
    const markStyle = isAnswer ? style.passed : isChosen ? style.failed : undefined;
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
    ? [{ text: `${glyph.passed} Right. `, style: style.passed }]
    : [
        {
          text: `${glyph.failed} Not quite: the answer is ${question.answer + 1}. `,
          style: style.failed,
        },
      ];
  lines.push(...wrapSpans([...verdict, { text: question.explanation ?? '' }], width));
  const next = index + 1 < questions.length ? 'next question' : 'see the result';
  lines.push([
    { text: 'enter', style: style.key },
    { text: ` ${next}`, style: style.muted },
  ]);
  return lines;
}
