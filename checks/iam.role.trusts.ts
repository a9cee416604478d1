import * as z from 'zod';
import { defineCheckSpec, type CheckType } from './define.js';
import { missingRole } from './iam/missing-role.js';
import { statementLabel } from './iam/policy-document.js';
import { forgetRole, loadRole } from './iam/role-policies.js';
import { analyzeTrust } from './iam/trust-policy.js';
import { failed, passed, sentence } from './support/outcome.js';
import { onTarget } from './support/target.js';
import { roleName, servicePrincipal } from './fragments.js';

export const iamRoleTrusts = defineCheckSpec({
  type: 'iam.role.trusts',
  summary:
    "The role's trust policy lets the given service assume it, and lets nobody else assume it unless allowed.",
  docs: {
    judges:
      'Reads the role\'s trust policy (AssumeRolePolicyDocument) and evaluates whether the service principal may call sts:AssumeRole; with `exclusive` (the default), it also fails when anyone else may, such as `"AWS": "*"` or another service. The message names the principal it found instead.',
    calls: ['iam:GetRole'],
    example: { role: '${roleName}', service: 'sagemaker.amazonaws.com' },
  },
  with: z.strictObject({
    role: roleName,
    service: servicePrincipal.describe('The service that must be able to assume the role'),
    exclusive: z
      .boolean()
      .default(true)
      .describe('Fail when principals other than the service may also assume the role'),
  }),
});

export const iamRoleTrustsCheck: CheckType<typeof iamRoleTrusts.with> = onTarget({
  ...iamRoleTrusts,
  async run(input, ctx) {
    const role = await loadRole(ctx, input.role);
    if (!role) return missingRole(ctx, input.role);
    const trust = analyzeTrust(role.trustPolicy);
    const evidence = {
      role: role.name,
      trustPolicy: role.trustPolicy,
      trustedServices: trust.services,
      otherPrincipals: trust.others,
    };
    const problems: string[] = [];
    if (trust.openStatements.length > 0) {
      const where = trust.openStatements.map(statementLabel).join(', ');
      problems.push(
        `the trust policy lets any principal assume the role (${where}): anyone with an AWS account could use its permissions; name the service instead`,
      );
    }
    const trusted =
      trust.services.includes(input.service) && !trust.deniedServices.includes(input.service);
    if (!trusted) {
      if (trust.services.length > 0) {
        problems.push(`the role trusts ${trust.services.join(', ')}, not ${input.service}`);
      } else if (trust.openStatements.length === 0) {
        problems.push(
          `the trust policy does not name ${input.service} as a principal that may assume the role`,
        );
      }
      if (trust.deniedServices.includes(input.service)) {
        problems.push(`a Deny statement in the trust policy keeps ${input.service} out`);
      }
    }
    if (input.exclusive && trusted) {
      const extra = [...trust.services.filter((s) => s !== input.service), ...trust.others];
      if (extra.length > 0) {
        problems.push(`besides ${input.service}, the role also trusts ${extra.join(', ')}`);
      }
    }
    if (problems.length > 0) {
      forgetRole(ctx, input.role);
      return failed(sentence(problems), evidence);
    }
    return passed(`the role ${role.name} trusts ${input.service} to assume it`, evidence);
  },
});
