import { z } from 'zod';
import { defineCheckSpec } from './define.js';
import { bucketName, permissionProbe, roleName } from './fragments.js';

export const iamRoleCan = defineCheckSpec({
  type: 'iam.role.can',
  summary:
    "The role's effective permissions (managed + inline policies, and the bucket policy) allow, or deny, each action on its resource; the message says which statement decided.",
  with: z.strictObject({
    role: roleName,
    allow: z.array(permissionProbe).default([]).describe('Each must be allowed'),
    deny: z.array(permissionProbe).default([]).describe('Each must be denied'),
    bucketPolicyOf: bucketName
      .optional()
      .describe("Also evaluate this bucket's policy, as S3 does"),
  }).refine((w) => w.allow.length + w.deny.length > 0, {
    message: 'give at least one probe in allow or deny',
  }),
});
