/**
 * The sandbox's HTTP server: one loopback port for every service, routed by the SigV4
 * credential scope like LocalStack and moto. It runs the common flow around each call
 * (SigV4, request ids, the service's protocol, the core's dispatch) and never lets a malformed
 * request take it down.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { readV2Claims, verifyV2 } from './auth/sigv2.js';
import {
  bodyPayloadHash,
  checkRequest,
  declaredPayloadHash,
  invalidKey,
  payloadMismatch,
  readClaims,
  verifySignature,
} from './auth/sigv4.js';
import { AwsChunkedDecoder } from './protocol/aws-chunked.js';
import { RestXmlError } from './protocol/rest-xml.js';
import { Core, DEFAULT_TIMING, internalFailure, ReplayMismatch } from './core.js';
import { parseForgetRequest } from './forget.js';
import { JOURNAL_FILE, JournalWriter } from './journal.js';
import * as ids from './ids.js';
import { isServiceName, SERVICE_NAMES } from './registry.js';
import { queryParams } from './protocol/query.js';
import { serviceFactories } from './services/index.js';
import { defaultStateDir, FileStateStore } from './store.js';
import { EventLog } from './trail.js';
import {
  AwsError,
  SANDBOX_REGION,
  type BlobRef,
  type BlobStore,
  type ProtocolHandler,
  type SandboxHttpRequest,
  type SandboxHttpResponse,
  type SandboxTiming,
  type ServiceName,
} from './types.js';

export const SANDBOX_VERSION = '0.1.0';
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export interface SandboxOptions {
  port?: number;
  /** Loopback only: 127.0.0.1 (default), ::1 or localhost. */
  host?: string;
  /** Where state lives; default `${XDG_STATE_HOME:-~/.local/state}/labwright/sandbox`. */
  stateDir?: string;
  /** Keep state in memory only. */
  memory?: boolean;
  /** Start from empty state (the stored state is deleted). */
  reset?: boolean;
  timing?: Partial<SandboxTiming>;
  /** Where internal failures are reported; default stderr. */
  log?: (message: string) => void;
}

export interface Sandbox {
  endpoint: string;
  port: number;
  core: Core;
  stop(): Promise<void>;
}

/** Target prefixes of the JSON services, to route a request that carries no credential scope. */
const TARGET_PREFIXES: [string, ServiceName][] = [
  ['SageMaker.', 'sagemaker'],
  ['Logs_20140328.', 'logs'],
  ['com.amazonaws.cloudtrail.', 'cloudtrail'],
  ['CloudTrail_', 'cloudtrail'],
  ['TrentService.', 'kms'],
];

function guessService(req: SandboxHttpRequest): ServiceName {
  const target = req.headers['x-amz-target'];
  if (target) {
    for (const [prefix, service] of TARGET_PREFIXES) if (target.startsWith(prefix)) return service;
  }
  const version = queryParams(req).get('Version');
  if (version === '2011-06-15') return 'sts';
  if (version === '2010-05-08') return 'iam';
  // An unsigned form POST to the root is a query call (its body, not read, names the service):
  // answer it as IAM would rather than as S3.
  const type = req.headers['content-type'] ?? '';
  if (req.method === 'POST' && req.path === '/' && type.includes('x-www-form-urlencoded')) {
    return 'iam';
  }
  return 's3';
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const log = options.log ?? ((message: string) => process.stderr.write(`[sandbox] ${message}\n`));
  const stateDir = options.memory ? undefined : (options.stateDir ?? defaultStateDir());
  const store = new FileStateStore(stateDir);
  const core = createCore(store, options.timing, log);
  try {
    await openJournal(core, store, stateDir, options.reset === true, log);
  } catch (error) {
    store.close();
    throw error;
  }
  return serve(core, store, options, log);
}

/** A core over `store` with every service registered, not yet started. */
export function createCore(
  store: FileStateStore,
  timing: Partial<SandboxTiming> | undefined,
  log: (message: string) => void,
): Core {
  const core = new Core(
    store,
    { ...DEFAULT_TIMING, ...timing },
    new EventLog(store.baseEvents),
    log,
  );
  core.registry.registerAll(serviceFactories, core);
  return core;
}

