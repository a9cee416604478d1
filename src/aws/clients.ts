import type { TargetInfo } from './target.js';
import {
  checkerPermissionError,
  explainTargetError,
  isPermissionError,
  TargetError,
} from './errors.js';
import { coerceInput } from './operation-schema.js';
import { s3IamAction } from '../s3-iam-actions.js';
import { silenceSdkNodeVersionWarning } from './quiet-sdk.js';
import {
  isCheckOperation,
  isServiceName,
  loadServiceModule,
  loadSlimServiceModule,
  SERVICES,
  type ServiceName,
  type ServiceModule,
} from './services.js';
import type { Target } from './target.js';

/**
 * One SDK v3 client per service, each built the first time an operation of that service is
 * called, so a command pays only for the services it touches. The check library's operations go
 * through a client of the service's slim SDK build (see loadSlimServiceModule), any other through
 * one of the whole package. `call` is the generic entry point behind actions and
 * CheckContext.call.
 */

export interface SdkClient {
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<Record<string, unknown>>;
  destroy(): void;
  config: { region: () => Promise<string> };
}

type ClientClass = new (config: Record<string, unknown>) => SdkClient;
type CommandClass = new (input: Record<string, unknown>) => unknown;

export interface CallerIdentity {
  account: string;
  arn: string;
  partition: string;
}

/**
 * How clients reach their target when not over HTTP: `requestHandler` is the SDK transport to use
 * (a sandbox of this process serving them: src/sandbox/in-process-handler.ts), and `pool` a set
 * of SDK clients shared by every AwsClients given it (built once, not once per AwsClients; they
 * are keyed by region and access key, and only the pool's owner destroys them).
 */
export interface ClientTransport {
  requestHandler?: object;
  pool?: Map<string, Promise<SdkClient>>;
}

export class AwsClients {
  /** By service, and by build: `iam` for the whole package, `iam/slim` for the slim one. */
  private readonly clients: Map<string, Promise<SdkClient>>;
  private credentials: Promise<unknown> | undefined;
  private who: Promise<CallerIdentity> | undefined;

  /**
   * `requestHandler`: the SDK transport the clients use instead of HTTP (a sandbox of this
   * process serving them directly: src/sandbox/in-process-handler.ts).
   */
  constructor(
    readonly target: Target,
    private readonly transport: ClientTransport = {},
  ) {
    if (target.kind === 'sandbox' && !target.endpoint)
      throw new Error('the sandbox target has no endpoint yet');
    this.clients = transport.pool ?? new Map();
    silenceSdkNodeVersionWarning();
  }

  /**
   * Calls `operation` of `service` with `input` (objects given for string members, such as
   * policy documents, are sent as JSON). Throws TargetError when the target itself fails, a
   * CheckerPermissionError when labwright's identity may not call it, else the SDK's error.
   */
  async call<Output = Record<string, unknown>>(
    service: string,
    operation: string,
    input: Record<string, unknown>,
    options: { signal?: AbortSignal } = {},
  ): Promise<Output> {
    if (!isServiceName(service)) {
      throw new Error(
        `labwright has no client for the AWS service "${service}" (it has ${Object.keys(SERVICES).join(', ')})`,
      );
    }
    let slim = isCheckOperation(service, operation)
      ? await loadSlimServiceModule(service)
      : undefined;
    // A slim build older than the check library's list of operations lacks the newer ones.
    if (slim && typeof slim[`${operation}Command`] !== 'function') slim = undefined;
    const module = slim ?? (await loadServiceModule(service));
    const Command = module[`${operation}Command`] as CommandClass | undefined;
    if (typeof Command !== 'function') throw new Error(`${service} has no operation ${operation}`);
    const client = await this.client(service, slim);
    try {
      const command = new Command(coerceInput(module, operation, input));
      return (await client.send(
        command,
        options.signal ? { abortSignal: options.signal } : {},
      )) as Output;
    } catch (error) {
      const problem = explainTargetError(error, this.target);
      if (problem) throw problem;
      if (isPermissionError(error)) {
        const arn = await this.who?.then((identity) => identity.arn).catch(() => undefined);
        throw checkerPermissionError(error, service, iamActionName(service, operation), arn);
      }
      throw error;
    }
  }

