/**
 * Block Public Access (bucket level) and what S3 counts as public: "The meaning of public" in the
 * S3 User Guide (access-control-block-public-access.html#access-control-block-public-access-policy-status).
 *
 * A bucket policy is public unless every Allow statement either names fixed principals (no `*`),
 * or is limited by a fixed value of one of the condition keys S3 accepts for that (a CIDR range of
 * aws:SourceIp, aws:SourceArn, aws:SourceVpc, ...), or grants none of the "bad actions" (s3:Get*,
 * s3:List*, s3:Put*, s3:Delete*, s3:AbortMultipartUpload, s3:RestoreObject). Deny statements never
 * make a policy public. A canned ACL is public when it grants AllUsers or AuthenticatedUsers.
 */
import type { OperationHandler } from '../../types.js';
import { type Input, optBoolean, optObject } from '../input.js';
import type { S3Context } from './context.js';
import { notConfigured } from './errors.js';

const PUBLIC_ACLS = new Set(['public-read', 'public-read-write', 'authenticated-read']);

export function isPublicAcl(acl: string | undefined): boolean {
  return acl !== undefined && PUBLIC_ACLS.has(acl);
}

/** Condition keys whose fixed values make an Allow non-public. */
const LIMITING_KEYS = new Set(
  [
    'aws:SourceArn',
    'aws:SourceVpc',
    'aws:SourceVpce',
    'aws:SourceOwner',
    'aws:SourceAccount',
    'aws:PrincipalAccount',
    'aws:PrincipalArn',
    'aws:PrincipalOrgID',
    's3:x-amz-server-side-encryption-aws-kms-key-id',
    's3:DataAccessPointArn',
    's3:DataAccessPointAccount',
  ].map((k) => k.toLowerCase()),
);

/** Operators that pin a key to the values they list (not the Not… or IfExists forms). */
const FIXING_OPERATORS = /^(StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike)$/;

const BAD_ACTION =
  /^(\*|s3:\*|s3:(Get|List|Put|Delete).*|s3:AbortMultipartUpload|s3:RestoreObject)$/i;

const asList = (value: unknown): unknown[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

const hasWildcard = (value: unknown) => typeof value !== 'string' || /[*?]/.test(value);

function fixedPrincipal(statement: Record<string, unknown>): boolean {
  if (statement.NotPrincipal !== undefined) return false;
  const principal = statement.Principal;
  if (principal === '*' || principal === undefined) return false;
  if (typeof principal !== 'object' || principal === null) return false;
  return Object.values(principal as Record<string, unknown>).every((v) =>
    asList(v).every((p) => !hasWildcard(p)),
  );
}

function limitedByCondition(statement: Record<string, unknown>): boolean {
  const condition = statement.Condition;
  if (!condition || typeof condition !== 'object') return false;
  for (const [operator, block] of Object.entries(condition as Record<string, unknown>)) {
    if (!block || typeof block !== 'object') continue;
    for (const [key, values] of Object.entries(block as Record<string, unknown>)) {
      const lower = key.toLowerCase();
      const list = asList(values);
      if (list.length === 0) continue;
      if (lower === 'aws:sourceip' && /^(IpAddress)$/.test(operator)) {
        if (list.every((cidr) => typeof cidr === 'string' && !/\/0$/.test(cidr))) return true;
      } else if (lower === 'aws:userid' && FIXING_OPERATORS.test(operator)) {
        if (list.every((v) => !hasWildcard(v))) return true;
      } else if (LIMITING_KEYS.has(lower) && FIXING_OPERATORS.test(operator)) {
        if (list.every((v) => !hasWildcard(v))) return true;
      }
    }
  }
  return false;
}

/** Whether S3 counts a bucket policy (JSON text) as public. */
export function isPublicPolicy(text: string | undefined): boolean {
  if (!text) return false;
  let policy: { Statement?: unknown };
  try {
    policy = JSON.parse(text) as { Statement?: unknown };
  } catch {
    return false;
  }
  return asList(policy.Statement).some((raw) => {
    if (!raw || typeof raw !== 'object') return false;
    const statement = raw as Record<string, unknown>;
    if (statement.Effect !== 'Allow') return false;
    const actions = asList(statement.Action ?? '*');
    if (statement.Action !== undefined && !actions.some((a) => BAD_ACTION.test(String(a)))) {
      return false;
    }
    return !fixedPrincipal(statement) && !limitedByCondition(statement);
  });
}

export function publicAccessHandlers(s3: S3Context): Record<string, OperationHandler> {
  return {
    async PutPublicAccessBlock(input, ctx) {
      const bucket = await s3.bucketFor(ctx, input);
      const config: Input = optObject(input, 'PublicAccessBlockConfiguration') ?? {};
      bucket.publicAccessBlock = {
        BlockPublicAcls: optBoolean(config, 'BlockPublicAcls') ?? false,
        IgnorePublicAcls: optBoolean(config, 'IgnorePublicAcls') ?? false,
        BlockPublicPolicy: optBoolean(config, 'BlockPublicPolicy') ?? false,
        RestrictPublicBuckets: optBoolean(config, 'RestrictPublicBuckets') ?? false,
      };
      s3.core.store.changed();
      return {};
    },

    async GetPublicAccessBlock(input, ctx) {
      const bucket = await s3.bucketFor(ctx, input);
      if (!bucket.publicAccessBlock) throw notConfigured.publicAccessBlock(bucket.name);
      return { PublicAccessBlockConfiguration: bucket.publicAccessBlock };
    },

    async DeletePublicAccessBlock(input, ctx) {
      const bucket = await s3.bucketFor(ctx, input);
      delete bucket.publicAccessBlock;
      s3.core.store.changed();
      return {};
    },

    async GetBucketPolicyStatus(input, ctx) {
      const bucket = await s3.bucketFor(ctx, input);
      if (!bucket.policy) throw notConfigured.policy(bucket.name);
      return { PolicyStatus: { IsPublic: isPublicPolicy(bucket.policy) } };
    },
  };
}
