import { z } from 'zod';
import { defineCheckSpec } from './define.js';

export const logsEvents = defineCheckSpec({
  type: 'logs.events',
  summary:
    'A CloudWatch Logs group holds events (optionally in matching streams, matching a filter pattern).',
  with: z.strictObject({
    logGroup: z.string().min(1).describe('e.g. /aws/sagemaker/TrainingJobs'),
    streamPrefix: z.string().optional().describe('Only streams whose name starts with this'),
    pattern: z
      .string()
      .optional()
      .describe('A CloudWatch Logs filter pattern, e.g. "Training seconds"'),
    minEvents: z.number().int().min(1).default(1),
  }),
});
