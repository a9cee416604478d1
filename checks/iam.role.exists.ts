import { z } from 'zod';
import { defineCheckSpec } from './define.js';
import { roleName } from './fragments.js';

export const iamRoleExists = defineCheckSpec({
  type: 'iam.role.exists',
  summary: 'The IAM role exists (optionally under a given path).',
  with: z.strictObject({
    role: roleName,
    path: z.string().startsWith('/').endsWith('/').optional().describe('Required role path, e.g. /service-role/'),
  }),
});
