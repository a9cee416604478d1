/**
 * One request's way through the sandbox, whatever carried it: routed by the SigV4 credential
 * scope like LocalStack and moto, authenticated, its body read (S3 objects streamed to the blob
 * store), parsed by the service's protocol, dispatched to the core, and answered.
 */
import type { IncomingHttpHeaders } from 'node:http';
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
import { internalFailure, type Core } from './core.js';
import { parseForgetRequest } from './forget.js';
import * as ids from './ids.js';
import { isServiceName, SERVICE_NAMES } from './registry.js';
import { queryParams } from './protocol/query.js';
import {
  AwsError,
  SANDBOX_REGION,
  type BlobRef,
  type BlobStore,
  type ProtocolHandler,
  type SandboxHttpRequest,
  type SandboxHttpResponse,
  type ServiceName,
} from './types.js';

export const SANDBOX_VERSION = '0.1.0';

/** A request as it arrives, from a socket or from a client in the same process. */
export interface SandboxExchange {
  method: string;
  /** The path and query, as on the request line. */
  url: string;
  headers: IncomingHttpHeaders;
  remoteAddress: string;
  /** The body, read at most once, and only once the headers have authenticated the request. */
  body: AsyncIterable<Buffer>;
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

export function declaredLength(headers: IncomingHttpHeaders): number | undefined {
  const raw = headers['content-length'];
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined;
}

/**
 * Hands the body's pieces to `take` as they arrive. Stopping early (an error thrown by `take`)
 * leaves the request paused, not destroyed, so the refusal still reaches the client before the
 * connection closes; a client that goes away mid-body is IncompleteBody, not a server failure.
 */
async function eachChunk(
  exchange: SandboxExchange,
  take: (chunk: Buffer) => Promise<void> | void,
): Promise<void> {
  const chunks = exchange.body[Symbol.asyncIterator]();
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
async function readBody(
  exchange: SandboxExchange,
  max: number,
  error: () => AwsError,
): Promise<Buffer> {
  const length = declaredLength(exchange.headers);
  if (length !== undefined && length > max) throw error();
  const chunks: Buffer[] = [];
  let size = 0;
  await eachChunk(exchange, (chunk) => {
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
  exchange: SandboxExchange,
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
    await eachChunk(exchange, (chunk) => put(decoder ? decoder.push(chunk) : [chunk]));
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
  exchange: SandboxExchange,
  log: (message: string) => void,
): Promise<SandboxHttpResponse> {
  const json = (status: number, body: unknown): SandboxHttpResponse => ({
    status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (exchange.method !== 'POST')
    return json(405, { __type: 'MethodNotAllowed', message: 'POST only' });
  if (!/^application\/json\b/.test(exchange.headers['content-type'] ?? '')) {
    return json(415, { __type: 'UnsupportedMediaType', message: 'send application/json' });
  }
  try {
    const body = await readBody(exchange, MAX_FORGET_BYTES, () =>
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

/** A plain JSON error for requests that reach no service (unknown service, bad framing). */
function plainError(status: number, code: string, message: string): SandboxHttpResponse {
  return {
    status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ __type: code, message }),
  };
}

/**
 * Serves one request, from a socket (server.ts) or from an SDK client in the same process
 * (in-process-handler.ts): authentication, the service's protocol, the core's dispatch. Never
 * throws for a request, however malformed: every failure is an answer in the service's terms.
 */
export async function respond(
  core: Core,
  exchange: SandboxExchange,
  log: (m: string) => void,
): Promise<SandboxHttpResponse> {
  const requestId = ids.requestId();
  const response = await route(core, exchange, requestId, log);
  return {
    ...response,
    headers: { ...response.headers, 'x-amzn-requestid': requestId, 'x-amz-request-id': requestId },
  };
}

async function route(
  core: Core,
  exchange: SandboxExchange,
  requestId: string,
  log: (m: string) => void,
): Promise<SandboxHttpResponse> {
  const url = new URL(exchange.url, 'http://localhost');
  if (
    exchange.method === 'GET' &&
    (url.pathname === '/_localstack/health' || url.pathname === '/_labwright/health')
  ) {
    return healthResponse(core);
  }

  if (url.pathname === FORGET_PATH) {
    return forgetResponse(core, exchange, log);
  }

  let protocol: ProtocolHandler | undefined;
  let operation: string | undefined;
  let blob: BlobRef | undefined;
  const blobs = core.store.blobs;
  try {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(exchange.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
    }
    const rawPath = exchange.url.split('?')[0] ?? '/';
    // The body is read only once the headers have authenticated the request.
    const request: SandboxHttpRequest = {
      method: exchange.method,
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
      return plainError(
        400,
        'UnknownService',
        `The sandbox does not serve the service '${scope}'. It serves: ${core.registry.names().join(', ')}.`,
      );
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
          exchange,
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
        request.body = await readBody(exchange, max, () => tooLarge(service, operation, max));
        const hash = claims ? bodyPayloadHash(request, claims, request.body) : undefined;
        if (declared === undefined && claims && hash) {
          await verifySignature(request, claims, key, hash);
        }
      }
    } else {
      const max = operation !== undefined ? MAX_JSON_BYTES : MAX_QUERY_BYTES;
      request.body = await readBody(exchange, max, () => tooLarge(service, operation, max));
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
        sourceIp: exchange.remoteAddress,
        userAgent: headers['user-agent'] ?? '',
      },
      input,
    );
    return protocol.serialize(operation, output, requestId);
  } catch (error) {
    const err = error instanceof AwsError ? error : internalFailure(error, log);
    const response = protocol
      ? protocol.serializeError(err, requestId, operation)
      : plainError(err.status, err.code, err.message);
    return response;
  } finally {
    if (blob) blobs?.unhold?.(blob);
  }
}
