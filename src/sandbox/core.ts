/**
 * The sandbox core: state, identities and credentials, authorization, CloudTrail, and the one
 * dispatch path every call takes, whether it came over the wire or from core.invoke.
 */
import { evaluateRequest } from '../iam/index.js';
import { authorizeCaller } from './auth/authorize.js';
import type { KnownKey } from './auth/sigv4.js';
import * as ids from './ids.js';
import { ServiceRegistry } from './registry.js';
import { findRole, parsedPolicy, roleNameFromArn, type RoleRecord } from './services/iam-state.js';
import type { FileStateStore } from './store.js';
import type { EventLog } from './trail.js';
import {
  AwsError,
  SANDBOX_ACCOUNT,
  SANDBOX_REGION,
  type Caller,
  type PolicyDocument,
  type RequestContext,
  type SandboxCore,
  type SandboxTiming,
  type ServiceName,
} from './types.js';

export const ROOT_ARN = `arn:aws:iam::${SANDBOX_ACCOUNT}:root`;

export const DEFAULT_TIMING: SandboxTiming = { notebookTransitionMs: 3000, trainingJobMs: 15000 };

/** Temporary credentials issued by AssumeRole, as kept in the `sts` store. */
export interface IssuedKey {
  secretAccessKey: string;
  sessionToken: string;
  expiration: string;
  roleArn: string;
  roleName: string;
  roleId: string;
  sessionName: string;
  invokedBy?: string;
}

interface StsState {
  keys: Record<string, IssuedKey>;
}

export interface IssuedCredentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: Date;
  caller: Caller & { kind: 'assumed-role' };
}

export function rootCaller(accessKeyId = 'test'): Caller {
  return {
    kind: 'root',
    accountId: SANDBOX_ACCOUNT,
    arn: ROOT_ARN,
    principalId: SANDBOX_ACCOUNT,
    accessKeyId,
  };
}

export class Core implements SandboxCore {
  readonly registry = new ServiceRegistry();

  constructor(
    readonly store: FileStateStore,
    readonly timing: SandboxTiming,
    readonly events: EventLog,
    private readonly log: (message: string) => void,
  ) {}

  private sts(): StsState {
    return this.store.get<StsState>('sts', () => ({ keys: {} }));
  }

  /**
   * Who an access key is. Issued (ASIA) keys carry their secret and expiry; an unknown ASIA key
   * is refused. Any other key (`test`, or an AKIA key left in a student's environment) is the
   * account root with any secret, LocalStack's convention, so existing setups keep working.
   */
  resolveKey(accessKeyId: string): KnownKey | undefined {
    const issued = this.sts().keys[accessKeyId];
    if (issued) {
      return {
        caller: this.sessionCaller(accessKeyId, issued),
        secretAccessKey: issued.secretAccessKey,
        sessionToken: issued.sessionToken,
        expiration: new Date(issued.expiration),
      };
    }
    if (accessKeyId.startsWith('ASIA')) return undefined;
    return { caller: rootCaller(accessKeyId) };
  }

  private sessionCaller(accessKeyId: string, key: IssuedKey): Caller & { kind: 'assumed-role' } {
    const caller: Caller & { kind: 'assumed-role' } = {
      kind: 'assumed-role',
      accountId: SANDBOX_ACCOUNT,
      arn: `arn:aws:sts::${SANDBOX_ACCOUNT}:assumed-role/${key.roleName}/${key.sessionName}`,
      principalId: `${key.roleId}:${key.sessionName}`,
      accessKeyId,
      roleName: key.roleName,
      roleArn: key.roleArn,
      sessionName: key.sessionName,
    };
    if (key.invokedBy) caller.invokedBy = key.invokedBy;
    return caller;
  }

  /** Real temporary credentials for a role session. */
  issueCredentials(
    role: RoleRecord,
    sessionName: string,
    durationSeconds: number,
    invokedBy?: string,
  ): IssuedCredentials {
    const keys = this.sts().keys;
    const now = Date.now();
    for (const [id, key] of Object.entries(keys)) {
      if (Date.parse(key.expiration) < now) delete keys[id];
    }
    const accessKeyId = ids.temporaryAccessKeyId();
    const expiration = new Date(now + durationSeconds * 1000);
    const record: IssuedKey = {
      secretAccessKey: ids.secretAccessKey(),
      sessionToken: ids.sessionToken(),
      expiration: expiration.toISOString(),
      roleArn: role.Arn,
      roleName: role.RoleName,
      roleId: role.RoleId,
      sessionName,
    };
    if (invokedBy) record.invokedBy = invokedBy;
    keys[accessKeyId] = record;
    this.store.changed();
    return {
      AccessKeyId: accessKeyId,
      SecretAccessKey: record.secretAccessKey,
      SessionToken: record.sessionToken,
      Expiration: expiration,
      caller: this.sessionCaller(accessKeyId, record),
    };
  }

  /** Whether a role's trust policy lets `principal` (caller ARN or service) assume it. */
  async trustAllows(role: RoleRecord, principal: Caller | string): Promise<boolean> {
    const trust = parsedPolicy(role.AssumeRolePolicyDocument);
    if (typeof principal === 'string') {
      const evaluation = await evaluateRequest({
        principalArn: principal,
        accountId: SANDBOX_ACCOUNT,
        identityPolicies: [],
        resourcePolicy: trust,
        action: 'sts:AssumeRole',
        resource: role.Arn,
      });
      return evaluation.decision === 'allowed';
    }
    try {
      await authorizeCaller(this.store, 'sts', principal, 'sts:AssumeRole', role.Arn, {
        resourcePolicy: trust as PolicyDocument,
      });
    } catch {
      return false;
    }
    if (principal.kind !== 'root') return true;
    // The root passes every identity check, so the trust policy alone must name the account.
    const evaluation = await evaluateRequest({
      principalArn: principal.arn,
      accountId: SANDBOX_ACCOUNT,
      identityPolicies: [],
      resourcePolicy: trust,
      action: 'sts:AssumeRole',
      resource: role.Arn,
      isRoot: true,
    });
    return evaluation.decision === 'allowed';
  }

