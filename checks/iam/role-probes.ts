/**
 * Runs a lab's permission probes against a role: each action of each probe, with the bucket
 * policy of the S3 bucket the resource names (or the one the lab names), as S3 would.
 */
import type { CheckContext } from '../define.js';
import { evaluateProbe, loadEvaluator, type Probe, type ProbeResult } from './probe.js';
import { loadBucketPolicy, type RoleSnapshot } from './role-policies.js';

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
      const bucket = bucketPolicyOf ?? bucketOf(probe.resource);
      const policy = bucket ? await loadBucketPolicy(ctx, bucket) : undefined;
      return evaluateProbe(
        role,
        probe,
        policy ? { label: `the bucket policy of ${bucket}`, document: policy } : undefined,
      );
    }),
  );
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
