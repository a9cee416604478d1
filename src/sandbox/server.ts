/**
 * The sandbox's HTTP server: one loopback port for every service, routed by the SigV4
 * credential scope like LocalStack and moto. It runs the common flow around each call
 * (SigV4, request ids, the service's protocol, the core's dispatch) and never lets a malformed
 * request take it down.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { readV2Claims, verifyV2 } from './auth/sigv2.js';
import { invalidKey, readClaims, verifySignature } from './auth/sigv4.js';
import { Core, DEFAULT_TIMING, internalFailure, ReplayMismatch } from './core.js';
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
  type ProtocolHandler,
  type SandboxHttpRequest,
  type SandboxHttpResponse,
  type SandboxTiming,
  type ServiceName,
} from './types.js';

export const SANDBOX_VERSION = '0.1.0';
const MAX_BODY_BYTES = 512 * 1024 * 1024;
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
];

function guessService(req: SandboxHttpRequest): ServiceName {
  const target = req.headers['x-amz-target'];
  if (target) {
    for (const [prefix, service] of TARGET_PREFIXES) if (target.startsWith(prefix)) return service;
  }
  const version = queryParams(req).get('Version');
  if (version === '2011-06-15') return 'sts';
  if (version === '2010-05-08') return 'iam';
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

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(
          new AwsError('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size'),
        );
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function healthBody(core: Core): string {
  const services: Record<string, string> = {};
  for (const name of SERVICE_NAMES)
    services[name] = core.registry.get(name) ? 'running' : 'disabled';
  return JSON.stringify({ services, edition: 'community', version: SANDBOX_VERSION });
}

function send(
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
    await readBody(req);
    send(
      res,
      { status: 200, headers: { 'content-type': 'application/json' }, body: healthBody(core) },
      requestId,
      false,
    );
    return;
  }

  let protocol: ProtocolHandler | undefined;
  let operation: string | undefined;
  try {
    const rawBody = await readBody(req);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
    }
    const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
    const request: SandboxHttpRequest = {
      method: req.method ?? 'GET',
      path: rawPath,
      query: url.searchParams,
      headers,
      body: rawBody,
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
      send(
        res,
        plainError(
          400,
          'UnknownService',
          `The sandbox does not serve the service '${scope}'. It serves: ${core.registry.names().join(', ')}.`,
        ),
        requestId,
        head,
      );
      return;
    }
    const service = scope;
    protocol = core.registry.get(service)?.protocol as ProtocolHandler;
    operation = protocol.operation(request);
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
    if (claims) await verifySignature(request, claims, key, rawBody);
    else if (v2) verifyV2(request, v2, key);

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
    send(res, protocol.serialize(operation, output, requestId), requestId, head);
  } catch (error) {
    const err = error instanceof AwsError ? error : internalFailure(error, log);
    const response = protocol
      ? protocol.serializeError(err, requestId, operation)
      : plainError(err.status, err.code, err.message);
    send(res, response, requestId, head);
  }
}
