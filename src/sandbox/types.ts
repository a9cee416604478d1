/**
 * The contract between the sandbox's generic layers (server, protocols, auth, store)
 * and its per-service handlers. Handlers hold behaviour only: they receive parsed
 * input shaped like the AWS API's input structure and return the output structure;
 * the protocol layer turns both into the wire format the service model prescribes.
 */

export const SANDBOX_ACCOUNT = '000000000000';
export const SANDBOX_REGION = 'us-east-1';

/** Who signed the request, as IAM sees it. */
export type Caller =
  | {
      kind: 'root';
      accountId: string;
      arn: string; // arn:aws:iam::000000000000:root
      principalId: string; // the account id, as AWS reports it for root
      accessKeyId: string;
    }
  | {
      kind: 'assumed-role';
      accountId: string;
      arn: string; // arn:aws:sts::000000000000:assumed-role/RoleName/SessionName
      principalId: string; // AROA...:SessionName
      accessKeyId: string;
      roleName: string;
      roleArn: string; // arn:aws:iam::000000000000:role/RoleName (path included)
      sessionName: string;
      /** Set when a service (sagemaker.amazonaws.com) assumed the role on its own behalf. */
      invokedBy?: string;
    };

/** An AWS error as the wire protocols serialize it (code, message, HTTP status). */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly sender = true,
  ) {
    super(message);
    this.name = 'AwsError';
  }
}

export interface RequestContext {
  service: ServiceName;
  operation: string;
  region: string;
  requestId: string;
  caller: Caller;
  /** Source address and user agent, recorded in CloudTrail. */
  sourceIp: string;
  userAgent: string;
}

import type { ServiceName } from '../service-names.js';

export type { ServiceName };

/**
 * One operation: typed input in, output out. Throwing AwsError produces the protocol's
 * error response; anything else is a 500 InternalFailure and is logged, never a crash.
 */
export type OperationHandler = (
  input: Record<string, unknown>,
  ctx: RequestContext,
) => Promise<unknown> | unknown;

export interface ServiceHandler {
  name: ServiceName;
  operations: Record<string, OperationHandler>;
  /**
   * The service's own wire protocol (S3's REST-XML). Without it the server uses the generic
   * protocol the service model names (query for IAM/STS, JSON 1.1 for the others).
   */
  protocol?: ProtocolHandler;
  /** Enriches the CloudTrail event of a call (resources, parameters); optional. */
  describeEvent?(operation: string, input: Record<string, unknown>, output: unknown): EventDetails;
  /**
   * Stops the service's background work (training jobs in progress) when the sandbox stops;
   * the work resumes from the persisted state at the next start. Optional.
   */
  close?(): Promise<void> | void;
}

/** An IAM policy document as JSON (already parsed). */
export type PolicyDocument = { Version?: string; Statement: unknown } & Record<string, unknown>;

/**
 * Durable state: each service keeps one plain JSON-serializable object (its "store"),
 * keyed by account and region inside as it sees fit. `changed()` schedules an atomic save.
 */
export interface StateStore {
  get<T extends object>(service: ServiceName, init: () => T): T;
  changed(): void;
  /**
   * Binary values too large for the JSON state (S3 object bodies), content-addressed, kept in
   * the state folder's `blobs/` (src/sandbox/blobs.ts). Optional: without it a service keeps
   * them in memory.
   */
  readonly blobs?: BlobStore;
}

/** Content-addressed binary storage (see src/sandbox/blobs.ts). */
export interface BlobStore {
  /** Stores `data` and returns its id (the SHA-256 hex digest). */
  put(data: Uint8Array): Promise<string>;
  get(id: string): Promise<Buffer | undefined>;
  delete(id: string): Promise<void>;
}

/** Timing of simulated asynchronous work (notebooks starting, training jobs running). */
export interface SandboxTiming {
  /** Pending -> InService, Stopping -> Stopped, ... */
  notebookTransitionMs: number;
  /** InProgress -> Completed/Failed */
  trainingJobMs: number;
}

/** What the core offers every service handler. */
export interface SandboxCore {
  readonly store: StateStore;
  readonly timing: SandboxTiming;
  /**
   * Authorize `action` on `resourceArn` for ctx.caller like AWS: the root user is always allowed;
   * an assumed role is evaluated against its managed and inline policies and the resource policy.
   * Throws AwsError('AccessDenied' | service-specific code, AWS's message) when denied.
   */
  authorize(
    ctx: RequestContext,
    action: string,
    resourceArn: string,
    options?: { resourcePolicy?: PolicyDocument; context?: Record<string, string | string[]> },
  ): Promise<void>;
  /**
   * A service principal (e.g. sagemaker.amazonaws.com) assumes a role: the role must exist and its
   * trust policy must allow the service. Recorded in CloudTrail as AWS does. Returns the caller
   * to act as, or throws AwsError with the reason ('NoSuchEntity' | 'AccessDenied').
   */
  assumeRoleAsService(
    servicePrincipal: string,
    roleArn: string,
    sessionName: string,
  ): Promise<Caller>;
  /**
   * Perform an operation as `caller` through the same path as a wire request (authorization,
   * CloudTrail), e.g. a training job reading its S3 input as the execution role.
   */
  invoke(
    service: ServiceName,
    operation: string,
    input: Record<string, unknown>,
    caller: Caller,
  ): Promise<unknown>;
}

/**
 * An incoming HTTP request as the protocol layers see it: body fully read, as sent (S3's
 * protocol decodes aws-chunked framing itself, trailing checksums included).
 */
export interface SandboxHttpRequest {
  method: string;
  /** The path as sent, still percent-encoded, without the query string. */
  path: string;
  query: URLSearchParams;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: Buffer;
  /** The Host header without the port (`bucket.localhost` for virtual-hosted S3). */
  hostname: string;
}

export interface SandboxHttpResponse {
  status: number;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

/**
 * A wire protocol (query, JSON 1.1, REST-XML): names the operation a request asks for, parses its
 * input into the model's input structure and serializes output and errors. The server runs the
 * common flow around it (SigV4, request ids, CloudTrail, never crashing).
 */
export interface ProtocolHandler {
  /** The operation named by the request; throws the protocol's own unknown-operation AwsError. */
  operation(req: SandboxHttpRequest): string;
  parse(req: SandboxHttpRequest, operation: string): Record<string, unknown>;
  serialize(operation: string, output: unknown, requestId: string): SandboxHttpResponse;
  serializeError(error: AwsError, requestId: string, operation?: string): SandboxHttpResponse;
}

/** What a call did, for its CloudTrail event (all optional; the core fills sensible defaults). */
export interface EventDetails {
  resources?: { ARN: string; ResourceType: string }[];
  /** Request parameters as CloudTrail shows them (defaults to the input, trimmed). */
  requestParameters?: Record<string, unknown> | null;
  responseElements?: Record<string, unknown> | null;
  /** Overrides the Get/List/Describe/Head/Lookup naming rule. */
  readOnly?: boolean;
}

/** A service's handler factory, as src/sandbox/services/index.ts lists them. */
export type ServiceFactory = (core: SandboxCore) => ServiceHandler;
