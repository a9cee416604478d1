/**
 * May the role do this action on this resource? Answered offline by evaluating the role's
 * managed and inline policies (and a bucket policy) with the shared IAM evaluator, on every
 * target: LocalStack does not enforce IAM, and on AWS a student's user cannot assume a role
 * that only SageMaker may assume. The answer names the statement that decided, or says why
 * none applied, in the student's terms.
 */
import type * as IamEvaluator from '../../src/iam/index.js';
import type { Evaluation, StatementVerdict } from '../../src/iam/index.js';
import { requestContext } from '../../src/iam/request-context.js';
import {
  statementLabel,
  statementsOf,
  statementSummary,
  wildcardMatches,
  type PolicyDocument,
  type Statement,
} from './policy-document.js';
import { policyLabel, rolePolicies, type RolePolicy, type RoleSnapshot } from './role-policies.js';

export interface Probe {
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
}

export interface ProbeResult extends Probe {
  allowed: boolean;
  decision: Evaluation['decision'];
  /** One sentence: what decided, or why nothing allowed. */
  explanation: string;
  /** The deciding statement, as `AmazonS3FullAccess statement 1`. */
  decidedBy?: string;
  /** For an allowed request: what allowed it, as `AmazonS3FullAccess (statement 1: s3:* on *)`. */
  allowedBy?: string;
  /** The probe itself cannot be evaluated (no such action, a resource it does not apply to). */
  problem?: string;
  /** Implicitly denied because no statement names the action: which policies were read. */
  ungranted?: { policies: string; nearest?: string };
}

export interface ResourcePolicy {
  /** How the student knows it: `the bucket policy of my-bucket`. */
  label: string;
  document: PolicyDocument;
}

/** The session name SageMaker's calls carry when it uses the role. */
const SESSION_NAME = 'SageMaker';

/** The session ARN SageMaker's calls carry when it uses the role. */
export function roleSessionArn(role: RoleSnapshot): string {
  const account = accountOf(role.arn);
  const partition = role.arn.split(':')[1] ?? 'aws';
  return `arn:${partition}:sts::${account}:assumed-role/${role.name}/${SESSION_NAME}`;
}

/**
 * The context of a request SageMaker makes with the role, built as the sandbox builds it for a
 * real call: over TLS, now, and with no aws:SourceIp (a service acting for the role has none).
 */
function roleRequestContext(role: RoleSnapshot): Record<string, string> {
  return requestContext({
    principal: {
      kind: 'assumed-role',
      accountId: accountOf(role.arn),
      roleArn: role.arn,
      ...(role.id ? { roleId: role.id } : {}),
      sessionName: SESSION_NAME,
    },
    time: Date.now(),
    secureTransport: true,
  });
}

function accountOf(arn: string): string {
  return arn.split(':')[4] ?? '000000000000';
}

let evaluator: Promise<typeof IamEvaluator> | undefined;

/**
 * The evaluator and its action data load on first use: a lab loads without them. Checks start
 * the load before reading the role, so it overlaps the IAM calls.
 */
export function loadEvaluator(): Promise<typeof IamEvaluator> {
  if (!evaluator) {
    evaluator = import('../../src/iam/index.js');
    // Warm-up calls do not await; the check that needs it does, and sees any failure.
    evaluator.catch(() => undefined);
  }
  return evaluator;
}

export async function evaluateProbe(
  role: RoleSnapshot,
  probe: Probe,
  resourcePolicy?: ResourcePolicy,
): Promise<ProbeResult> {
  const { evaluateRequest } = await loadEvaluator();
  const policies = rolePolicies(role);
  const evaluation = await evaluateRequest({
    principalArn: roleSessionArn(role),
    accountId: accountOf(role.arn),
    identityPolicies: policies.map((policy, i) => ({
      name: policyKey(i),
      ...(policy.kind === 'managed' ? { arn: policy.arn } : {}),
      document: policy.document,
    })),
    ...(resourcePolicy ? { resourcePolicy: resourcePolicy.document } : {}),
    action: probe.action,
    resource: probe.resource,
    // The lab's keys (aws:SourceIp, s3:prefix) add to, or override, what every request carries.
    context: { ...roleRequestContext(role), ...probe.context },
  });
  return explain(probe, evaluation, policies, resourcePolicy);
}

function policyKey(index: number): string {
  return `policy-${index}`;
}

interface Located {
  policy: string;
  statement: Statement;
}

/** `policy SageMakerS3Access`, `inline policy S3Access`, `the bucket policy of my-bucket`. */
function inPolicy(label: string): string {
  return /^(inline policy |the (bucket|key) policy)/.test(label) ? label : `policy ${label}`;
}

function locate(
  verdict: Pick<StatementVerdict, 'policyType' | 'policyName' | 'statementIndex'>,
  policies: RolePolicy[],
  resourcePolicy?: ResourcePolicy,
): Located | undefined {
  if (verdict.policyType === 'resource') {
    if (!resourcePolicy) return undefined;
    const statement = statementsOf(resourcePolicy.document)[verdict.statementIndex - 1];
    return statement ? { policy: resourcePolicy.label, statement } : undefined;
  }
  const index = Number(verdict.policyName.replace(/^policy-/, ''));
  const policy = policies[index];
  const statement = policy ? statementsOf(policy.document)[verdict.statementIndex - 1] : undefined;
  return policy && statement ? { policy: policyLabel(policy), statement } : undefined;
}

