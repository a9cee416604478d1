/**
 * A role and every policy that shapes what it may do, read once per check pass: several checks
 * ask about the same role, and each read is four or more IAM calls. The memo hangs off the
 * CheckContext, so it lives exactly as long as the engine's context; a check whose verdict is
 * "failed" drops the entry (forgetRole) so that a retry reads the student's latest change.
 */
import type { CheckContext } from '../define.js';
import { isAwsError } from '../support/aws-error.js';
import { callTarget } from '../support/target.js';
import { parsePolicyDocument, type PolicyDocument } from './policy-document.js';
import { roleNameOf } from './role-ref.js';

export interface ManagedPolicy {
  kind: 'managed';
  name: string;
  arn: string;
  /** AWS managed (arn:aws:iam::aws:policy/...) rather than the student's own. */
  awsManaged: boolean;
  versionId?: string;
  document: PolicyDocument;
}

export interface InlinePolicy {
  kind: 'inline';
  name: string;
  document: PolicyDocument;
}

export type RolePolicy = ManagedPolicy | InlinePolicy;

export interface RoleSnapshot {
  name: string;
  arn: string;
  /** The role's unique id (AROA...), for aws:userid; a role a template describes has none. */
  id?: string;
  path: string;
  /** The trust policy (AssumeRolePolicyDocument). */
  trustPolicy: PolicyDocument;
  managed: ManagedPolicy[];
  inline: InlinePolicy[];
}

interface GetRoleOutput {
  Role?: {
    RoleName?: string;
    RoleId?: string;
    Arn?: string;
    Path?: string;
    AssumeRolePolicyDocument?: string;
  };
}
interface ListAttachedOutput {
  AttachedPolicies?: { PolicyName?: string; PolicyArn?: string }[];
  IsTruncated?: boolean;
  Marker?: string;
}
interface ListInlineOutput {
  PolicyNames?: string[];
  IsTruncated?: boolean;
  Marker?: string;
}

const roles = new WeakMap<CheckContext, Map<string, Promise<RoleSnapshot | undefined>>>();
const bucketPolicies = new WeakMap<
  CheckContext,
  Map<string, Promise<PolicyDocument | undefined>>
>();
const keyPolicies = new WeakMap<CheckContext, Map<string, Promise<PolicyDocument | undefined>>>();

function memo<T>(
  store: WeakMap<CheckContext, Map<string, Promise<T>>>,
  ctx: CheckContext,
  key: string,
  load: () => Promise<T>,
): Promise<T> {
  let entries = store.get(ctx);
  if (!entries) {
    entries = new Map();
    store.set(ctx, entries);
  }
  let entry = entries.get(key);
  if (!entry) {
    entry = load();
    entries.set(key, entry);
    // A failed read (throttling, a network blip) must not stick for the rest of the pass.
    entry.catch(() => entries.delete(key));
  }
  return entry;
}

/** The role with its trust policy and all its policies' documents; undefined when there is no such role. */
export function loadRole(ctx: CheckContext, ref: string): Promise<RoleSnapshot | undefined> {
  const name = roleNameOf(ref);
  const entry = memo(roles, ctx, name, () => readRole(ctx, name));
  // "No such role" is not kept: the student may be creating it while the engine polls.
  entry.then(
    (role) => {
      if (!role && roles.get(ctx)?.get(name) === entry) roles.get(ctx)?.delete(name);
    },
    () => undefined,
  );
  return entry;
}

/** Drops the memo for a role, so the next check (or retry) reads it afresh. */
export function forgetRole(ctx: CheckContext, ref: string): void {
  roles.get(ctx)?.delete(roleNameOf(ref));
}

/** A bucket's policy; undefined when the bucket has none (NoSuchBucketPolicy) or does not exist. */
export function loadBucketPolicy(
  ctx: CheckContext,
  bucket: string,
): Promise<PolicyDocument | undefined> {
  return memo(bucketPolicies, ctx, bucket, async () => {
    try {
      const out = await callTarget<{ Policy?: string }>(ctx, 's3', 'GetBucketPolicy', {
        Bucket: bucket,
      });
      return out.Policy ? parsePolicyDocument(out.Policy) : undefined;
    } catch (error) {
      if (isAwsError(error, 'NoSuchBucketPolicy', 'NoSuchBucket')) return undefined;
      throw error;
    }
  });
}

export function forgetBucketPolicy(ctx: CheckContext, bucket: string): void {
  bucketPolicies.get(ctx)?.delete(bucket);
}

/**
 * A KMS key's policy (its only one, "default"); undefined when there is no such key. KMS asks it
 * before IAM: the role's own grant counts only when the key policy lets the account decide.
 */