  /**
   * Waits with one of the SDK's waiters (`waitUntil<Waiter>`, e.g. sagemaker's
   * TrainingJobCompletedOrStopped) up to `timeoutSeconds`. Resolves when it succeeds; throws
   * the waiter's error (a TimeoutError, or the state it ended in) when it does not.
   */
  async waitFor(
    service: string,
    waiter: string,
    input: Record<string, unknown>,
    options: { timeoutSeconds: number; signal?: AbortSignal },
  ): Promise<Record<string, unknown>> {
    if (!isServiceName(service)) {
      throw new Error(
        `labwright has no client for the AWS service "${service}" (it has ${Object.keys(SERVICES).join(', ')})`,
      );
    }
    const module = await loadServiceModule(service);
    const wait = module[`waitUntil${waiter}`] as
      | ((
          params: Record<string, unknown>,
          input: Record<string, unknown>,
        ) => Promise<{ state: string; reason?: unknown }>)
      | undefined;
    if (typeof wait !== 'function') throw new Error(`${service} has no waiter ${waiter}`);
    const client = await this.client(service, undefined);
    let result: { state: string; reason?: unknown };
    try {
      result = await wait(
        {
          client,
          maxWaitTime: options.timeoutSeconds,
          minDelay: 1,
          maxDelay: Math.min(30, Math.max(1, options.timeoutSeconds)),
          ...(options.signal ? { abortSignal: options.signal } : {}),
        },
        input,
      );
    } catch (error) {
      throw new Error(waiterFailure(waiter, error));
    }
    const reason = result.reason;
    return reason && typeof reason === 'object' ? (reason as Record<string, unknown>) : {};
  }

  /** sts:GetCallerIdentity, once: proves the target answers and accepts the credentials. */
  identity(): Promise<CallerIdentity> {
    this.who ??= this.call<{ Account?: string; Arn?: string }>('sts', 'GetCallerIdentity', {}).then(
      (out) => {
        const arn = out.Arn ?? '';
        return { account: out.Account ?? '', arn, partition: arn.split(':')[1] || 'aws' };
      },
    );
    return this.who;
  }

  /** The region clients use: the target's, or on AWS the profile's / environment's. */
  async region(): Promise<string> {
    if (this.target.region) return this.target.region;
    try {
      return await (await this.client('sts', await loadSlimServiceModule('sts'))).config.region();
    } catch {
      throw new TargetError(
        'no AWS region is set: use --region NAME, or set AWS_REGION, or give your profile a region',
      );
    }
  }

