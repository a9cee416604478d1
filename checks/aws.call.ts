import { z } from 'zod';
import { defineCheckSpec } from './define.js';

const assertion = z
  .strictObject({
    query: z.string().min(1).describe('JMESPath over the output, as `aws --query`'),
    equals: z.unknown().optional(),
    contains: z.unknown().optional().describe('The result (list or string) contains this'),
    matches: z.string().optional().describe('A regular expression the result must match'),
    exists: z.boolean().optional().describe('The result is (or is not) null/empty'),
    minLength: z.number().int().min(0).optional(),
  })
  .refine((a) => ['equals', 'contains', 'matches', 'exists', 'minLength'].some((k) => k in a), {
    message: 'an assertion needs one of equals, contains, matches, exists, minLength',
  });

export const awsCall = defineCheckSpec({
  type: 'aws.call',
  summary: 'Call any AWS SDK operation and assert on its output with JMESPath.',
  with: z.strictObject({
    call: z
      .string()
      .regex(/^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$/, 'service:Operation, e.g. iam:GetRole')
      .describe('service:Operation, e.g. iam:GetRole'),
    input: z.record(z.string(), z.unknown()).default({}),
    expect: z.array(assertion).default([]),
    expectError: z.string().optional().describe('Pass when the call fails with this error code'),
  }),
});
