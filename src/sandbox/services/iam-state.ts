/**
 * IAM's state (roles and customer managed policies) and the lookups the core needs to
 * authorize calls: which policies apply to a role, and their documents.
 */
import { AWS_MANAGED_POLICIES } from '../data/managed-policies.js';
import { dict, lookup } from '../dict.js';
import type { StateStore } from '../types.js';

export interface TagRecord {
  Key: string;
  Value: string;
}

export interface RoleRecord {
  RoleName: string;
  RoleId: string;
  Arn: string;
  Path: string;
  CreateDate: string;
  /** The trust policy as the caller sent it (JSON text). */
  AssumeRolePolicyDocument: string;
  Description?: string;
  MaxSessionDuration: number;
  Tags: TagRecord[];
  /** Managed policy ARNs, in attachment order. */
  AttachedPolicies: string[];
  /** Inline policies: name -> JSON text. */
  InlinePolicies: Record<string, string>;
}

export interface PolicyVersionRecord {
  VersionId: string;
  Document: string;
  CreateDate: string;
}

export interface ManagedPolicyRecord {
  PolicyName: string;
  PolicyId: string;
  Arn: string;
  Path: string;
  Description?: string;
  CreateDate: string;
  UpdateDate: string;
  DefaultVersionId: string;
  Versions: PolicyVersionRecord[];
  NextVersion: number;
  Tags: TagRecord[];
}

export interface IamState {
  /** Keyed by lower-cased role name: IAM names are unique regardless of case. */
  roles: Record<string, RoleRecord>;
  /** Customer managed policies, keyed by ARN. */
  policies: Record<string, ManagedPolicyRecord>;
}

export function iamState(store: StateStore): IamState {
  return store.get<IamState>('iam', () => ({ roles: dict(), policies: dict() }));
}

export function findRole(store: StateStore, roleName: string): RoleRecord | undefined {
  return lookup(iamState(store).roles, roleName.toLowerCase());
}

/** A role's own inline policy, never a member of Object.prototype (`constructor`). */
export function inlinePolicy(role: RoleRecord, policyName: string): string | undefined {
  return lookup(role.InlinePolicies, policyName);
}

/** A customer managed policy by ARN. */
export function customerManagedPolicy(
  store: StateStore,
  arn: string,
): ManagedPolicyRecord | undefined {
  return lookup(iamState(store).policies, arn);
}

/** The role name in `arn:aws:iam::<acct>:role/<path>/<name>`. */
export function roleNameFromArn(arn: string): string | undefined {
  const m = /^arn:aws:iam::\d{12}:role\/(?:.*\/)?([^/]+)$/.exec(arn);
  return m?.[1];
}

/** The document of a managed policy's default version, customer or AWS managed. */
export function managedPolicyDocument(store: StateStore, arn: string): string | object | undefined {
  const aws = AWS_MANAGED_POLICIES.get(arn);
  if (aws) return aws.document;
  const policy = customerManagedPolicy(store, arn);
  return policy?.Versions.find((v) => v.VersionId === policy.DefaultVersionId)?.Document;
}

const parsed = new Map<string, object>();

/**
 * Parses a stored policy text once: the same text yields the same object, which is what lets
 * the evaluator's decision cache recognise unchanged policies.
 */
export function parsedPolicy(document: string | object): object {
  if (typeof document !== 'string') return document;
  let value = parsed.get(document);
  if (!value) {
    value = JSON.parse(document) as object;
    parsed.set(document, value);
    if (parsed.size > 2000) parsed.delete(parsed.keys().next().value as string);
  }
  return value;
}

/** A role's identity-based policies: attached managed policies then inline ones. */
export function rolePolicies(
  store: StateStore,
  role: RoleRecord,
): { name: string; arn?: string; document: object }[] {
  const out: { name: string; arn?: string; document: object }[] = [];
  for (const arn of role.AttachedPolicies) {
    const document = managedPolicyDocument(store, arn);
    if (document)
      out.push({
        name: arn.slice(arn.lastIndexOf('/') + 1),
        arn,
        document: parsedPolicy(document),
      });
  }
  for (const [name, document] of Object.entries(role.InlinePolicies)) {
    out.push({ name, document: parsedPolicy(document) });
  }
  return out;
}