  /**
   * The environment a `shell` action or check runs with: the parent's, plus the target's
   * endpoint, credentials and region, so the aws CLI and boto3 reach the same target.
   */
  shellEnv(base: NodeJS.ProcessEnv = process.env, region?: string): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(base)) if (value !== undefined) env[name] = value;
    const target = this.target;
    const useRegion = region ?? target.region;
    if (useRegion) env.AWS_DEFAULT_REGION = env.AWS_REGION = useRegion;
    if (target.kind === 'aws') {
      // A stray AWS_ENDPOINT_URL would send the student's commands somewhere other than AWS.
      delete env.AWS_ENDPOINT_URL;
      if (target.credentials) {
        env.AWS_ACCESS_KEY_ID = target.credentials.accessKeyId;
        env.AWS_SECRET_ACCESS_KEY = target.credentials.secretAccessKey;
        if (target.credentials.sessionToken)
          env.AWS_SESSION_TOKEN = target.credentials.sessionToken;
        else delete env.AWS_SESSION_TOKEN;
        delete env.AWS_PROFILE;
      } else if (target.profile) {
        env.AWS_PROFILE = target.profile;
        delete env.AWS_ACCESS_KEY_ID;
        delete env.AWS_SECRET_ACCESS_KEY;
        delete env.AWS_SESSION_TOKEN;
      }
      return env;
    }
    env.AWS_ENDPOINT_URL = target.endpoint!;
    env.AWS_ACCESS_KEY_ID = target.credentials.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = target.credentials.secretAccessKey;
    if (target.credentials.sessionToken) env.AWS_SESSION_TOKEN = target.credentials.sessionToken;
    else delete env.AWS_SESSION_TOKEN;
    delete env.AWS_PROFILE;
    return env;
  }

  /** The clients built so far (`iam`, `iam/slim`, ...), for tests and for showing what loaded. */
  loadedClients(): string[] {
    return [...this.clients.keys()].sort();
  }

  destroy(): void {
    // A pool's clients serve others too: its owner destroys them.
    if (this.transport.pool) return;
    for (const client of this.clients.values())
      void client.then((c) => c.destroy()).catch(() => undefined);
    this.clients.clear();
  }

  /** The client of `service` from `slim` (its slim build, when given) or the whole package. */
  private client(service: ServiceName, slim: ServiceModule | undefined): Promise<SdkClient> {
    const name = slim ? `${service}/slim` : service;
    const key = this.transport.pool ? `${name}@${poolKey(this.target)}` : name;
    let client = this.clients.get(key);
    if (!client) {
      client = this.build(service, slim);
      this.clients.set(key, client);
    }
    return client;
  }

  private async build(service: ServiceName, slim: ServiceModule | undefined): Promise<SdkClient> {
    const module = slim ?? (await loadServiceModule(service));
    const Client = module[SERVICES[service].client] as ClientClass;
    const target = this.target;
    // Says who calls: the sandbox does not journal labwright's own reads (they change nothing).
    const config: Record<string, unknown> = { customUserAgent: 'labwright/check' };
    if (target.region) config.region = target.region;
    if (target.kind === 'aws') {
      if (target.credentials) config.credentials = target.credentials;
      else if (target.profile) {
        // The profile also gives the region, when --region and AWS_REGION do not.
        config.profile = target.profile;
        config.credentials = await this.profileCredentials(target.profile);
      }
    } else {
      config.endpoint = target.endpoint;
      config.credentials = target.credentials;
      // The SDK has no setting for path style: bucket.localhost does not resolve everywhere.
      if (service === 's3') config.forcePathStyle = true;
      // A sandbox borrowed from another terminal is taken over, on the same port, when that
      // terminal ends (src/commands/sandbox-target.ts): a refused connection is retried long
      // enough (about two seconds of backoff) for the takeover to answer.
      if (target.kind === 'sandbox') config.maxAttempts = 8;
    }
    if (this.transport.requestHandler) config.requestHandler = this.transport.requestHandler;
    return new Client(config);
  }

  /** fromIni reads the profile, SSO sessions included; loaded only on --profile. */
  private profileCredentials(profile: string): Promise<unknown> {
    this.credentials ??= import('@aws-sdk/credential-providers').then(({ fromIni }) =>
      fromIni({ profile }),
    );
    return this.credentials;
  }
}

/** What a pooled client is built with besides its service: the region and who signs. */
function poolKey(target: Target): string {
  const profile = target.kind === 'aws' ? (target.profile ?? '') : '';
  return `${target.region ?? ''}/${target.credentials?.accessKeyId ?? ''}/${profile}`;
}

/** IAM names a few S3 operations differently from the SDK (one table with the sandbox's). */
function iamActionName(service: ServiceName, operation: string): string {
  return service === 's3' ? s3IamAction(operation).slice('s3:'.length) : operation;
}

/** What reports show of a reached target. */
export function targetInfo(target: Target, identity: CallerIdentity, region: string): TargetInfo {
  return {
    kind: target.kind,
    ...(target.kind !== 'aws' ? { endpoint: target.endpoint! } : {}),
    region,
    account: identity.account,
    partition: identity.partition,
    ...(target.kind === 'aws' && target.profile ? { profile: target.profile } : {}),
  };
}

/**
 * The SDK's waiters throw their whole last result as JSON (a training job's full description):
 * say the state it ended in and why, in one line, as a student reads it.
 */
function waiterFailure(waiter: string, error: unknown): string {
  const message = (error as Error)?.message ?? String(error);
  let result: { state?: unknown; reason?: unknown };
  try {
    result = JSON.parse(message) as typeof result;
  } catch {
    return `${waiter}: ${message}`;
  }
  const reason = result.reason as Record<string, unknown> | undefined;
  const why =
    reason && typeof reason === 'object'
      ? ['FailureReason', 'StatusReason', 'StatusMessage', 'message', 'Message']
          .map((field) => reason[field])
          .find((value): value is string => typeof value === 'string' && value !== '')
      : undefined;
  const status =
    reason && typeof reason === 'object'
      ? Object.entries(reason).find(
          ([key, value]) => /Status$/.test(key) && typeof value === 'string',
        )?.[1]
      : undefined;
  const state =
    result.state === 'TIMEOUT' ? 'timed out' : `ended in ${String(result.state ?? 'failure')}`;
  return `${waiter} ${state}${status ? ` (${String(status)})` : ''}${why ? `: ${why}` : ''}`;
}
