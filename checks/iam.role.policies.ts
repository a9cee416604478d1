import { z } from 'zod';
import { defineCheckSpec } from './define.js';
import { roleName } from './fragments.js';

const policyRef = z
  .string()
  .min(1)
  .describe('A managed policy by name (AmazonS3FullAccess) or ARN');

export const iamRolePolicies = defineCheckSpec({
  type: 'iam.role.policies',
  summary:
    'Which managed policies are (or are not) attached to the role; for effect, prefer iam.role.can.',
  with: z
    .strictObject({
      role: roleName,
      attached: z.array(policyRef).optional().describe('Each must be attached'),
      notAttached: z.array(policyRef).optional().describe('None may be attached'),
      maxManaged: z.number().int().min(0).max(20).optional().describe('At most this many attached'),
    })
    .refine((w) => w.attached || w.notAttached || w.maxManaged !== undefined, {
      message: 'give at least one of attached, notAttached, maxManaged',
    }),
});