/** Serves a started core over HTTP on loopback; stopping it saves a snapshot and frees the folder. */
export async function serve(
  core: Core,
  store: FileStateStore,
  options: Pick<SandboxOptions, 'host' | 'port'>,
  log: (message: string) => void,
): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  const shut = async () => {
    core.background.stopAll();
    await core.settle();
    await core.snapshot();
    core.journal?.close();
    store.close();
  };
  if (!LOOPBACK.has(host)) {
    await shut();
    throw new Error(`the sandbox listens on loopback only, not ${host}`);
  }
  const server = createServer((req, res) => {
    handle(core, req, res, log).catch((error: unknown) => {
      log(`unhandled: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end();
    });
  });
  // Clients keep idle sockets open indefinitely; closing ours after Node's default 5 s races with
  // a client reusing one (ECONNRESET on a loaded machine). AWS's front ends keep them ~60 s.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
  } catch (error) {
    // A busy port: the folder is free again for a sandbox on another port.
    await shut();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const endpointHost = host === '::1' ? '[::1]' : host;
  return {
    endpoint: `http://${endpointHost}:${port}`,
    port,
    core,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      // Background work (training jobs) stops where it is; the next start picks it up again.
      await shut();
    },
  };
}

/**
 * Brings the state up to the journal's last record (replaying what came after the snapshot), then
 * journals from there on. A record that replays differently is said, not fatal: the state is what
 * this version of the sandbox makes of the calls.
 */
async function openJournal(
  core: Core,
  store: FileStateStore,
  stateDir: string | undefined,
  reset: boolean,
  log: (message: string) => void,
): Promise<void> {
  core.head = { ...store.base };
  core.snapshotSeq = store.base.seq;
  core.snapshotBytes = store.snapshotBytes;
  if (stateDir) core.journal = new JournalWriter(join(stateDir, JOURNAL_FILE), store.journalBytes);
  if (reset) await core.reset();
  else {
    for (const notice of store.notices) log(notice);
    core.background.setReplaying(true);
    for (const record of store.tail) {
      try {
        await core.replay(record);
      } catch (error) {
        if (!(error instanceof ReplayMismatch)) throw error;
        log(`${error.message} (this labwright may differ from the one that served it)`);
        core.head = { seq: record.seq, hash: record.hash };
      }
    }
    core.background.setReplaying(false);
  }
  await core.start();
}

function healthBody(core: Core): string {
  const services: Record<string, string> = {};
  for (const name of SERVICE_NAMES)
    services[name] = core.registry.get(name) ? 'running' : 'disabled';
  return JSON.stringify({ services, edition: 'community', version: SANDBOX_VERSION });
}

/**
 * Body limits. S3 object bodies stream to the blob store up to S3's own single-PUT limit; every
 * other body is read into memory, after authentication, up to a cap well above what the
 * service's largest legitimate request needs (CloudWatch Logs' 1 MiB PutLogEvents batch, JSON-
 * escaped; IAM's largest documents are a few KiB; S3's DeleteObjects takes 1,000 keys).
 */
const MAX_OBJECT_BYTES = 5 * 1024 ** 3;
const MAX_S3_XML_BYTES = 2 * 1024 * 1024;
const MAX_QUERY_BYTES = 1024 * 1024;
const MAX_JSON_BYTES = 4 * 1024 * 1024;
/** S3 operations whose body streams to the blob store and reaches the handler as a BlobRef. */
const STREAMED = new Set(['PutObject', 'UploadPart']);

/** S3's EntityTooLarge, as its error table words it (ProposedSize, MaxSizeAllowed). */
function entityTooLarge(size: number, max: number): AwsError {
  return new RestXmlError(
    'EntityTooLarge',
    'Your proposed upload exceeds the maximum allowed size',
    400,
    { ProposedSize: String(size), MaxSizeAllowed: String(max) },
  );
}

/** A body over a non-streamed cap, in the service's terms. */
function tooLarge(service: ServiceName, operation: string | undefined, max: number): AwsError {
  // S3's error table: MaxMessageLengthExceeded, "Your request was too big." (400).
  if (service === 's3')
    return new AwsError('MaxMessageLengthExceeded', 'Your request was too big.');
  // Coral's wording for JSON bodies over an operation's limit (Lambda's UpdateFunctionCode says
  // "Request must be smaller than 69905067 bytes for the UpdateFunctionCode operation").
  const what = operation ? ` for the ${operation} operation` : '';
  return new AwsError(
    service === 'iam' || service === 'sts'
      ? 'RequestEntityTooLarge'
      : 'RequestEntityTooLargeException',
    `Request must be smaller than ${max} bytes${what}`,
    413,
  );
}

function declaredLength(req: IncomingMessage): number | undefined {
  const raw = req.headers['content-length'];
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined;
}

/**
 * Hands the body's pieces to `take` as they arrive. Stopping early (an error thrown by `take`)
 * leaves the request paused, not destroyed, so the refusal still reaches the client before the
 * connection closes; a client that goes away mid-body is IncompleteBody, not a server failure.
 */
async function eachChunk(
  req: IncomingMessage,
  take: (chunk: Buffer) => Promise<void> | void,
): Promise<void> {
  const chunks = (req as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<Buffer>;
    try {
      next = await chunks.next();
    } catch {
      throw new AwsError('IncompleteBody', 'The request body terminated unexpectedly', 400);
    }
    if (next.done) return;
    await take(next.value);
  }
}

/** Reads a body into memory, refusing it (before reading, when Content-Length says so) past `max`. */
async function readBody(req: IncomingMessage, max: number, error: () => AwsError): Promise<Buffer> {
  const length = declaredLength(req);
  if (length !== undefined && length > max) throw error();
  const chunks: Buffer[] = [];
  let size = 0;
  await eachChunk(req, (chunk) => {
    size += chunk.length;
    if (size > max) throw error();
    chunks.push(chunk);
  });
  return Buffer.concat(chunks);
}

/**
 * Streams an S3 object body into the blob store: aws-chunked framing removed (trailing checksums
 * kept), hashed as it arrives (SHA-256, MD5, CRC32), the declared x-amz-content-sha256 checked
 * before the blob is committed, so a body that does not match never reaches the store.
 */
async function streamBody(
  req: IncomingMessage,
  request: SandboxHttpRequest,
  blobs: BlobStore & Required<Pick<BlobStore, 'writer'>>,
  declaredHash: string,
): Promise<{ ref: BlobRef; trailers: Record<string, string> }> {
  const headers = request.headers;
  const announced = headers['x-amz-decoded-content-length'] ?? headers['content-length'];
  if (announced !== undefined && /^\d+$/.test(announced) && Number(announced) > MAX_OBJECT_BYTES) {
    throw entityTooLarge(Number(announced), MAX_OBJECT_BYTES);
  }
  const sha = headers['x-amz-content-sha256'] ?? '';
  const chunked =
    sha.startsWith('STREAMING-') ||
    /(^|,)\s*aws-chunked\s*(,|$)/.test(headers['content-encoding'] ?? '');
  // A layer in front of us may already have decoded it: then the lengths agree.
  const decoder =
    chunked && headers['x-amz-decoded-content-length'] !== headers['content-length']
      ? new AwsChunkedDecoder(true)
      : undefined;
  const writer = blobs.writer();
  try {
    const put = async (pieces: Buffer[]) => {
      for (const piece of pieces) {
        if (writer.size + piece.length > MAX_OBJECT_BYTES) {
          throw entityTooLarge(writer.size + piece.length, MAX_OBJECT_BYTES);
        }
        await writer.write(piece);
      }
    };
    await eachChunk(req, (chunk) => put(decoder ? decoder.push(chunk) : [chunk]));
    if (decoder) await put(decoder.end());
    const literal = /^[0-9a-f]{64}$/.test(declaredHash) && !decoder;
    const ref = await writer.commit((digests) => {
      if (literal && digests.blob !== declaredHash) throw payloadMismatch('s3');
    });
    return { ref, trailers: decoder?.trailers ?? {} };
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

/** labwright's reset forgetting an attempt (src/sandbox/forget.ts); no AWS client calls it. */
const FORGET_PATH = '/_labwright/forget';
const MAX_FORGET_BYTES = 256 * 1024;

/**
 * `POST /_labwright/forget` with a JSON body. Like LocalStack's `/_localstack/state/*`, it is
 * unsigned: the sandbox listens on loopback only and any key is the account root. It must be
 * `application/json`, which a web page cannot send cross-origin without a preflight the
 * sandbox never answers.
 */
async function forgetResponse(
  core: Core,
  req: IncomingMessage,
  log: (message: string) => void,
): Promise<SandboxHttpResponse> {
  const json = (status: number, body: unknown): SandboxHttpResponse => ({
    status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (req.method !== 'POST') return json(405, { __type: 'MethodNotAllowed', message: 'POST only' });
  if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) {
    return json(415, { __type: 'UnsupportedMediaType', message: 'send application/json' });
  }
  try {
    const body = await readBody(req, MAX_FORGET_BYTES, () =>
      tooLarge('sagemaker', 'Forget', MAX_FORGET_BYTES),
    );
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new AwsError('SerializationException', 'the body is not JSON');
    }
    return json(200, await core.forget(parseForgetRequest(parsed)));
  } catch (error) {
    const err = error instanceof AwsError ? error : internalFailure(error, log);
    return json(err.status, { __type: err.code, message: err.message });
  }
}

function healthResponse(core: Core): SandboxHttpResponse {
  return { status: 200, headers: { 'content-type': 'application/json' }, body: healthBody(core) };
}

async function send(
  res: ServerResponse,
  response: SandboxHttpResponse,
  requestId: string,
  head: boolean,
) {
  const headers: Record<string, string> = {
    ...response.headers,
    'x-amzn-requestid': requestId,
    'x-amz-request-id': requestId,
  };
  const body = response.body ?? '';
  if (body instanceof Readable) {
    res.writeHead(response.status, headers);
    if (head) {
      body.destroy();
      res.end();
      return;
    }
    // A client that goes away mid-download ends the pipeline; nothing more to answer.
    await pipeline(body, res).catch(() => undefined);
    return;
  }
  if (headers['content-length'] === undefined)
    headers['content-length'] = String(Buffer.byteLength(body));
  res.writeHead(response.status, headers);
  res.end(head ? undefined : body);
}

/** A plain JSON error for requests that reach no service (unknown service, bad framing). */
function plainError(status: number, code: string, message: string): SandboxHttpResponse {
  return {
    status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ __type: code, message }),
  };
}

/**
 * Whether a refused request's body is still unread (the request was refused before it was read,
 * or part-way): then it is not read, only discarded (see discardThenClose).
 */
function unread(req: IncomingMessage): boolean {
  const bodiless =
    req.headers['transfer-encoding'] === undefined && (declaredLength(req) ?? 0) === 0;
  return !(bodiless || req.complete || req.readableEnded);
}

/** How much of a refused body is discarded, and for how long, before the connection closes. */
const DISCARD_BYTES = 8 * 1024 * 1024;
const DISCARD_MS = 1000;

/**
 * After refusing a request whose body is unread: a small body is read and dropped, keeping the
 * connection; a large one is dropped for a moment (so the client, still sending, reads the
 * answer rather than a reset) and then the connection closes. Nothing is kept in memory.
 */
function discardThenClose(req: IncomingMessage): void {
  let seen = 0;
  const close = () => {
    clearTimeout(timer);
    // A body that ended meanwhile leaves a connection the client may reuse.
    if (!req.complete) req.socket.destroy();
  };
  const timer = setTimeout(close, DISCARD_MS);
  timer.unref();
  req.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > DISCARD_BYTES) close();
  });
  req.on('end', () => clearTimeout(timer));
  req.on('error', () => clearTimeout(timer));
  // A reader stopped part-way leaves its 'readable' listener, which keeps the stream paused.
  req.removeAllListeners('readable');
  req.resume();
}

