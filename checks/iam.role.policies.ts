import * as z from 'zod';
import { defineCheckSpec, type CheckType } from './define.js';
import { missingRole } from './iam/missing-role.js';
import { policyMatches } from './iam/policy-ref.js';
import { forgetRole, loadRole } from './iam/role-policies.js';
import { failed, passed, sentence } from './support/outcome.js';
import { onTarget } from './support/target.js';
import { roleName } from './fragments.js';

const policyRef = z
  .string()
  .min(1)
  .describe('A managed policy by name (AmazonS3FullAccess) or ARN');

export const iamRolePolicies = defineCheckSpec({
  type: 'iam.role.policies',
  summary:
    'Which managed policies are (or are not) attached to the role; for effect, prefer iam.role.can.',
  docs: {
    judges:
      'Lists the managed policies attached to the role: each in `attached` must be, none in `notAttached` may be, and at most `maxManaged` are. It judges names, not effect: prefer iam.role.can, which also accepts the same permissions granted another way.',
    calls: ['iam:GetRole', 'iam:ListAttachedRolePolicies'],
    example: { role: '${roleName}', notAttached: ['AdministratorAccess'] },
  },
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

export const iamRolePoliciesCheck: CheckType<typeof iamRolePolicies.with> = onTarget({
  ...iamRolePolicies,
  async run(input, ctx) {
    const role = await loadRole(ctx, input.role);
    if (!role) return missingRole(ctx, input.role);
    const names = role.managed.map((p) => p.name);
    const evidence = {
      role: role.name,
      managedPolicies: role.managed.map((p) => ({ name: p.name, arn: p.arn })),
      inlinePolicies: role.inline.map((p) => p.name),
    };
    const has = (ref: string) => role.managed.some((p) => policyMatches(p, ref));
    const problems: string[] = [];
    const missing = (input.attached ?? []).filter((ref) => !has(ref));
    if (missing.length > 0) {
      problems.push(
        `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not attached to ${role.name} ` +
          `(attached: ${names.join(', ') || 'none'})`,
      );
    }
    const present = (input.notAttached ?? []).filter(has);
    if (present.length > 0) {
      problems.push(
        `${present.join(', ')} ${present.length === 1 ? 'is' : 'are'} still attached to ${role.name}`,
      );
    }
    if (input.maxManaged !== undefined && role.managed.length > input.maxManaged) {
      problems.push(
        `${role.name} has ${role.managed.length} managed policies attached (${names.join(', ')}); at most ${input.maxManaged} expected`,
      );
    }
    if (problems.length > 0) {
      forgetRole(ctx, input.role);
      return failed(sentence(problems), evidence);
    }
    return passed(
      `${role.name} has the expected managed policies (attached: ${names.join(', ') || 'none'})`,
      evidence,
    );
  },
});
