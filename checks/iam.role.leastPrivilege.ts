import * as z from 'zod';
import { defineCheckSpec, type CheckType } from './define.js';
import { broadGrants } from './iam/broad-grants.js';
import { missingRole } from './iam/missing-role.js';
import { loadEvaluator } from './iam/probe.js';
import { policyMatches } from './iam/policy-ref.js';
import { forgetRole, loadRole, policyLabel, rolePolicies } from './iam/role-policies.js';
import {
  expandProbes,
  leakSummary,
  probeEvidence,
  probeProblems,
  runProbes,
} from './iam/role-probes.js';
import { errored, failed, passed, sentence } from './support/outcome.js';
import { onTarget } from './support/target.js';
import { permissionProbe, roleName } from './fragments.js';

export const iamRoleLeastPrivilege = defineCheckSpec({
  type: 'iam.role.leastPrivilege',
  summary:
    'The role holds no overly broad grants: no forbidden managed policies, no "*" actions on "*" resources, and the probes that must stay denied are denied.',
  docs: {
    judges:
      "Fails when the role holds more than it needs: a forbidden managed policy attached (AdministratorAccess, AmazonS3FullAccess, ... by default), an Allow of `*` on `*` in any policy or of `<service>:*` on `*` in the role's own policies, or any `mustDeny` probe allowed. The message names the policy and statement to remove.",
    calls: [
      'iam:GetRole',
      'iam:ListAttachedRolePolicies',
      'iam:ListRolePolicies',
      'iam:GetRolePolicy',
      'iam:GetPolicy',
      'iam:GetPolicyVersion',
    ],
    example: {
      role: '${roleName}',
      mustDeny: [
        { action: 's3:GetObject', resource: 'arn:aws:s3:::another-teams-bucket/secrets.csv' },
      ],
    },
  },
  with: z.strictObject({
    role: roleName,
    forbiddenPolicies: z
      .array(z.string().min(1))
      .default(['AdministratorAccess', 'PowerUserAccess', 'IAMFullAccess', 'AmazonS3FullAccess'])
      .describe('Managed policies (name or ARN) that must not be attached'),
    forbidWildcards: z
      .boolean()
      .default(true)
      .describe(
        'Fail on Allow statements with Action "*" on Resource "*" in any policy, or "<service>:*" on "*" in the role\'s own (inline or customer managed) policies; AWS managed ones are judged by name in forbiddenPolicies',
      ),
    mustDeny: z
      .array(permissionProbe)
      .default([])
      .describe('Access the role must not have, e.g. another bucket'),
  }),
});

export const iamRoleLeastPrivilegeCheck: CheckType<typeof iamRoleLeastPrivilege.with> = onTarget({
  ...iamRoleLeastPrivilege,
  async run(input, ctx) {
    void loadEvaluator();
    const role = await loadRole(ctx, input.role);
    if (!role) return missingRole(ctx, input.role);
    const forbidden = role.managed.filter((p) =>
      input.forbiddenPolicies.some((ref) => policyMatches(p, ref)),
    );
    const broad = input.forbidWildcards
      ? rolePolicies(role).flatMap((p) =>
          broadGrants(policyLabel(p), p.document, {
            awsManaged: p.kind === 'managed' && p.awsManaged,
          }),
        )
      : [];
    const probes = await runProbes(ctx, role, expandProbes(input.mustDeny));
    const unsound = probeProblems(probes);
    if (unsound) return errored(unsound);
    const leaks = probes.filter((r) => r.allowed);
    const evidence = {
      role: role.name,
      managedPolicies: role.managed.map((p) => p.name),
      inlinePolicies: role.inline.map((p) => p.name),
      forbiddenAttached: forbidden.map((p) => p.name),
      broadStatements: broad.map((b) => b.description),
      mustDeny: probeEvidence(probes),
    };
    const problems: string[] = [];
    if (forbidden.length > 0) {
      problems.push(
        `${forbidden.map((p) => p.name).join(', ')} ${forbidden.length === 1 ? 'is' : 'are'} still attached to ${role.name}: ` +
          `detach ${forbidden.length === 1 ? 'it' : 'them'} and grant only the actions and buckets the job needs`,
      );
    }
    // A forbidden policy's own wildcard is already named above; report the others.
    const forbiddenLabels = new Set(forbidden.map((p) => p.name));
    const otherBroad = broad.filter((b) => !forbiddenLabels.has(b.policy));
    if (otherBroad.length > 0) {
      problems.push(`too broad: ${otherBroad.map((b) => b.description).join('; ')}`);
    }
    problems.push(...leakSummary(leaks));
    if (problems.length > 0) {
      forgetRole(ctx, input.role);
      return failed(sentence(problems), evidence);
    }
    const checked = [
      `no forbidden managed policy is attached`,
      ...(input.forbidWildcards ? ['no statement allows "*" actions on "*"'] : []),
      ...(probes.length ? [`${probes.length} access probe(s) stay denied`] : []),
    ];
    return passed(`${role.name} follows least privilege: ${checked.join(', ')}`, evidence);
  },
});
