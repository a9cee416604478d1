/**
 * Policy document validation, as IAM's MalformedPolicyDocument does it: JSON syntax, then the
 * grammar checks of @cloud-copilot/iam-policy for the policy's kind.
 */
import { createRequire } from 'node:module';
import type * as IamPolicyModule from '@cloud-copilot/iam-policy';

type IamPolicy = typeof IamPolicyModule;
let iamPolicy: IamPolicy | undefined;

/** Loaded on first use (synchronously, it ships CommonJS), so startup does not pay for it. */
function validators(): IamPolicy {
  iamPolicy ??= createRequire(import.meta.url)('@cloud-copilot/iam-policy') as IamPolicy;
  return iamPolicy;
}

export interface PolicyProblem {
  path: string;
  message: string;
}

export type PolicyKind = 'identity' | 'trust' | 'resource';

/** Problems found in a policy document (JSON text or parsed); empty when it is valid. */
export function validatePolicyDocument(
  document: string | unknown,
  kind: PolicyKind = 'identity',
): PolicyProblem[] {
  let parsed: unknown = document;
  if (typeof document === 'string') {
    try {
      parsed = JSON.parse(document);
    } catch (error) {
      return [{ path: '', message: `Syntax errors in policy. ${(error as Error).message}` }];
    }
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return [{ path: '', message: 'The policy must be a JSON object.' }];
  }
  const { validateIdentityPolicy, validateResourcePolicy, validateTrustPolicy } = validators();
  const validate =
    kind === 'trust'
      ? validateTrustPolicy
      : kind === 'resource'
        ? validateResourcePolicy
        : validateIdentityPolicy;
  return validate(parsed).map((e) => ({ path: e.path, message: e.message }));
}
