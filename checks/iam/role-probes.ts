/**
 * Runs a lab's permission probes against a role: each action of each probe, with the resource
 * policy the service asks: a KMS key's key policy for a key ARN, as KMS would, else the bucket
 * policy of the S3 bucket the resource names (or the one the lab names), as S3 would.
 */
import type { CheckContext } from '../define.js';
import {
  evaluateProbe,
  loadEvaluator,
  type Probe,
  type ProbeResult,
  type ResourcePolicy,
} from './probe.js';
import { loadBucketPolicy, loadKeyPolicy, type RoleSnapshot } from './role-policies.js';

export interface LabProbe {
  action: string | string[];
  resource: string;
  context?: Record<string, string | string[]>;
}

export function expandProbes(probes: readonly LabProbe[]): Probe[] {
  return probes.flatMap((p) =>
    (Array.isArray(p.action) ? p.action : [p.action]).map((action) => ({
      action,
      resource: p.resource,
      ...(p.context ? { context: p.context } : {}),
    })),
  );
}

/** The KMS key an ARN names, when it names one: arn:aws:kms:us-east-1:123456789012:key/<id>. */
export function kmsKeyOf(resource: string): string | undefined {
  return /^arn:[^:]+:kms:[^:]*:\d{12}:key\/[^/]+$/.test(resource) ? resource : undefined;
}

/** The bucket an S3 ARN names: arn:aws:s3:::my-bucket/key -> my-bucket. */
export function bucketOf(resource: string): string | undefined {
  return /^arn:[^:]+:s3:::([^/]+)/.exec(resource)?.[1];
}

export async function runProbes(
  ctx: CheckContext,
  role: RoleSnapshot,
  probes: readonly Probe[],
  bucketPolicyOf?: string,
): Promise<ProbeResult[]> {
  void loadEvaluator();
  return Promise.all(
    probes.map(async (probe) => {
      return evaluateProbe(role, probe, await resourcePolicyOf(ctx, probe, bucketPolicyOf));
    }),
  );
}

async function resourcePolicyOf(
  ctx: CheckContext,
  probe: Probe,
  bucketPolicyOf?: string,
): Promise<ResourcePolicy | undefined> {
  const key = kmsKeyOf(probe.resource);
  if (key) {
    const policy = await loadKeyPolicy(ctx, key);
    return policy && { label: `the key policy of ${key}`, document: policy };
  }
  const bucket = bucketPolicyOf ?? bucketOf(probe.resource);
  const policy = bucket ? await loadBucketPolicy(ctx, bucket) : undefined;
  return policy && { label: `the bucket policy of ${bucket}`, document: policy };
}

/** Probe results as evidence: what was asked and what decided, without the evaluator's detail. */
export function probeEvidence(results: readonly ProbeResult[]): Record<string, unknown>[] {
  return results.map((r) => ({
    action: r.action,
    resource: r.resource,
    decision: r.decision,
    ...(r.decidedBy ? { decidedBy: r.decidedBy } : {}),
  }));
}

/**
 * Allowed probes in one sentence each per deciding statement and resource:
 * `s3:GetObject, s3:PutObject on arn:aws:s3:::b/* are allowed by P (statement "S": ...)`.
 */
export function allowedSummary(results: readonly ProbeResult[]): string[] {
  const groups = new Map<string, { actions: string[]; resource: string; by: string }>();
  for (const r of results) {
    if (!r.allowed || !r.allowedBy) continue;
    const key = `${r.resource}\u0000${r.allowedBy}`;
    const group = groups.get(key) ?? { actions: [], resource: r.resource, by: r.allowedBy };
    group.actions.push(r.action);
    groups.set(key, group);
  }
  return [...groups.values()].map(
    (g) =>
      `${g.actions.join(', ')} on ${g.resource} ${g.actions.length > 1 ? 'are' : 'is'} allowed by ${g.by}`,
  );
}

/** Probes the lab got wrong, as one sentence for an `error` outcome; undefined when all are sound. */
export function probeProblems(results: readonly ProbeResult[]): string | undefined {
  const problems = results.flatMap((r) => (r.problem ? [r.problem] : []));
  return problems.length
    ? `the lab's permission probes cannot be evaluated: ${[...new Set(problems)].join('; ')}`
    : undefined;
}

/** `a, b and c` */
function and(items: string[]): string {
  return items.length <= 1
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * Why probes that must be allowed are not, one sentence per cause: actions that no statement
 * names, on the same resource, are said together.
 */
export function deniedSummary(results: readonly ProbeResult[]): string[] {
  const out: string[] = [];
  const groups = new Map<string, ProbeResult[]>();
  for (const r of results) {
    if (r.allowed) continue;
    if (!r.ungranted) {
      out.push(r.explanation);
      continue;
    }
    const key = [r.resource, r.ungranted.policies, r.ungranted.nearest ?? ''].join('\u0000');
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  for (const group of groups.values()) {
    const first = group[0]!;
    if (group.length === 1) {
      out.push(first.explanation);
      continue;
    }
    const nearest = first.ungranted?.nearest ? `; ${first.ungranted.nearest}` : '';
    out.push(
      `${and(group.map((r) => r.action))} on ${first.resource} are not allowed: no statement in the role's policies (${first.ungranted?.policies}) grants them${nearest}`,
    );
  }
  return out;
}

/** Access the role must not have, grouped by the statement that grants it. */
export function leakSummary(results: readonly ProbeResult[]): string[] {
  const groups = new Map<string, ProbeResult[]>();
  for (const r of results) {
    if (!r.allowed) continue;
    const key = r.allowedBy ?? r.explanation;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.entries()].map(([by, group]) =>
    group.length === 1 || !group[0]?.allowedBy
      ? group.map((r) => `${r.explanation}, but the role must not have it`).join('; ')
      : `${by} allows ${and(group.map((r) => `${r.action} on ${r.resource}`))}, which the role must not have`,
  );
}
