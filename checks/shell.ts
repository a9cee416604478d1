import { z } from 'zod';
import { defineCheckSpec } from './define.js';

export const shell = defineCheckSpec({
  type: 'shell',
  summary: "Run a command with the target's AWS environment; exit 0 passes.",
  with: z.strictObject({
    run: z.string().min(1).describe('A shell command (bash)'),
    outputMatches: z.string().optional().describe('A regular expression stdout must match'),
    timeoutSeconds: z.number().int().min(1).max(600).default(60),
  }),
});
