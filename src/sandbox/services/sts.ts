/**
 * STS: GetCallerIdentity and AssumeRole. AssumeRole honours the role's trust policy (evaluated
 * like AWS, the caller's own policies included) and issues real temporary credentials that
 * the sandbox then verifies and authorizes. Signed with a service key (service-keys.ts), it is
 * the service assuming the role: the trust policy must allow that service.
 */
import { internalCore, type IssuedCredentials, type IssuedKey } from '../core.js';
import { dict } from '../dict.js';
import { AwsError, type ServiceHandler, type SandboxCore } from '../types.js';
import { findRole, roleNameFromArn } from './iam-state.js';
import { servicePrincipalOf } from './service-keys.js';
import { constraint, validationError } from './errors.js';

const SESSION_NAME = /^[\w+=,.@-]*$/;
/** Role chaining (a role session assuming a role) is capped at one hour, as on AWS. */
const CHAINED_MAX_SECONDS = 3600;

export function stsService(sandboxCore: SandboxCore): ServiceHandler {
  const core = internalCore(sandboxCore);
  // The core finds issued keys in this store by the access key id a request names (`constructor`
  // included): created here before any request, the table has no prototype to answer from.
  core.store.get('sts', () => ({ keys: dict<IssuedKey>() }));

  return {
    name: 'sts',
    operations: {
      GetCallerIdentity(_input, ctx) {
        return {
          UserId: ctx.caller.principalId,
          Account: ctx.caller.accountId,
          Arn: ctx.caller.arn,
        };
      },

      async AssumeRole(input, ctx) {
        const roleArn = String(input.RoleArn ?? '');
        const sessionName = String(input.RoleSessionName ?? '');
        if (sessionName.length < 2 || sessionName.length > 64) {
          throw validationError(
            'roleSessionName',
            sessionName,
            constraint.lengthInRange(sessionName.length, 2, 64),
            'ValidationError',
          );
        }
        if (!SESSION_NAME.test(sessionName)) {
          throw validationError(
            'roleSessionName',
            sessionName,
            constraint.pattern('[\\w+=,.@-]*'),
            'ValidationError',
          );
        }
        // labwright's service key: the service assumes the role (services/service-keys.ts).
        const service = servicePrincipalOf(ctx.caller.accessKeyId);
        if (service) {
          const session = await core.serviceSession(service, roleArn, sessionName, 3600);
          return assumeRoleOutput(session);
        }
        const denied = new AwsError(
          'AccessDenied',
          `User: ${ctx.caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
          403,
        );
        // AWS does not reveal whether a role exists: a missing role is a plain denial.
        const name = roleNameFromArn(roleArn);
        const role = name ? findRole(core.store, name) : undefined;
        if (!role || role.Arn !== roleArn) throw denied;
        if (!(await core.trustAllows(role, ctx.caller))) throw denied;

        const duration = typeof input.DurationSeconds === 'number' ? input.DurationSeconds : 3600;
        if (duration < 900) {
          throw validationError(
            'durationSeconds',
            duration,
            constraint.atLeast(900),
            'ValidationError',
          );
        }
        if (ctx.caller.kind === 'assumed-role' && duration > CHAINED_MAX_SECONDS) {
          throw new AwsError(
            'ValidationError',
            'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
          );
        }
        if (duration > role.MaxSessionDuration) {
          throw new AwsError(
            'ValidationError',
            'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
          );
        }
        return assumeRoleOutput(core.issueCredentials(role, sessionName, duration));
      },
    },

    describeEvent(operation, input, output) {
      if (operation !== 'AssumeRole') return {};
      const roleArn = String(input.RoleArn ?? '');
      const out = output as
        | {
            Credentials: { AccessKeyId: string; SessionToken: string; Expiration: Date };
            AssumedRoleUser: object;
          }
        | undefined;
      return {
        readOnly: true,
        resources: [{ ARN: roleArn, ResourceType: 'AWS::IAM::Role' }],
        requestParameters: {
          roleArn,
          roleSessionName: input.RoleSessionName,
          ...(input.DurationSeconds !== undefined
            ? { durationSeconds: input.DurationSeconds }
            : {}),
        },
        responseElements: out
          ? {
              credentials: {
                accessKeyId: out.Credentials.AccessKeyId,
                sessionToken: out.Credentials.SessionToken,
                expiration: out.Credentials.Expiration.toUTCString(),
              },
              assumedRoleUser: {
                assumedRoleId: (out.AssumedRoleUser as { AssumedRoleId: string }).AssumedRoleId,
                arn: (out.AssumedRoleUser as { Arn: string }).Arn,
              },
            }
          : null,
      };
    },
  };
}

function assumeRoleOutput(credentials: IssuedCredentials) {
  return {
    Credentials: {
      AccessKeyId: credentials.AccessKeyId,
      SecretAccessKey: credentials.SecretAccessKey,
      SessionToken: credentials.SessionToken,
      Expiration: credentials.Expiration,
    },
    AssumedRoleUser: {
      AssumedRoleId: credentials.caller.principalId,
      Arn: credentials.caller.arn,
    },
  };
}
