import * as z from 'zod';
import { defineCheckSpec, type CheckType } from './define.js';
import { failed, passed } from './support/outcome.js';

const question = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a lowercase id like q1 or why-roles'),
    prompt: z.string().min(1),
    choices: z.array(z.string().min(1)).min(2).max(8),
    answer: z.number().int().min(0).describe('Index (from 0) of the right choice'),
    explanation: z.string().optional().describe('Shown after answering'),
  })
  .refine((q) => q.answer < q.choices.length, {
    message: 'answer must be the index of one of the choices',
    path: ['answer'],
  });

export const quiz = defineCheckSpec({
  type: 'quiz',
  summary: 'A short knowledge quiz, answered in the TUI; passes when every answer is right.',
  docs: {
    judges:
      "Multiple-choice questions the student answers in the TUI (`labwright run`); it passes when every answer is right, and shows each question's explanation once answered. It does not touch AWS, so waiting never changes its verdict; `labwright solve` cannot answer it.",
    calls: [],
    example: {
      questions: [
        {
          id: 'trust',
          prompt: 'What lets SageMaker assume a role?',
          choices: ['A permissions policy', 'The trust policy'],
          answer: 1,
          explanation: 'The trust policy says who may assume the role.',
        },
      ],
    },
  },
  with: z.strictObject({ questions: z.array(question).min(1) }),
});

export const quizCheck: CheckType<typeof quiz.with> = {
  ...quiz,
  async run(input, ctx) {
    const questions = input.questions;
    const answered = questions.filter((q) => ctx.answers[q.id] !== undefined);
    const right = questions.filter((q) => ctx.answers[q.id] === q.answer);
    const evidence = {
      questions: questions.length,
      answered: answered.length,
      right: right.length,
      wrong: answered.filter((q) => ctx.answers[q.id] !== q.answer).map((q) => q.id),
    };
    if (answered.length === 0) {
      return failed('answer the quiz in `labwright run`', evidence, { retryable: false });
    }
    if (right.length === questions.length) {
      return passed(`${right.length} of ${questions.length} answers are right`, evidence);
    }
    const unanswered = questions.length - answered.length;
    return failed(
      `${right.length} of ${questions.length} answers are right` +
        (unanswered ? `; ${unanswered} unanswered` : ''),
      evidence,
      { retryable: false },
    );
  },
};
