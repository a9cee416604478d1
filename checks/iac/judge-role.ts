/**
 * One role written as code (a CloudFormation resource, a Terraform aws_iam_role), judged by
 * effect as a deployed role would be: who may assume it, what its policies allow (through the
 * shared IAM evaluation), and whether anything grants too much.
 */
import * as z from 'zod';
import { servicePrincipal } from '../fragments.js';
import { broadGrants } from '../iam/broad-grants.js';
import { evaluateProbe } from '../iam/probe.js';
import { policyLabel, rolePolicies, type RoleSnapshot } from '../iam/role-policies.js';
import { analyzeTrust } from '../iam/trust-policy.js';

export interface JudgedRole {
  /** How the student finds it: `SageMakerExecutionRole`, `aws_iam_role.sagemaker (main.tf:8)`. */
  label: string;
  role: RoleSnapshot;
  /** Managed policies named by an ARN this check could not read, or by an intrinsic. */
  unreadable: string[];
  /** What attached each managed policy, by policy name, when the code says so. */
  attachedBy?: ReadonlyMap<string, string>;
}

/** The rules of a role-as-code check: the `with` keys shared by cfn.template and iac.role. */
export const roleRules = {
  trusts: servicePrincipal.optional().describe('The role must trust this service'),
  allow: z
    .array(z.strictObject({ action: z.string(), resource: z.string() }))
    .default([])
    .describe("Grants the role's policies must contain"),
  forbidWildcards: z.boolean().default(true),
  forbiddenPolicies: z
    .array(z.string())
    .default(['AdministratorAccess', 'PowerUserAccess', 'IAMFullAccess', 'AmazonS3FullAccess'])
    .describe('Managed policies (by name or ARN) the role must not have'),
};

export interface RoleRules {
  trusts?: string | undefined;
  allow: { action: string; resource: string }[];
  forbidWildcards: boolean;
  forbiddenPolicies: string[];
}

/** Everything wrong with one role, in the student's terms. */
export interface RoleVerdict {
  problems: string[];
  /** Grants the lab asks about that cannot be evaluated: the lab's mistake. */
  unsound: string[];
}

const nameOf = (arn: string) => arn.split('/').pop() ?? arn;

export async function judgeRole(entry: JudgedRole, rules: RoleRules): Promise<RoleVerdict> {
  const { role, label } = entry;
  const problems: string[] = [];
  const unsound: string[] = [];
  if (rules.trusts) {
    const trust = analyzeTrust(role.trustPolicy);
    if (trust.openStatements.length > 0) {
      problems.push(`${label}: its trust policy lets any principal assume the role`);
    }
    if (!trust.services.includes(rules.trusts)) {
      problems.push(
        trust.services.length
          ? `${label} trusts ${trust.services.join(', ')}, not ${rules.trusts}`
          : `${label}: its trust policy does not name ${rules.trusts}`,
      );
    } else {
      // Only the service may assume it: an execution role is not for anyone else.
      const others = [...trust.services.filter((s) => s !== rules.trusts), ...trust.others];
      if (others.length > 0) {
        problems.push(
          `${label} also lets ${others.join(', ')} assume the role; only ${rules.trusts} should`,
        );
      }
    }
  }
  const attachedArns = [...role.managed.map((p) => p.arn), ...entry.unreadable];
  for (const arn of attachedArns) {
    const name = nameOf(arn);
    if (
      !rules.forbiddenPolicies.some((ref) => (ref.startsWith('arn:') ? ref === arn : ref === name))
    )
      continue;
    const by = entry.attachedBy?.get(name);
    problems.push(
      `${label}: ${name} is attached${by ? ` (by ${by})` : ''}; grant only the actions and buckets the role needs`,
    );
  }
  for (const grant of rules.allow) {
    const result = await evaluateProbe(role, grant);
    if (result.problem) unsound.push(result.problem);
    else if (!result.allowed) problems.push(`${label}: ${result.explanation}`);
  }
  if (rules.forbidWildcards) {
    for (const policy of rolePolicies(role)) {
      for (const broad of broadGrants(policyLabel(policy), policy.document, {
        awsManaged: policy.kind === 'managed' && policy.awsManaged,
      })) {
        problems.push(`${label}: too broad: ${broad.description}`);
      }
    }
  }
  const unread = entry.unreadable.filter((arn) => !problems.some((p) => p.includes(nameOf(arn))));
  if (unread.length > 0 && rules.allow.length > 0 && problems.length > 0) {
    problems.push(
      `(the managed policies ${unread.join(', ')} could not be read, so their grants were not counted)`,
    );
  }
  return { problems, unsound };
}

/** `trusted by sagemaker.amazonaws.com, allowed s3:GetObject, with no "*" grants` */
export function describeRules(rules: RoleRules): string {
  return [
    rules.trusts ? `trusted by ${rules.trusts}` : '',
    rules.allow.length ? `allowed ${rules.allow.map((a) => a.action).join(', ')}` : '',
    rules.forbidWildcards ? 'with no "*" grants' : '',
  ]
    .filter(Boolean)
    .join(', ');
}
