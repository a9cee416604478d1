/**
 * The IAM roles a template defines, as the roles CloudFormation would create: trust policy,
 * inline Policies, ManagedPolicyArns, and AWS::IAM::Policy / ManagedPolicy resources that
 * attach to the role by Ref. Shaped like a deployed role, so the same evaluator judges both.
 */
import type { CheckContext } from '../define.js';
import { parsePolicyDocument, type PolicyDocument } from '../iam/policy-document.js';
import type { InlinePolicy, ManagedPolicy, RoleSnapshot } from '../iam/role-policies.js';
import { callTarget, OperationNotImplemented } from '../support/target.js';
import { resolveIntrinsics, type TemplateScope } from './resolve-intrinsics.js';

type Resource = { Type?: string; Properties?: Record<string, unknown> };

export interface TemplateRole {
  logicalId: string;
  role: RoleSnapshot;
  /** Managed policies named by an ARN this check could not read, or by an intrinsic. */
  unreadable: string[];
}

function isRefTo(value: unknown, logicalId: string): boolean {
  return !!value && typeof value === 'object' && (value as { Ref?: unknown }).Ref === logicalId;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

export function templateScope(template: Record<string, unknown>, ctx: CheckContext): TemplateScope {
  const parameters: Record<string, string> = {};
  for (const [name, p] of Object.entries((template.Parameters ?? {}) as Record<string, unknown>)) {
    const fallback = (p as { Default?: unknown } | null)?.Default;
    if (fallback !== undefined) parameters[name] = String(fallback);
  }
  return {
    account: ctx.target.account,
    region: ctx.target.region,
    partition: ctx.target.partition,
    parameters,
  };
}

/** Reads an AWS managed policy's document from the target, as IAM holds it. */
async function readManagedDocument(
  ctx: CheckContext,
  arn: string,
): Promise<PolicyDocument | undefined> {
  try {
    const policy = await callTarget<{ Policy?: { DefaultVersionId?: string } }>(
      ctx,
      'iam',
      'GetPolicy',
      { PolicyArn: arn },
    );
    const version = await callTarget<{ PolicyVersion?: { Document?: string } }>(
      ctx,
      'iam',
      'GetPolicyVersion',
      {
        PolicyArn: arn,
        VersionId: policy.Policy?.DefaultVersionId ?? 'v1',
      },
    );
    return parsePolicyDocument(version.PolicyVersion?.Document ?? '{}');
  } catch (error) {
    // A target without the operation cannot judge the template's managed policies: say so.
    if (error instanceof OperationNotImplemented) throw error;
    return undefined;
  }
}

export async function templateRoles(
  template: Record<string, unknown>,
  resourceType: string,
  ctx: CheckContext,
): Promise<TemplateRole[]> {
  const scope = templateScope(template, ctx);
  const resources = Object.entries((template.Resources ?? {}) as Record<string, Resource>);
  const resolve = (value: unknown) => resolveIntrinsics(value, scope);
  return Promise.all(
    resources
      .filter(([, r]) => r?.Type === resourceType)
      .map(async ([logicalId, resource]) => {
        const props = resource.Properties ?? {};
        const name = typeof props.RoleName === 'string' ? props.RoleName : logicalId;
        const inline: InlinePolicy[] = list(props.Policies).map((p, i) => {
          const policy = (p ?? {}) as { PolicyName?: unknown; PolicyDocument?: unknown };
          return {
            kind: 'inline',
            name: typeof policy.PolicyName === 'string' ? policy.PolicyName : `Policies[${i}]`,
            document: resolve(parsePolicyDocument(policy.PolicyDocument ?? {})) as PolicyDocument,
          };
        });
        const managedRefs: unknown[] = [...list(props.ManagedPolicyArns)];
        for (const [otherId, other] of resources) {
          const otherProps = other?.Properties ?? {};
          const attachesHere = list(otherProps.Roles).some((r) => isRefTo(r, logicalId));
          if (other?.Type === 'AWS::IAM::Policy' && attachesHere) {
            inline.push({
              kind: 'inline',
              name: typeof otherProps.PolicyName === 'string' ? otherProps.PolicyName : otherId,
              document: resolve(
                parsePolicyDocument(otherProps.PolicyDocument ?? {}),
              ) as PolicyDocument,
            });
          }
          const referenced = managedRefs.some((m) => isRefTo(m, otherId));
          if (other?.Type === 'AWS::IAM::ManagedPolicy' && (attachesHere || referenced)) {
            inline.push({
              kind: 'inline',
              name:
                typeof otherProps.ManagedPolicyName === 'string'
                  ? otherProps.ManagedPolicyName
                  : otherId,
              document: resolve(
                parsePolicyDocument(otherProps.PolicyDocument ?? {}),
              ) as PolicyDocument,
            });
          }
        }
        const managed: ManagedPolicy[] = [];
        const unreadable: string[] = [];
        for (const ref of managedRefs) {
          const arn = resolve(ref);
          if (typeof arn !== 'string' || arn.includes('${')) {
            if (!resources.some(([id]) => isRefTo(ref, id))) unreadable.push(JSON.stringify(ref));
            continue;
          }
          const document = await readManagedDocument(ctx, arn);
          if (!document) {
            unreadable.push(arn);
            continue;
          }
          managed.push({
            kind: 'managed',
            name: arn.split('/').pop() ?? arn,
            arn,
            awsManaged: /^arn:[^:]+:iam::aws:policy\//.test(arn),
            document,
          });
        }
        const path = typeof props.Path === 'string' ? props.Path : '/';
        return {
          logicalId,
          unreadable,
          role: {
            name,
            arn: `arn:${scope.partition}:iam::${scope.account}:role${path}${name}`,
            path,
            trustPolicy: resolve(
              parsePolicyDocument(props.AssumeRolePolicyDocument ?? {}),
            ) as PolicyDocument,
            managed,
            inline,
          },
        };
      }),
  );
}
