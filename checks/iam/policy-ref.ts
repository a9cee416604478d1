import type { ManagedPolicy } from './role-policies.js';

/** Whether a managed policy is the one a lab names, by name (AmazonS3FullAccess) or ARN. */
export function policyMatches(policy: ManagedPolicy, ref: string): boolean {
  return ref.startsWith('arn:') ? policy.arn === ref : policy.name === ref;
}
