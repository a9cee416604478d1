/**
 * Authorization of a call like AWS: the account root may do anything; an assumed role is
 * evaluated against its managed and inline policies (and the resource policy, e.g. a bucket
 * policy) by the shared evaluator in src/iam, and refused with AWS's wording.
 */
import { denialMessage, evaluateRequest, type Evaluation } from '../../iam/index.js';
import { findRole, rolePolicies } from '../services/iam-state.js';
import {
  AwsError,
  type Caller,
  type PolicyDocument,
  type ServiceName,
  type StateStore,
} from '../types.js';

/** Condition keys AWS sets from the caller; the sandbox behaves as if reached over TLS. */
export function callerContext(caller: Caller): Record<string, string> {
  const context: Record<string, string> = {
    'aws:PrincipalAccount': caller.accountId,
    'aws:SecureTransport': 'true',
    'aws:userid': caller.principalId,
  };
  if (caller.kind === 'assumed-role') {
    context['aws:PrincipalArn'] = caller.roleArn;
    context['aws:PrincipalType'] = 'AssumedRole';
  } else {
    context['aws:PrincipalArn'] = caller.arn;
    context['aws:PrincipalType'] = 'Account';
  }
  return context;
}

export async function evaluateCaller(
  store: StateStore,
  caller: Caller,
  action: string,
  resourceArn: string,
  options: {
    resourcePolicy?: PolicyDocument | object;
    context?: Record<string, string | string[]>;
  } = {},
): Promise<Evaluation> {
  const role = caller.kind === 'assumed-role' ? findRole(store, caller.roleName) : undefined;
  // A role deleted after its session began keeps the session, but no policy grants anything.
  const identityPolicies =
    role && role.Arn === (caller as { roleArn?: string }).roleArn ? rolePolicies(store, role) : [];
  return evaluateRequest({
    principalArn: caller.arn,
    accountId: caller.accountId,
    identityPolicies,
    resourcePolicy: options.resourcePolicy,
    action,
    resource: resourceArn,
    context: { ...callerContext(caller), ...options.context },
    isRoot: caller.kind === 'root',
  });
}

/** The error AWS returns for a denial, in the calling service's dialect. */
export function accessDenied(service: ServiceName, message: string): AwsError {
  switch (service) {
    case 'iam':
    case 'sts':
      return new AwsError('AccessDenied', message, 403);
    case 's3':
      return new AwsError('AccessDenied', message, 403);
    default:
      return new AwsError('AccessDeniedException', message, 400);
  }
}

export async function authorizeCaller(
  store: StateStore,
  service: ServiceName,
  caller: Caller,
  action: string,
  resourceArn: string,
  options: { resourcePolicy?: PolicyDocument; context?: Record<string, string | string[]> } = {},
): Promise<void> {
  if (caller.kind === 'root') return;
  const evaluation = await evaluateCaller(store, caller, action, resourceArn, options);
  if (evaluation.decision === 'allowed') return;
  throw accessDenied(
    service,
    denialMessage({
      principalArn: caller.arn,
      action,
      resource: resourceArn,
      reason: evaluation.denyReason ?? 'no identity-based policy allows',
      quoteResource: service === 's3',
    }),
  );
}
