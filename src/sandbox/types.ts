import type { Readable } from 'node:stream';

/**
 * The contract between the sandbox's generic layers (server, protocols, auth, store)
 * and its per-service handlers. Handlers hold behaviour only: they receive parsed
 * input shaped like the AWS API's input structure and return the output structure;
 * the protocol layer turns both into the wire format the service model prescribes.
 */
import type { Background } from './background.js';

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
   * Picks up background work the state says is under way (training jobs in progress), each time
   * the sandbox starts (and at each start the journal replays). Optional.
   */
  resume?(): void;
  /**
   * Forgets the resources among `arns` that AWS offers no way to delete (training jobs), for
   * `labwright reset` (src/sandbox/forget.ts); returns the ARNs it forgot. Optional.
   */
  forget?(arns: ReadonlySet<string>): string[];
}

/** An IAM policy document as JSON (already parsed). */
export type PolicyDocument = { Version?: string; Statement: unknown } & Record<string, unknown>;

/**
 * State: each service keeps one plain JSON-serializable object (its "store"), keyed by account
 * and region inside as it sees fit. The journal makes it durable (it records the calls, not the
 * state), so a service only changes its object; `changed()` is kept for the services that mark
 * their writes and does nothing.
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
  /** Deletes a blob, unless a committed writer still holds it (see `unhold`). */
  delete(id: string): Promise<void>;
  /**
   * Streams a body in: hashes it as it arrives, and on commit makes it durable (temp file,
   * fsync, rename, fsync of the directory) before returning its BlobRef. The committed blob is
   * held (never deleted) until `unhold(ref)`, so a concurrent delete cannot remove it before
   * the request that wrote it has stored a reference.
   */
  writer?(): BlobWriter;
  /** Bytes `start..end` (inclusive) of a blob, read lazily as the stream is consumed. */
  open?(id: string, start?: number, end?: number): Promise<Readable | undefined>;
  /** Ends the hold `writer().commit()` put on `ref`'s blob; idempotent. */
  unhold?(ref: BlobRef): void;
  /**
   * The bytes of a small blob that is not on disk yet: the journal record of the call that sent
   * it carries them instead (one group fsync for the record and its body), until `flush`.
   */
  staged?(id: string): Buffer | undefined;
  /** Makes every staged blob a durable file (before a snapshot, which drops the records' copies). */
  flush?(): Promise<void>;
}

/** A blob being written (see BlobStore.writer). */
export interface BlobWriter {
  write(chunk: Buffer): Promise<void>;
  /** Bytes written so far. */
  readonly size: number;
  /**
   * Makes the blob durable and returns its reference. `check` sees the digests before the blob
   * enters the store; whatever it throws aborts the write (a body that fails a declared hash).
   */
  commit(check?: (ref: BlobRef) => void): Promise<BlobRef>;
  /** Forgets what was written (the temp file goes). */
  abort(): Promise<void>;
}

/**
 * An S3 body already in the blob store, which PutObject and UploadPart receive as `Body` from the
 * wire instead of a Buffer: JSON-serializable, so a journal can record the call. The blob is
 * durable before the handler runs.
 */
export interface BlobRef {
  /** The blob's id: the SHA-256 (hex) of its bytes (the decoded payload, not aws-chunked framing). */
  blob: string;
  size: number;
  /** MD5 (hex) of the bytes: the object's ETag. */
  md5: string;
  /** CRC32 (base64, as x-amz-checksum-crc32 spells it), when the runtime offers zlib.crc32. */
  crc32?: string;
}

export function isBlobRef(value: unknown): value is BlobRef {
  if (typeof value !== 'object' || value === null || Buffer.isBuffer(value)) return false;
  const v = value as Record<string, unknown>;
  return typeof v.blob === 'string' && typeof v.size === 'number' && typeof v.md5 === 'string';
}

/** Timing of simulated asynchronous work (notebooks starting, training jobs running). */
export interface SandboxTiming {
  /** Pending -> InService, Stopping -> Stopped, ... */
  notebookTransitionMs: number;
  /** InProgress -> Completed/Failed */
  trainingJobMs: number;
}

/**
 * Identifiers the sandbox makes up. Each is drawn through the core, which records it in the
 * journal, so replaying a call makes up the same ones (a session's access key, a RoleId).
 */
export interface SandboxIds {
  requestId(): string;
  /** `AROA` + 17 characters for roles, `ANPA` for managed policies (21 in all, as AWS). */
  uniqueId(prefix: 'AROA' | 'ANPA' | 'AIDA'): string;
  temporaryAccessKeyId(): string;
  secretAccessKey(): string;
  sessionToken(): string;
  /** An opaque id without dashes (S3 upload ids). */
  opaqueId(): string;
  /** A random UUID (KMS key ids). */
  uuid(): string;
  /** `length` random bytes, base64 (key material, IVs, data keys). */
  randomBytes(length: number): string;
}

/** What the core offers every service handler. */
export interface SandboxCore {
  readonly store: StateStore;
  readonly timing: SandboxTiming;
  /**
   * The sandbox clock (epoch ms): fixed for the whole of one call or background step, and the
   * recorded time when replaying, so everything a call stamps replays the same. Use it, never
   * Date.now() or new Date(), for anything kept in state or answered.
   */
  now(): number;
  readonly ids: SandboxIds;
  /** Background work in journaled steps (training jobs): see src/sandbox/background.ts. */
  readonly background: Background;
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
 * protocol decodes aws-chunked framing itself, trailing checksums included), or, for S3's
 * PutObject and UploadPart, already streamed into the blob store (`blob`).
 */
export interface SandboxHttpRequest {
  method: string;
  /** The path as sent, still percent-encoded, without the query string. */
  path: string;
  query: URLSearchParams;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** Empty when the body went to the blob store. */
  body: Buffer;
  /** The Host header without the port (`bucket.localhost` for virtual-hosted S3). */
  hostname: string;
  /** The payload in the blob store, aws-chunked framing removed (S3 PutObject, UploadPart). */
  blob?: BlobRef;
  /** Trailing headers of an aws-chunked body streamed to the blob store (x-amz-checksum-*). */
  trailers?: Record<string, string>;
}

export interface SandboxHttpResponse {
  status: number;
  headers: Record<string, string>;
  /** A Readable (S3 GetObject) is piped to the client; its length is in the headers. */
  body?: string | Uint8Array | Readable;
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
