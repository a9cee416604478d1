/**
 * The IAM decision for one request, like AWS's policy evaluation logic, on top of
 * @cloud-copilot/iam-simulate. Shared by the sandbox (to authorize calls) and the check library
 * (to explain to a student why an action is allowed or denied), so the per-statement analysis
 * is kept, not just the verdict.
 */
import { createHash } from 'node:crypto';
import type * as IamSimulate from '@cloud-copilot/iam-simulate';
import type { RequestAnalysis, StatementExplain } from '@cloud-copilot/iam-simulate';
import type { DenyReason } from './messages.js';
import { compareText } from '../compare-text.js';

type StatementAnalysis = NonNullable<
  RequestAnalysis['identityAnalysis']
>['allowStatements'][number];

export interface IdentityPolicyInput {
  /** Policy name (inline) or managed policy name. */
  name: string;
  /** Managed policy ARN; absent for inline policies. */
  arn?: string;
  document: unknown;
}

export interface EvaluationInput {
  /** The caller: a role session ARN, `arn:aws:iam::<acct>:root`, or a service principal. */
  principalArn: string;
  /** The account that owns the resource. */
  accountId: string;
  identityPolicies: IdentityPolicyInput[];
  /** A bucket policy or a role's trust policy. */
  resourcePolicy?: unknown;
  action: string;
  resource: string;
  /** Condition keys (aws:SourceIp, s3:prefix, ...). */
  context?: Record<string, string | string[]>;
  /** The account root holds every permission of its account; only policies naming it can deny. */
  isRoot?: boolean;
}

export type Decision = 'allowed' | 'implicitDeny' | 'explicitDeny';

/** How one statement fared against the request, for explanations. */
export interface StatementVerdict {
  policyType: 'identity' | 'resource';
  policyName: string;
  /** 1-based, as AWS counts statements. */
  statementIndex: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
  /** Action, resource, principal and conditions all matched: the statement applies. */
  applies: boolean;
  actionMatch: boolean;
  resourceMatch: boolean;
  principalMatch: string;
  conditionMatch: boolean;
  explain: StatementExplain;
}

export interface Evaluation {
  decision: Decision;
  /** The statement that allowed, or explicitly denied, the request. */
  decidedBy?: {
    policyType: 'identity' | 'resource';
    policyName?: string;
    statementIndex: number;
    sid?: string;
  };
  denyReason?: DenyReason;
  statements: StatementVerdict[];
  /** Policy problems that kept the simulation from running (the decision is then implicitDeny). */
  errors?: string[];
}

const ALLOW_ALL = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};
const ROOT_POLICY = { name: 'AccountRoot', document: ALLOW_ALL };

const CACHE_LIMIT = 5000;
const cache = new Map<string, Promise<Evaluation>>();
/** What the cache reads of a policy document, from one JSON text, once per document object. */
interface DocumentForms {
  /**
   * Its part of the cache key: a digest of its JSON. By content, not identity: two sandboxes (a
   * class's replayed hand-ins) holding the same policy share their decisions, and a changed
   * policy is a new key, so a cached decision never outlives the policies it was computed from.
   */
  key: string;
  /** Its JSON in lower case, to find the condition keys it names (they ignore case). */
  lowerText: string;
}

const documentForms = new WeakMap<object, DocumentForms>();

function formsOf(document: unknown): DocumentForms {
  const isObject = !!document && typeof document === 'object';
  let forms = isObject ? documentForms.get(document) : undefined;
  if (!forms) {
    const json = JSON.stringify(document ?? null);
    forms = {
      key: isObject ? createHash('sha256').update(json).digest('base64') : json,
      lowerText: json.toLowerCase(),
    };
    if (isObject) documentForms.set(document, forms);
  }
  return forms;
}

const documentKey = (document: unknown): string => formsOf(document).key;
const documentText = (document: unknown): string => formsOf(document).lowerText;

/**
 * The context keys some policy of the request names (in a condition or a policy variable): a key
 * no policy names cannot change the decision, and leaving it out keeps the cache useful when the
 * context carries the time of each request (aws:CurrentTime).
 */
function namedContext(input: EvaluationInput): Record<string, string | string[]> | undefined {
  if (!input.context) return undefined;
  const texts = [
    ...input.identityPolicies.map((p) => documentText(p.document)),
    ...(input.resourcePolicy === undefined ? [] : [documentText(input.resourcePolicy)]),
  ];
  const named: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(input.context)) {
    const lower = `"${key.toLowerCase()}"`;
    const variable = `\${${key.toLowerCase()}`;
    if (texts.some((text) => text.includes(lower) || text.includes(variable))) named[key] = value;
  }
  return named;
}

function cacheKey(input: EvaluationInput): string {
  return [
    input.principalArn,
    input.accountId,
    input.action,
    input.resource,
    input.isRoot ? 'root' : '',
    input.identityPolicies.map((p) => `${p.name}=${documentKey(p.document)}`).join(','),
    documentKey(input.resourcePolicy),
    JSON.stringify(input.context ?? {}),
  ].join('|');
}

/** Evaluates a request; results are cached (a simulation costs ~0.4 ms, validation included). */
export function evaluateRequest(request: EvaluationInput): Promise<Evaluation> {
  const context = namedContext(request);
  const input = context ? { ...request, context } : request;
  const key = cacheKey(input);
  const hit = cache.get(key);
  if (hit) return hit;
  const result = simulate(input);
  cache.set(key, result);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  return result;
}