async function handle(
  core: Core,
  req: IncomingMessage,
  res: ServerResponse,
  log: (m: string) => void,
) {
  const requestId = ids.requestId();
  const head = req.method === 'HEAD';
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (
    req.method === 'GET' &&
    (url.pathname === '/_localstack/health' || url.pathname === '/_labwright/health')
  ) {
    await send(res, healthResponse(core), requestId, false);
    if (unread(req)) discardThenClose(req);
    return;
  }

  if (url.pathname === FORGET_PATH) {
    await send(res, await forgetResponse(core, req, log), requestId, false);
    if (unread(req)) discardThenClose(req);
    return;
  }

  let protocol: ProtocolHandler | undefined;
  let operation: string | undefined;
  let blob: BlobRef | undefined;
  const blobs = core.store.blobs;
  try {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
    }
    const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
    // The body is read only once the headers have authenticated the request.
    const request: SandboxHttpRequest = {
      method: req.method ?? 'GET',
      path: rawPath,
      query: url.searchParams,
      headers,
      body: Buffer.alloc(0),
      hostname: (headers['host'] ?? 'localhost').replace(/:\d+$/, ''),
    };

    let claims;
    try {
      claims = readClaims(request);
    } catch (error) {
      protocol = core.registry.get(guessService(request))?.protocol;
      throw error;
    }
    const scope = claims?.service ?? guessService(request);
    if (!isServiceName(scope) || !core.registry.get(scope)) {
      await send(
        res,
        plainError(
          400,
          'UnknownService',
          `The sandbox does not serve the service '${scope}'. It serves: ${core.registry.names().join(', ')}.`,
        ),
        requestId,
        head,
      );
      if (unread(req)) discardThenClose(req);
      return;
    }
    const service = scope;
    protocol = core.registry.get(service)?.protocol as ProtocolHandler;
    // S3 and the JSON services name the operation in the URL and headers; query services (IAM,
    // STS) in the body, so theirs is known only once the body is read.
    if (service === 's3' || headers['x-amz-target'] !== undefined) {
      operation = protocol.operation(request);
    }
    const v2 = !claims && service === 's3' ? readV2Claims(request) : undefined;
    if (!claims && !v2) {
      throw service === 's3'
        ? new AwsError('AccessDenied', 'Access Denied', 403)
        : new AwsError(
            'MissingAuthenticationToken',
            'Request is missing Authentication Token',
            403,
          );
    }
    const key = core.resolveKey((claims ?? v2)?.accessKeyId ?? '');
    if (!key) throw invalidKey(service);
    if (claims) checkRequest(request, claims, key);

    if (service === 's3') {
      const declared = claims ? declaredPayloadHash(request, claims) : 'UNSIGNED-PAYLOAD';
      if (operation && STREAMED.has(operation) && blobs?.writer) {
        if (declared === undefined) {
          // S3 needs the payload hash up front to authenticate a body it streams.
          throw new AwsError(
            'InvalidRequest',
            'Missing required header for this request: x-amz-content-sha256',
          );
        }
        if (claims) await verifySignature(request, claims, key, declared);
        else if (v2) verifyV2(request, v2, key);
        const streamed = await streamBody(
          req,
          request,
          blobs as BlobStore & Required<Pick<BlobStore, 'writer'>>,
          declared,
        );
        blob = streamed.ref;
        request.blob = blob;
        request.trailers = streamed.trailers;
      } else {
        // A declared hash authenticates the request before its (capped) body is read.
        if (declared !== undefined) {
          if (claims) await verifySignature(request, claims, key, declared);
          else if (v2) verifyV2(request, v2, key);
        }
        // PutObject lands here only with a store that cannot stream: S3's object limit applies.
        const max = operation && STREAMED.has(operation) ? MAX_OBJECT_BYTES : MAX_S3_XML_BYTES;
        request.body = await readBody(req, max, () => tooLarge(service, operation, max));
        const hash = claims ? bodyPayloadHash(request, claims, request.body) : undefined;
        if (declared === undefined && claims && hash) {
          await verifySignature(request, claims, key, hash);
        }
      }
    } else {
      const max = operation !== undefined ? MAX_JSON_BYTES : MAX_QUERY_BYTES;
      request.body = await readBody(req, max, () => tooLarge(service, operation, max));
      if (claims) {
        await verifySignature(request, claims, key, bodyPayloadHash(request, claims, request.body));
      }
      operation ??= protocol.operation(request);
    }

    operation ??= protocol.operation(request);
    const input = protocol.parse(request, operation);
    const output = await core.dispatch(
      {
        service,
        operation,
        region: claims?.region || SANDBOX_REGION,
        requestId,
        caller: key.caller,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      input,
    );
    await send(res, protocol.serialize(operation, output, requestId), requestId, head);
  } catch (error) {
    const err = error instanceof AwsError ? error : internalFailure(error, log);
    const response = protocol
      ? protocol.serializeError(err, requestId, operation)
      : plainError(err.status, err.code, err.message);
    const refused = unread(req);
    await send(res, response, requestId, head);
    if (refused) discardThenClose(req);
  } finally {
    if (blob) blobs?.unhold?.(blob);
  }
}
