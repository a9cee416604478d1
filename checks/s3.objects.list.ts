import * as z from 'zod';
import { defineCheckSpec, type CheckType } from './define.js';
import { missingRole } from './iam/missing-role.js';
import { loadEvaluator } from './iam/probe.js';
import { forgetBucketPolicy, forgetRole, loadRole } from './iam/role-policies.js';
import { runProbes } from './iam/role-probes.js';
import { isAwsError } from './support/aws-error.js';
import { errored, failed, passed, trimList } from './support/outcome.js';
import { callTarget, onTarget } from './support/target.js';
import { bucketName, roleName } from './fragments.js';

export const s3ObjectsList = defineCheckSpec({
  type: 's3.objects.list',
  summary:
    'Listing the bucket works (as the role, when given: its effective permissions must allow s3:ListBucket) and finds the expected objects.',
  docs: {
    judges:
      "Lists the bucket under `prefix` and expects at least `minObjects` objects and each of `keys`. With `asRole`, it first evaluates whether the role's policies allow s3:ListBucket on the bucket, and fails, naming the statement, when they do not: the lesson's classic mistake of granting object actions only.",
    calls: [
      's3:ListObjectsV2',
      'iam:GetRole',
      'iam:ListAttachedRolePolicies',
      'iam:ListRolePolicies',
      'iam:GetRolePolicy',
      'iam:GetPolicy',
      'iam:GetPolicyVersion',
    ],
    example: { bucket: '${bucket}', asRole: '${roleName}', minObjects: 1 },
  },
  with: z.strictObject({
    bucket: bucketName,
    prefix: z.string().default(''),
    asRole: roleName.optional().describe('List as this role would: its policies must allow it'),
    minObjects: z.number().int().min(0).default(1).describe('At least this many objects'),
    keys: z.array(z.string()).default([]).describe('Keys that must be among the objects'),
  }),
});

interface ListObjectsOutput {
  Contents?: { Key?: string; Size?: number }[];
  IsTruncated?: boolean;
  NextContinuationToken?: string;
}

/** Enough pages to judge the lab's expectations, never the whole of a large bucket. */
const MAX_PAGES = 10;

export const s3ObjectsListCheck: CheckType<typeof s3ObjectsList.with> = onTarget({
  ...s3ObjectsList,
  async run(input, ctx) {
    const where = input.prefix ? `s3://${input.bucket}/${input.prefix}` : `s3://${input.bucket}`;
    let asRole: string | undefined;
    if (input.asRole) {
      void loadEvaluator();
      const role = await loadRole(ctx, input.asRole);
      if (!role) return missingRole(ctx, input.asRole);
      const [probe] = await runProbes(ctx, role, [
        {
          action: 's3:ListBucket',
          resource: `arn:${ctx.target.partition}:s3:::${input.bucket}`,
          ...(input.prefix ? { context: { 's3:prefix': input.prefix } } : {}),
        },
      ]);
      if (probe?.problem) return errored(`cannot judge listing as ${role.name}: ${probe.problem}`);
      if (probe && !probe.allowed) {
        forgetRole(ctx, input.asRole);
        forgetBucketPolicy(ctx, input.bucket);
        return failed(`${role.name} cannot list ${where}: ${probe.explanation}`, {
          bucket: input.bucket,
          role: role.name,
          decision: probe.decision,
        });
      }
      asRole = probe?.explanation;
    }
    const keys: string[] = [];
    // Keys outside the prefix that the target listed anyway: not what the lab asked about.
    let outside = 0;
    let token: string | undefined;
    let pages = 0;
    try {
      do {
        const page = await callTarget<ListObjectsOutput>(ctx, 's3', 'ListObjectsV2', {
          Bucket: input.bucket,
          ...(input.prefix ? { Prefix: input.prefix } : {}),
          ...(token ? { ContinuationToken: token } : {}),
        });
        for (const key of (page.Contents ?? []).map((o) => o.Key ?? '')) {
          if (key.startsWith(input.prefix)) keys.push(key);
          else outside++;
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
        pages++;
      } while (token && pages < MAX_PAGES);
    } catch (error) {
      if (isAwsError(error, 'NoSuchBucket')) {
        return failed(`no bucket named ${input.bucket}`, { bucket: input.bucket });
      }
      throw error;
    }
    const evidence = {
      bucket: input.bucket,
      prefix: input.prefix,
      objects: keys.length,
      keys: trimList(keys),
      ...(asRole ? { asRole: input.asRole } : {}),
      ...(outside ? { outsidePrefix: outside } : {}),
    };
    const missing = input.keys.filter((k) => !keys.includes(k));
    if (missing.length > 0) {
      return failed(
        `${where} lacks ${missing.join(', ')} (found ${keys.length} object(s)${keys.length ? `: ${keys.slice(0, 5).join(', ')}` : ''})`,
        evidence,
      );
    }
    if (keys.length < input.minObjects) {
      return failed(
        `${where} holds ${keys.length} object(s); at least ${input.minObjects} expected: upload the lab data first`,
        evidence,
      );
    }
    const listed = `${where} lists ${keys.length}${token ? '+' : ''} object(s)`;
    return passed(asRole ? `${listed}; ${asRole}` : listed, evidence);
  },
});