/** Loaded on first use: a sandbox serving only the root never pays for the simulator. */
let simulator: Promise<typeof IamSimulate> | undefined;

async function simulate(input: EvaluationInput): Promise<Evaluation> {
  simulator ??= import('@cloud-copilot/iam-simulate');
  const { runSimulation, getGrantReasons, getDenialReasons } = await simulator;
  const identity = input.isRoot ? [ROOT_POLICY] : input.identityPolicies;
  const run = (resource: string) =>
    runSimulation(
      {
        request: {
          principal: input.principalArn,
          action: input.action,
          resource: { resource, accountId: input.accountId },
          contextVariables: input.context ?? {},
        },
        identityPolicies: identity.map((p) => ({ name: p.name, policy: p.document })),
        resourcePolicy: input.resourcePolicy,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      },
      {},
    );
  let raw = await run(input.resource);
  // Actions without resource types (iam:ListRoles, logs:DescribeLogGroups) are authorized
  // against "*" by AWS, whatever resource its error message then names.
  if (
    raw.resultType === 'error' &&
    raw.errors.message === 'must.use.wildcard' &&
    input.resource !== '*'
  ) {
    raw = await run('*');
  }
  if (raw.resultType === 'error') {
    return {
      decision: 'implicitDeny',
      denyReason: 'no identity-based policy allows',
      statements: [],
      errors: collectErrors(raw.errors as unknown as Record<string, unknown>),
    };
  }
  const analysis = raw.resultType === 'single' ? raw.result.analysis : raw.results[0]?.analysis;
  const decision: Decision =
    raw.overallResult === 'Allowed'
      ? 'allowed'
      : raw.overallResult === 'ExplicitlyDenied'
        ? 'explicitDeny'
        : 'implicitDeny';
  const evaluation: Evaluation = {
    decision,
    statements: analysis ? statementVerdicts(analysis) : [],
  };
  if (!analysis) {
    evaluation.denyReason = 'no identity-based policy allows';
    return evaluation;
  }
  if (decision === 'allowed') {
    const grant = getGrantReasons(analysis)[0];
    if (grant) {
      evaluation.decidedBy = {
        policyType: grant.policyType === 'resource' ? 'resource' : 'identity',
        policyName: 'policyIdentifier' in grant ? grant.policyIdentifier : undefined,
        statementIndex: grant.statementIndex,
        sid: grant.statementId,
      };
    }
    return evaluation;
  }
  const denials = getDenialReasons(analysis);
  const explicit = denials.find((d) => d.denialType === 'Explicit');
  if (explicit && explicit.denialType === 'Explicit') {
    const fromResource = explicit.policyType === 'resource';
    evaluation.decidedBy = {
      policyType: fromResource ? 'resource' : 'identity',
      policyName: explicit.policyIdentifier,
      statementIndex: explicit.statementIndex,
      sid: explicit.statementId,
    };
    evaluation.denyReason = fromResource
      ? 'explicit deny in a resource-based policy'
      : 'explicit deny in an identity-based policy';
  } else {
    const identityImplicit = denials.some((d) => d.policyType === 'identity');
    evaluation.denyReason =
      identityImplicit || !input.resourcePolicy
        ? 'no identity-based policy allows'
        : 'no resource-based policy allows';
  }
  return evaluation;
}

function statementVerdicts(analysis: RequestAnalysis): StatementVerdict[] {
  const out: StatementVerdict[] = [];
  const groups: [
    StatementVerdict['policyType'],
    (
      | {
          denyStatements: StatementAnalysis[];
          allowStatements: StatementAnalysis[];
          unmatchedStatements: StatementAnalysis[];
        }
      | undefined
    ),
  ][] = [
    ['identity', analysis.identityAnalysis],
    ['resource', analysis.resourceAnalysis],
  ];
  for (const [policyType, group] of groups) {
    if (!group) continue;
    for (const s of [
      ...group.denyStatements,
      ...group.allowStatements,
      ...group.unmatchedStatements,
    ]) {
      out.push({
        policyType,
        // A resource policy without an id (a trust policy) has none.
        policyName: s.policyId ?? '',
        statementIndex: s.statement.index(),
        sid: s.statement.sid(),
        effect: s.statement.isDeny() ? 'Deny' : 'Allow',
        applies: s.explain.matches,
        actionMatch: s.actionMatch,
        resourceMatch: s.resourceMatch,
        principalMatch: s.principalMatch,
        conditionMatch: s.conditionMatch === 'Match',
        explain: s.explain,
      });
    }
  }
  return out.sort(
    (a, b) =>
      compareText(a.policyType, b.policyType) ||
      compareText(a.policyName, b.policyName) ||
      a.statementIndex - b.statementIndex,
  );
}

function collectErrors(errors: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [kind, value] of Object.entries(errors)) {
    if (kind === 'message') continue;
    if (Array.isArray(value)) {
      for (const e of value)
        out.push(typeof e === 'string' ? e : `${kind}: ${e.path} ${e.message}`);
    } else if (value && typeof value === 'object') {
      for (const [name, list] of Object.entries(
        value as Record<string, { path: string; message: string }[]>,
      )) {
        for (const e of list) out.push(`${name}: ${e.path} ${e.message}`);
      }
    }
  }
  return out.length > 0 ? out : [String(errors.message)];
}
