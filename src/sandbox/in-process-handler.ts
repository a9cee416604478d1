/**
 * An AWS SDK v3 `requestHandler` that serves requests with the sandbox of this process instead
 * of sending them over a socket. The SDK still builds, signs and parses every request as it
 * would over HTTP, and the sandbox still authenticates and answers it (respond.ts): only the
 * transport is gone, with its cost on both sides (sockets, HTTP framing and parsing). Grading
 * uses it for the sandboxes it replays from hand-ins, which live in the grading process.
 */
import { Readable } from 'node:stream';
import type { Core } from './core.js';
import { respond } from './respond.js';

/** The parts of the SDK's HttpRequest (@smithy/protocol-http) a transport reads. */
export interface SdkHttpRequest {
  method: string;
  path: string;
  query?: Record<string, string | (string | null)[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

/** What a transport answers: the SDK's HttpResponse is checked by shape, not by class. */
export interface SdkHttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: Readable;
}

/** The SDK's HttpHandler interface, as a client's `requestHandler` option takes it. */
export interface InProcessHandler {
  handle(
    request: SdkHttpRequest,
    options?: { abortSignal?: AbortSignal },
  ): Promise<{ response: SdkHttpResponse }>;
  updateHttpClientConfig(key: never, value: never): void;
  httpHandlerConfigs(): Record<string, never>;
  destroy(): void;
}

/** An SDK request handler from its `handle` alone: it keeps no connections and no settings. */
export function sdkHandler(handle: InProcessHandler['handle']): InProcessHandler {
  return { handle, updateHttpClientConfig() {}, httpHandlerConfigs: () => ({}), destroy() {} };
}

export function inProcessHandler(core: Core, log: (message: string) => void): InProcessHandler {
  return sdkHandler(async (request, options = {}) => {
    options.abortSignal?.throwIfAborted();
    const answer = await respond(
      core,
      {
        method: request.method,
        url: requestUrl(request),
        headers: lowerCased(request.headers),
        remoteAddress: '127.0.0.1',
        body: bodyChunks(request.body),
      },
      log,
    );
    options.abortSignal?.throwIfAborted();
    const headers = lowerCased(answer.headers);
    const head = request.method === 'HEAD';
    let body: Readable;
    if (answer.body instanceof Readable) {
      if (head) answer.body.destroy();
      body = head ? Readable.from([]) : answer.body;
    } else {
      const bytes = Buffer.from(answer.body ?? '');
      headers['content-length'] ??= String(bytes.length);
      body = Readable.from(head || bytes.length === 0 ? [] : [bytes]);
    }
    return { response: { statusCode: answer.status, headers, body } };
  });
}

/** The request line's target, its query written as the SDK's node handler writes it. */
function requestUrl(request: SdkHttpRequest): string {
  const query = request.query ? queryString(request.query) : '';
  return query ? `${request.path}?${query}` : request.path;
}

/** @smithy's buildQueryString: keys sorted, RFC 3986 escaping, a null value as a bare key. */
function queryString(query: NonNullable<SdkHttpRequest['query']>): string {
  const parts: string[] = [];
  for (const name of Object.keys(query).sort()) {
    const value = query[name];
    const key = escapeUri(name);
    if (Array.isArray(value)) {
      for (const item of value) parts.push(`${key}=${escapeUri(item ?? '')}`);
    } else {
      parts.push(value || typeof value === 'string' ? `${key}=${escapeUri(value)}` : key);
    }
  }
  return parts.join('&');
}

function escapeUri(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Header names as a socket delivers them: lower case. */
function lowerCased(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}

/** The SDK's body (none, text, bytes or a stream) as the chunks a socket would deliver. */
async function* bodyChunks(body: unknown): AsyncGenerator<Buffer> {
  if (body === undefined || body === null) return;
  if (typeof body === 'string') yield Buffer.from(body);
  else if (body instanceof Uint8Array) yield Buffer.from(body.buffer, body.byteOffset, body.length);
  else if (typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    for await (const chunk of body as AsyncIterable<string | Uint8Array>) {
      yield typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
    }
  } else throw new TypeError('the in-process sandbox handler cannot send this request body');
}