export function loadKeyPolicy(
  ctx: CheckContext,
  keyArn: string,
): Promise<PolicyDocument | undefined> {
  return memo(keyPolicies, ctx, keyArn, async () => {
    try {
      const out = await callTarget<{ Policy?: string }>(ctx, 'kms', 'GetKeyPolicy', {
        KeyId: keyArn,
        PolicyName: 'default',
      });
      return out.Policy ? parsePolicyDocument(out.Policy) : undefined;
    } catch (error) {
      if (isAwsError(error, 'NotFoundException')) return undefined;
      throw error;
    }
  });
}

export function forgetKeyPolicy(ctx: CheckContext, keyArn: string): void {
  keyPolicies.get(ctx)?.delete(keyArn);
}

/** Every policy of the role, managed first, in the order IAM lists them. */
export function rolePolicies(role: RoleSnapshot): RolePolicy[] {
  return [...role.managed, ...role.inline];
}

/** How a policy is named to the student: `AmazonS3FullAccess`, or `inline policy S3Access`. */
export function policyLabel(policy: RolePolicy): string {
  return policy.kind === 'managed' ? policy.name : `inline policy ${policy.name}`;
}

async function readRole(ctx: CheckContext, name: string): Promise<RoleSnapshot | undefined> {
  let role: GetRoleOutput['Role'];
  try {
    role = (await callTarget<GetRoleOutput>(ctx, 'iam', 'GetRole', { RoleName: name })).Role;
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntity')) return undefined;
    throw error;
  }
  if (!role) return undefined;
  // Another role's answer is not this role's (IAM names are unique regardless of case).
  if (role.RoleName !== undefined && role.RoleName.toLowerCase() !== name.toLowerCase()) {
    return undefined;
  }
  const [managed, inline] = await Promise.all([
    readManagedPolicies(ctx, name),
    readInlinePolicies(ctx, name),
  ]);
  return {
    name: role.RoleName ?? name,
    arn: role.Arn ?? `arn:${ctx.target.partition}:iam::${ctx.target.account}:role/${name}`,
    ...(role.RoleId ? { id: role.RoleId } : {}),
    path: role.Path ?? '/',
    trustPolicy: parsePolicyDocument(role.AssumeRolePolicyDocument ?? '{}'),
    managed,
    inline,
  };
}

async function readManagedPolicies(ctx: CheckContext, roleName: string): Promise<ManagedPolicy[]> {
  const attached: { PolicyName?: string; PolicyArn?: string }[] = [];
  let marker: string | undefined;
  do {
    const page = await callTarget<ListAttachedOutput>(ctx, 'iam', 'ListAttachedRolePolicies', {
      RoleName: roleName,
      ...(marker ? { Marker: marker } : {}),
    });
    attached.push(...(page.AttachedPolicies ?? []));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return Promise.all(
    attached.map(async (p) => {
      const arn = p.PolicyArn ?? '';
      const { versionId, document } = await readPolicyDocument(ctx, arn);
      return {
        kind: 'managed' as const,
        name: p.PolicyName ?? arn.split('/').pop() ?? arn,
        arn,
        awsManaged: /^arn:[^:]+:iam::aws:policy\//.test(arn),
        ...(versionId ? { versionId } : {}),
        document,
      };
    }),
  );
}

async function readPolicyDocument(
  ctx: CheckContext,
  arn: string,
): Promise<{ versionId?: string; document: PolicyDocument }> {
  const policy = await callTarget<{ Policy?: { DefaultVersionId?: string } }>(
    ctx,
    'iam',
    'GetPolicy',
    { PolicyArn: arn },
  );
  const versionId = policy.Policy?.DefaultVersionId ?? 'v1';
  const version = await callTarget<{ PolicyVersion?: { Document?: string } }>(
    ctx,
    'iam',
    'GetPolicyVersion',
    { PolicyArn: arn, VersionId: versionId },
  );
  return { versionId, document: parsePolicyDocument(version.PolicyVersion?.Document ?? '{}') };
}

async function readInlinePolicies(ctx: CheckContext, roleName: string): Promise<InlinePolicy[]> {
  const names: string[] = [];
  let marker: string | undefined;
  do {
    const page = await callTarget<ListInlineOutput>(ctx, 'iam', 'ListRolePolicies', {
      RoleName: roleName,
      ...(marker ? { Marker: marker } : {}),
    });
    names.push(...(page.PolicyNames ?? []));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return Promise.all(
    names.map(async (policyName) => {
      const out = await callTarget<{ PolicyDocument?: string }>(ctx, 'iam', 'GetRolePolicy', {
        RoleName: roleName,
        PolicyName: policyName,
      });
      return {
        kind: 'inline' as const,
        name: policyName,
        document: parsePolicyDocument(out.PolicyDocument ?? '{}'),
      };
    }),
  );
}