/** The evaluator's validation codes, said for a lab author. */
function probeProblem(probe: Probe, code: string): string {
  switch (code) {
    case 'invalid.action':
      return `${probe.action} is not an IAM action`;
    case 'no.resource.types':
      return `${probe.action} does not apply to a resource like ${probe.resource}`;
    default:
      return code;
  }
}

/** `s3:ListBucket applies to the bucket`, so a student sees why `my-bucket/*` does not cover it. */
function resourceKind(resource: string): string {
  const s3 = /^arn:[^:]+:s3:::([^/]+)(\/.*)?$/.exec(resource);
  if (s3) return s3[2] ? 'objects' : 'the bucket';
  return 'the resource';
}

function explain(
  probe: Probe,
  evaluation: Evaluation,
  policies: RolePolicy[],
  resourcePolicy?: ResourcePolicy,
): ProbeResult {
  const base = { ...probe, decision: evaluation.decision };
  const what = `${probe.action} on ${probe.resource}`;
  if (evaluation.errors?.length) {
    const problem = evaluation.errors.map((e) => probeProblem(probe, e)).join('; ');
    return {
      ...base,
      allowed: false,
      explanation: `${what} cannot be evaluated: ${problem}`,
      problem,
    };
  }
  const decided =
    evaluation.decidedBy &&
    locate(
      {
        policyType: evaluation.decidedBy.policyType,
        policyName: evaluation.decidedBy.policyName ?? '',
        statementIndex: evaluation.decidedBy.statementIndex,
      },
      policies,
      resourcePolicy,
    );
  if (evaluation.decision === 'allowed') {
    const by = decided
      ? `${decided.policy} (${statementLabel(decided.statement)}: ${statementSummary(decided.statement)})`
      : 'the role’s policies';
    return {
      ...base,
      allowed: true,
      explanation: `${what} is allowed by ${by}`,
      allowedBy: by,
      ...(decided ? { decidedBy: `${decided.policy} ${statementLabel(decided.statement)}` } : {}),
    };
  }
  if (evaluation.decision === 'explicitDeny') {
    const by = decided
      ? `${statementLabel(decided.statement)} in ${inPolicy(decided.policy)} (Deny ${statementSummary(decided.statement)})`
      : 'an explicit Deny';
    return {
      ...base,
      allowed: false,
      explanation: `${what} is denied explicitly by ${by}`,
      ...(decided ? { decidedBy: `${decided.policy} ${statementLabel(decided.statement)}` } : {}),
    };
  }
  return {
    ...base,
    allowed: false,
    ...whyNothingAllows(probe, evaluation, policies, resourcePolicy),
  };
}

/** Implicit deny: find the statement that came closest and say what it lacks. */
function whyNothingAllows(
  probe: Probe,
  evaluation: Evaluation,
  policies: RolePolicy[],
  resourcePolicy?: ResourcePolicy,
): Pick<ProbeResult, 'explanation' | 'ungranted'> {
  const what = `${probe.action} on ${probe.resource}`;
  if (policies.length === 0) {
    return {
      explanation: `${what} is not allowed: the role has no policies, so it may do nothing`,
    };
  }
  const allows = evaluation.statements
    .filter((s) => s.effect === 'Allow' && s.policyType === 'identity')
    .map((s) => ({ verdict: s, located: locate(s, policies, resourcePolicy) }))
    .filter((s): s is { verdict: StatementVerdict; located: Located } => !!s.located);

  // Closest first: a statement that matches but for its condition, then one that names
  // the action but another resource.
  const conditioned = allows.find(
    (s) => s.verdict.actionMatch && s.verdict.resourceMatch && !s.verdict.conditionMatch,
  );
  if (conditioned) {
    const { statement, policy } = conditioned.located;
    const keys = Object.values(statement.condition ?? {}).flatMap((c) =>
      c && typeof c === 'object' ? Object.keys(c) : [],
    );
    return {
      explanation:
        `${what} is not allowed: your ${statementLabel(statement)} in ${inPolicy(policy)} grants it ` +
        `only when its condition on ${keys.join(', ') || 'the request'} holds, and this request does not meet it`,
    };
  }
  const wrongResource = allows.find((s) => s.verdict.actionMatch && !s.verdict.resourceMatch);
  if (wrongResource) {
    const { statement, policy } = wrongResource.located;
    const named = statement.resources.length
      ? statement.resources.join(', ')
      : `everything except ${statement.notResources.join(', ')}`;
    return {
      explanation:
        `${probe.action} applies to ${resourceKind(probe.resource)}, ${probe.resource}; ` +
        `your ${statementLabel(statement)} in ${inPolicy(policy)} names only ${named}`,
    };
  }
  const service = probe.action.split(':')[0] ?? '';
  const sameService = allows.find((s) =>
    s.located.statement.actions.some((a) => wildcardMatches(`${service}:*`, a) || a === '*'),
  );
  const names = policies.map(policyLabel).join(', ');
  const kind = resourceKind(probe.resource);
  // For S3, say what the action applies to: the bucket/object split is what students miss.
  const head =
    kind === 'the resource'
      ? `${what} is not allowed: no statement in the role's policies (${names}) grants ${probe.action}`
      : `${probe.action} applies to ${kind}, ${probe.resource}, and no statement in the role's policies (${names}) grants it`;
  const nearest = sameService
    ? `the nearest, ${statementLabel(sameService.located.statement)} in ${inPolicy(sameService.located.policy)}, grants only ${statementSummary(sameService.located.statement)}`
    : undefined;
  return {
    explanation: nearest ? `${head}; ${nearest}` : head,
    ungranted: { policies: names, ...(nearest ? { nearest } : {}) },
  };
}
