/**
 * The IAM roles a Terraform configuration defines, as the roles `terraform apply` would create:
 * `aws_iam_role` (assume_role_policy, inline_policy blocks, managed_policy_arns), with
 * `aws_iam_role_policy`, `aws_iam_policy` + `aws_iam_role_policy_attachment` (or
 * `aws_iam_policy_attachment`) that point at it. Shaped like a deployed role, so the same IAM
 * evaluation judges a template, a configuration and a live role.
 */
import { readManagedDocument } from '../cfn/template-roles.js';
import type { CheckContext } from '../define.js';
import type { JudgedRole } from '../iac/judge-role.js';
import { parsePolicyDocument, type PolicyDocument } from '../iam/policy-document.js';
import type { InlinePolicy, ManagedPolicy } from '../iam/role-policies.js';
import { lineOf, placeOf, type TerraformConfig, type TfBlock } from './config.js';
import { Evaluator, Unresolvable } from './evaluate.js';

/** `aws_iam_role.sagemaker (main.tf:8)` */
export function blockLabel(block: TfBlock): string {
  return `${block.address} (${lineOf(block.place)})`;
}

function document(text: unknown, what: string, at: string): PolicyDocument {
  if (text && typeof text === 'object') return text as PolicyDocument;
  try {
    return parsePolicyDocument(text);
  } catch {
    throw new Unresolvable(what, at, 'its policy is not JSON');
  }
}

function noDynamicBlocks(block: TfBlock): void {
  if ('dynamic' in block.body) {
    throw new Unresolvable(
      `the dynamic block in ${block.address}`,
      lineOf(placeOf(block.place, 'dynamic')),
      'labwright does not expand dynamic blocks',
    );
  }
}

export async function terraformRoles(
  config: TerraformConfig,
  ctx: CheckContext,
): Promise<JudgedRole[]> {
  const evaluator = new Evaluator(config, ctx.target);
  const of = (type: string) => config.resources.filter((r) => r.type === type);

  for (const module of config.modules) {
    // A module may define the role, or attach to it: the check cannot see inside.
    throw new Unresolvable(
      `${module.address}`,
      lineOf(module.place),
      'labwright does not read modules; define the role in this configuration',
    );
  }

  /** The policy text of an attribute, evaluated, as a document. */
  const policyOf = async (block: TfBlock, raw: unknown, attribute: string) => {
    const at = placeOf(block.place, attribute);
    const value = await evaluator.value(raw, at);
    return document(value, `${block.address}.${attribute}`, lineOf(at));
  };

  // Customer managed policies this configuration creates, by the ARN Terraform would give them.
  const ownPolicies = new Map<string, { block: TfBlock; document: PolicyDocument }>();
  for (const block of of('aws_iam_policy')) {
    const arn = String(await evaluator.value(`\${${block.address}.arn}`, block.place));
    ownPolicies.set(arn, { block, document: await policyOf(block, block.body.policy, 'policy') });
  }

  const roles: JudgedRole[] = [];
  for (const block of of('aws_iam_role')) {
    noDynamicBlocks(block);
    const name = await evaluator.resourceName(block);
    const rolePath = await evaluator.resourcePath(block);
    const trustPolicy =
      block.body.assume_role_policy === undefined
        ? {}
        : await policyOf(block, block.body.assume_role_policy, 'assume_role_policy');

    const inline: InlinePolicy[] = [];
    const attached: { arn: string; by: string }[] = [];
    const inlineBlocks = Array.isArray(block.body.inline_policy) ? block.body.inline_policy : [];
    for (const [i, raw] of (inlineBlocks as Record<string, unknown>[]).entries()) {
      if (raw.policy === undefined) continue;
      const policyName =
        raw.name === undefined
          ? `inline_policy ${i + 1}`
          : await evaluator.text(raw.name, block.place, 'name');
      inline.push({
        kind: 'inline',
        name: `${policyName} (inline_policy in ${blockLabel(block)})`,
        document: await policyOf(block, raw.policy, 'inline_policy'),
      });
    }
    if (block.body.managed_policy_arns !== undefined) {
      const at = placeOf(block.place, 'managed_policy_arns');
      const arns = await evaluator.value(block.body.managed_policy_arns, at);
      for (const arn of Array.isArray(arns) ? arns : [arns]) {
        attached.push({ arn: String(arn), by: `managed_policy_arns of ${blockLabel(block)}` });
      }
    }

    /** Whether a `role` attribute (a name, or a reference) means this role. */
    const isThisRole = async (other: TfBlock, raw: unknown) => {
      const value = await evaluator.value(raw, placeOf(other.place, 'role'));
      const arn = `arn:${ctx.target.partition}:iam::${ctx.target.account}:role${rolePath}${name}`;
      return value === name || value === arn;
    };
    for (const other of of('aws_iam_role_policy')) {
      if (!(await isThisRole(other, other.body.role))) continue;
      inline.push({
        kind: 'inline',
        name: blockLabel(other),
        document: await policyOf(other, other.body.policy, 'policy'),
      });
    }
    for (const other of of('aws_iam_role_policy_attachment')) {
      if (!(await isThisRole(other, other.body.role))) continue;
      const arn = await evaluator.text(
        other.body.policy_arn,
        placeOf(other.place, 'policy_arn'),
        `${other.address}.policy_arn`,
      );
      attached.push({ arn, by: blockLabel(other) });
    }
    for (const other of of('aws_iam_policy_attachment')) {
      const roleNames = await evaluator.value(
        other.body.roles ?? [],
        placeOf(other.place, 'roles'),
      );
      if (!(Array.isArray(roleNames) ? roleNames : [roleNames]).includes(name)) continue;
      const arn = await evaluator.text(
        other.body.policy_arn,
        placeOf(other.place, 'policy_arn'),
        `${other.address}.policy_arn`,
      );
      attached.push({ arn, by: blockLabel(other) });
    }

    const managed: ManagedPolicy[] = [];
    const unreadable: string[] = [];
    const attachedBy = new Map<string, string>();
    for (const { arn, by } of attached) {
      const own = ownPolicies.get(arn);
      if (own) {
        // Judged as the student's own policy (service-wide wildcards count), like CloudFormation's.
        inline.push({
          kind: 'inline',
          name: `${blockLabel(own.block)}, attached by ${by}`,
          document: own.document,
        });
        continue;
      }
      const policyName = arn.split('/').pop() ?? arn;
      attachedBy.set(policyName, by);
      const managedDocument = await readManagedDocument(ctx, arn);
      if (!managedDocument) {
        unreadable.push(arn);
        continue;
      }
      managed.push({
        kind: 'managed',
        name: policyName,
        arn,
        awsManaged: /^arn:[^:]+:iam::aws:policy\//.test(arn),
        document: managedDocument,
      });
    }
    roles.push({
      label: blockLabel(block),
      unreadable,
      attachedBy,
      role: {
        name,
        arn: `arn:${ctx.target.partition}:iam::${ctx.target.account}:role${rolePath}${name}`,
        path: rolePath,
        trustPolicy,
        managed,
        inline,
      },
    });
  }
  return roles;
}
