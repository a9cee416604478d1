/**
 * Authorization of a call like AWS: the account root may do anything a resource policy does not
 * explicitly deny it; an assumed role is evaluated against its managed and inline policies (and
 * the resource policy, e.g. a bucket policy) by the shared evaluator in src/iam, and refused with
 * AWS's wording.
 */
import { denialMessage, evaluateRequest, type Evaluation } from '../../iam/index.js';
import { requestContext } from '../../iam/request-context.js';
import { findRole, rolePolicies, type RoleRecord } from '../services/iam-state.js';
import {
  AwsError,
  type Caller,
  type PolicyDocument,
  type ServiceName,
  type StateStore,
} from '../types.js';

/** How a call reached the sandbox: what the request context says besides the caller. */
export interface CallFacts {
  time: number;
  /** Whether the call came over TLS; the sandbox speaks HTTP and says true unless told. */
  secureTransport?: boolean;
  sourceIp?: string;
  userAgent?: string;
  region?: string;
}

/**
 * Condition keys AWS sets from the caller and the call (src/iam/request-context.ts, shared with
 * the checks).
 */
export function callerContext(
  caller: Caller,
  call: CallFacts = { time: Date.now() },
): Record<string, string> {
  return requestContext({
    principal:
      caller.kind === 'assumed-role'
        ? {
            kind: 'assumed-role',
            accountId: caller.accountId,
            roleArn: caller.roleArn,
            roleId: caller.principalId.split(':')[0],
            sessionName: caller.sessionName,
          }
        : { kind: 'root', accountId: caller.accountId, arn: caller.arn },
    ...call,
    secureTransport: call.secureTransport ?? true,
  });
}

export async function evaluateCaller(
  store: StateStore,
  caller: Caller,
  action: string,
  resourceArn: string,
  options: {
    resourcePolicy?: PolicyDocument | object;
    context?: Record<string, string | string[]>;
    call?: CallFacts;
  } = {},
): Promise<Evaluation> {
  const role = caller.kind === 'assumed-role' ? sessionRole(store, caller) : undefined;
  // A role deleted after its session began keeps the session, but no policy grants anything.
  const identityPolicies = role ? rolePolicies(store, role) : [];
  const orphaned = caller.kind === 'assumed-role' && !role;
  return evaluateRequest({
    principalArn: orphaned ? orphanedSessionArn(caller) : caller.arn,
    accountId: caller.accountId,
    identityPolicies,
    resourcePolicy: options.resourcePolicy,
    action,
    resource: resourceArn,
    context: { ...callerContext(caller, options.call), ...options.context },
    isRoot: caller.kind === 'root',
  });
}

/**
 * The role a session acts as, if it still exists. IAM ties a session to the role's unique id
 * (RoleId, the AROA... before the colon of the session's principal id), not to its name: a role
 * deleted and created again under the same name is another role, whose policies the old session
 * never gets.
 */
export function sessionRole(
  store: StateStore,
  caller: Caller & { kind: 'assumed-role' },
): RoleRecord | undefined {
  const role = findRole(store, caller.roleName);
  if (!role || role.Arn !== caller.roleArn) return undefined;
  const roleId = caller.principalId.slice(0, caller.principalId.indexOf(':'));
  return role.RoleId === roleId ? role : undefined;
}

/**
 * The principal a session of a role that is gone (deleted, or replaced by a namesake) is evaluated
 * as. Resource policies name a role by ARN, which AWS resolves to the role's RoleId, so a policy
 * naming `role/Reader` means today's Reader and never an older Reader's session; `*` and the
 * account still match it. `#` cannot occur in a role name, so no role's ARN matches this one.
 */
function orphanedSessionArn(caller: Caller & { kind: 'assumed-role' }): string {
  const roleId = caller.principalId.slice(0, caller.principalId.indexOf(':'));
  return `arn:aws:sts::${caller.accountId}:assumed-role/${caller.roleName}#${roleId}/${caller.sessionName}`;
}

/**
 * Bucket policy actions the account root keeps whatever the policy says, so that an owner can
 * never lock themselves out (S3 API reference, PutBucketPolicy: "the root principal in a bucket
 * owner's Amazon Web Services account can perform the GetBucketPolicy, PutBucketPolicy, and
 * DeleteBucketPolicy API actions, even if their bucket policy explicitly denies the root
 * principal's access"; botocore's s3 service-2.json carries the same text).
 */
const ROOT_NEVER_LOCKED_OUT = new Set([
  's3:GetBucketPolicy',
  's3:PutBucketPolicy',
  's3:DeleteBucketPolicy',
]);

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
  options: {
    resourcePolicy?: PolicyDocument;
    context?: Record<string, string | string[]>;
    call?: CallFacts;
  } = {},
): Promise<void> {
  if (caller.kind === 'root') {
    // The root needs no Allow, but an explicit Deny in a resource policy applies to it too.
    if (!options.resourcePolicy || ROOT_NEVER_LOCKED_OUT.has(action)) return;
  }
  const evaluation = await evaluateCaller(store, caller, action, resourceArn, options);
  if (evaluation.decision === 'allowed') return;
  if (caller.kind === 'root' && evaluation.decision !== 'explicitDeny') return;
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
