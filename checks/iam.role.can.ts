import * as z from 'zod';
import { defineCheckSpec, type CheckType } from './define.js';
import { missingRole } from './iam/missing-role.js';
import { loadEvaluator } from './iam/probe.js';
import { forgetBucketPolicy, forgetKeyPolicy, forgetRole, loadRole } from './iam/role-policies.js';
import {
  allowedSummary,
  bucketOf,
  deniedSummary,
  expandProbes,
  kmsKeyOf,
  leakSummary,
  probeEvidence,
  probeProblems,
  runProbes,
} from './iam/role-probes.js';
import { errored, failed, passed, sentence } from './support/outcome.js';
import { onTarget } from './support/target.js';
import { bucketName, permissionProbe, roleName } from './fragments.js';

export const iamRoleCan = defineCheckSpec({
  type: 'iam.role.can',
  summary:
    "The role's effective permissions (managed + inline policies, and the bucket policy) allow, or deny, each action on its resource; the message says which statement decided.",
  docs: {
    judges:
      'Evaluates the role\'s effective permissions as IAM does (managed and inline policies; the bucket policy of the bucket a probe names, or of `bucketPolicyOf`; a KMS key\'s key policy for a key ARN, which must let IAM decide) for each probe: every `allow` probe must be allowed and every `deny` probe denied. A failure names the statement that decided, or the nearest one that does not match and why ("grants only s3:GetObject on arn:aws:s3:::my-bucket/*"). It judges effect, not policy names: the same permissions inline or under another name pass.',
    calls: [
      'iam:GetRole',
      'iam:ListAttachedRolePolicies',
      'iam:ListRolePolicies',
      'iam:GetRolePolicy',
      'iam:GetPolicy',
      'iam:GetPolicyVersion',
      's3:GetBucketPolicy',
      'kms:GetKeyPolicy',
    ],
    example: {
      role: '${roleName}',
      allow: [{ action: ['s3:GetObject', 's3:PutObject'], resource: 'arn:aws:s3:::${bucket}/*' }],
    },
  },
  with: z
    .strictObject({
      role: roleName,
      allow: z.array(permissionProbe).default([]).describe('Each must be allowed'),
      deny: z.array(permissionProbe).default([]).describe('Each must be denied'),
      bucketPolicyOf: bucketName
        .optional()
        .describe("Also evaluate this bucket's policy, as S3 does"),
    })
    .refine((w) => w.allow.length + w.deny.length > 0, {
      message: 'give at least one probe in allow or deny',
    }),
});

export const iamRoleCanCheck: CheckType<typeof iamRoleCan.with> = onTarget({
  ...iamRoleCan,
  async run(input, ctx) {
    void loadEvaluator();
    const role = await loadRole(ctx, input.role);
    if (!role) return missingRole(ctx, input.role);
    const [allowed, denied] = await Promise.all([
      runProbes(ctx, role, expandProbes(input.allow), input.bucketPolicyOf),
      runProbes(ctx, role, expandProbes(input.deny), input.bucketPolicyOf),
    ]);
    const unsound = probeProblems([...allowed, ...denied]);
    if (unsound) return errored(unsound);
    const evidence = {
      role: role.name,
      policies: [...role.managed.map((p) => p.name), ...role.inline.map((p) => `inline:${p.name}`)],
      allow: probeEvidence(allowed),
      deny: probeEvidence(denied),
    };
    const problems = [...deniedSummary(allowed), ...leakSummary(denied)];
    if (problems.length > 0) {
      forgetRole(ctx, input.role);
      for (const r of [...allowed, ...denied]) {
        const key = kmsKeyOf(r.resource);
        const bucket = input.bucketPolicyOf ?? bucketOf(r.resource);
        if (key) forgetKeyPolicy(ctx, key);
        else if (bucket) forgetBucketPolicy(ctx, bucket);
      }
      return failed(sentence(problems), evidence);
    }
    const summary = [
      ...allowedSummary(allowed),
      ...denied.map((r) => `${r.action} on ${r.resource} stays denied`),
    ];
    return passed(sentence(summary), evidence);
  },
});
