/**
 * The sandbox's HTTP server: one loopback port for every service. Each request goes through
 * respond.ts (the same way a client in this process takes, in-process-handler.ts); this file
 * starts the core over its state folder, and carries requests and answers over HTTP without
 * letting a malformed request or a client that goes away take it down.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { Core, DEFAULT_TIMING, ReplayMismatch } from './core.js';
import { inProcessHandler, type InProcessHandler } from './in-process-handler.js';
import { JOURNAL_FILE, JournalWriter } from './journal.js';
import { declaredLength, respond } from './respond.js';
import { serviceFactories } from './services/index.js';
import { defaultStateDir, FileStateStore } from './store.js';
import { EventLog } from './trail.js';
import type { SandboxHttpResponse, SandboxTiming } from './types.js';

export { SANDBOX_VERSION } from './respond.js';

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
  /**
   * An SDK `requestHandler` that reaches this sandbox without a socket: the same requests and
   * answers, served in this process (grading replays hand-ins this way).
   */
  requestHandler: InProcessHandler;
  stop(): Promise<void>;
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
  const events = new EventLog(store.baseEvents);
  store.trailBegins(events.mark());
  const core = new Core(store, { ...DEFAULT_TIMING, ...timing }, events, log);
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
    requestHandler: inProcessHandler(core, log),
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

async function send(res: ServerResponse, response: SandboxHttpResponse, head: boolean) {
  const headers: Record<string, string> = { ...response.headers };
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

/**
 * Whether a refused request's body is still unread (the request was refused before it was read,
 * or part-way): then it is not read, only discarded (see discardThenClose).
 */
function unread(req: IncomingMessage): boolean {
  const bodiless =
    req.headers['transfer-encoding'] === undefined && (declaredLength(req.headers) ?? 0) === 0;
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

/** One HTTP request: answered by respond(); a body it left unread is discarded, not read. */
async function handle(
  core: Core,
  req: IncomingMessage,
  res: ServerResponse,
  log: (m: string) => void,
) {
  const response = await respond(
    core,
    {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      remoteAddress: req.socket.remoteAddress ?? '127.0.0.1',
      body: req,
    },
    log,
  );
  const refused = unread(req);
  await send(res, response, req.method === 'HEAD');
  if (refused) discardThenClose(req);
}
