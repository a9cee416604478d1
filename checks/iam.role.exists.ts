import * as z from 'zod';
import { defineCheckSpec, type CheckType } from './define.js';
import { missingRole } from './iam/missing-role.js';
import { forgetRole, loadRole } from './iam/role-policies.js';
import { failed, passed } from './support/outcome.js';
import { onTarget } from './support/target.js';
import { roleName } from './fragments.js';

export const iamRoleExists = defineCheckSpec({
  type: 'iam.role.exists',
  summary: 'The IAM role exists (optionally under a given path).',
  docs: {
    judges:
      'Gets the role by name or ARN; with `path`, the role must be under it. A missing role is a failure that says so, in that account.',
    calls: ['iam:GetRole'],
    example: { role: '${roleName}' },
  },
  with: z.strictObject({
    role: roleName,
    path: z
      .string()
      .startsWith('/')
      .endsWith('/')
      .optional()
      .describe('Required role path, e.g. /service-role/'),
  }),
});

export const iamRoleExistsCheck: CheckType<typeof iamRoleExists.with> = onTarget({
  ...iamRoleExists,
  async run(input, ctx) {
    const role = await loadRole(ctx, input.role);
    if (!role) return missingRole(ctx, input.role);
    const evidence = { role: role.name, arn: role.arn, path: role.path };
    if (input.path && role.path !== input.path) {
      forgetRole(ctx, input.role);
      return failed(
        `the role ${role.name} exists, but under the path ${role.path}, not ${input.path}`,
        evidence,
      );
    }
    return passed(`the role ${role.name} exists (${role.arn})`, evidence);
  },
});