  async authorize(
    ctx: RequestContext,
    action: string,
    resourceArn: string,
    options?: { resourcePolicy?: PolicyDocument; context?: Record<string, string | string[]> },
  ): Promise<void> {
    await authorizeCaller(this.store, ctx.service, ctx.caller, action, resourceArn, options);
  }

  async assumeRoleAsService(
    servicePrincipal: string,
    roleArn: string,
    sessionName: string,
  ): Promise<Caller> {
    const requestId = ids.requestId();
    const event = {
      eventVersion: '1.08',
      userIdentity: { type: 'AWSService', invokedBy: servicePrincipal },
      eventTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      eventSource: 'sts.amazonaws.com',
      eventName: 'AssumeRole',
      awsRegion: SANDBOX_REGION,
      sourceIPAddress: servicePrincipal,
      userAgent: servicePrincipal,
      requestParameters: { roleArn, roleSessionName: sessionName } as Record<string, unknown>,
      responseElements: null as Record<string, unknown> | null,
      requestID: requestId,
      eventID: ids.requestId(),
      readOnly: true,
      resources: [{ accountId: SANDBOX_ACCOUNT, type: 'AWS::IAM::Role', ARN: roleArn }],
      eventType: 'AwsApiCall' as const,
      managementEvent: true,
      recipientAccountId: SANDBOX_ACCOUNT,
      eventCategory: 'Management' as const,
    };
    const name = roleNameFromArn(roleArn);
    const role = name ? findRole(this.store, name) : undefined;
    let failure: AwsError | undefined;
    if (!role || role.Arn !== roleArn) {
      failure = new AwsError(
        'NoSuchEntity',
        `The role with name ${name ?? roleArn} cannot be found.`,
        404,
      );
    } else if (!(await this.trustAllows(role, servicePrincipal))) {
      failure = new AwsError(
        'AccessDenied',
        `${servicePrincipal} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
        403,
      );
    }
    if (failure || !role) {
      const err = failure as AwsError;
      this.events.append({ ...event, errorCode: err.code, errorMessage: err.message });
      throw err;
    }
    const credentials = this.issueCredentials(role, sessionName, 3600, servicePrincipal);
    event.responseElements = {
      credentials: {
        accessKeyId: credentials.AccessKeyId,
        sessionToken: credentials.SessionToken,
        expiration: credentials.Expiration.toUTCString(),
      },
      assumedRoleUser: {
        assumedRoleId: credentials.caller.principalId,
        arn: credentials.caller.arn,
      },
    };
    this.events.append(event);
    return credentials.caller;
  }

  async invoke(
    service: ServiceName,
    operation: string,
    input: Record<string, unknown>,
    caller: Caller,
  ): Promise<unknown> {
    const origin =
      caller.kind === 'assumed-role' && caller.invokedBy ? caller.invokedBy : 'AWS Internal';
    return this.dispatch(
      {
        service,
        operation,
        region: SANDBOX_REGION,
        requestId: ids.requestId(),
        caller,
        sourceIp: origin,
        userAgent: origin,
      },
      input,
    );
  }

  /** Runs an operation's handler and records the call in CloudTrail, failed or not. */
  async dispatch(ctx: RequestContext, input: Record<string, unknown>): Promise<unknown> {
    const registered = this.registry.get(ctx.service);
    const handler = registered?.handler.operations[ctx.operation];
    if (!registered || !handler) throw notImplemented(ctx.service, ctx.operation);
    try {
      const output = await handler(input, ctx);
      this.events.record(ctx, input, {
        details: registered.handler.describeEvent?.(ctx.operation, input, output),
      });
      return output;
    } catch (error) {
      const err =
        error instanceof AwsError
          ? error
          : internalFailure(error, (m) => this.log(`${ctx.service}:${ctx.operation} failed: ${m}`));
      this.events.record(ctx, input, { error: { code: err.code, message: err.message } });
      throw err;
    }
  }

  /** Forgets all state and history. */
  reset(): void {
    this.store.reset();
    this.events.clear();
  }
}

/** An operation the model knows but the sandbox does not serve, in the protocol's own terms. */
function notImplemented(service: ServiceName, operation: string): AwsError {
  if (service === 'iam' || service === 'sts') {
    return new AwsError('InvalidAction', `Could not find operation ${operation} for this version`);
  }
  if (service === 's3') {
    return new AwsError(
      'NotImplemented',
      'A header you provided implies functionality that is not implemented',
      501,
    );
  }
  return new AwsError('UnknownOperationException', `Unknown operation ${operation}`);
}

export function internalFailure(error: unknown, log: (message: string) => void): AwsError {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return new AwsError(
    'InternalFailure',
    'The request processing has failed because of an unknown error, exception or failure.',
    500,
    false,
  );
}

/** The core's own services (STS, CloudTrail) need more than the SandboxCore contract offers. */
export function internalCore(core: SandboxCore): Core {
  if (!(core instanceof Core)) throw new Error('this service needs the sandbox core itself');
  return core;
}
