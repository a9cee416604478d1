import { z } from 'zod';
import { defineCheckSpec } from './define.js';

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
  with: z.strictObject({ questions: z.array(question).min(1) }),
});
