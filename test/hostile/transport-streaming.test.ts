/**
 * Big bodies against a sandbox in its own process: a 1 GB PutObject streams to disk and back
 * with the sandbox under 200 MB of RSS, and unauthenticated 500 MB PUTs are refused before
 * their bodies are read.
 */
import { createHash } from 'node:crypto';
import { request, type IncomingMessage } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChildSandbox, type ChildSandbox } from './child-sandbox.js';

const MiB = 1024 * 1024;
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** Sends `total` bytes of a repeated 1 MiB pattern as a streamed body, never all in memory. */
function pattern(): Buffer {
  const bytes = Buffer.alloc(MiB);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + 7) & 0xff;
  return bytes;
}

function sendStreamed(
  url: URL,
  headers: Record<string, string>,
  total: number,
  method = 'PUT',
): Promise<{ response: IncomingMessage; sent: number; text: string }> {
  const piece1 = pattern();
  return new Promise((resolve, reject) => {
    let sent = 0;
    const req = request(url, { method, headers: { ...headers, 'content-length': String(total) } });
    req.on('error', (error) => {
      // A refused request's connection may close while the client still writes.
      if (answered) return;
      reject(error);
    });
    let answered = false;
    req.on('response', (response) => {
      answered = true;
      // The answer is read before the request (still sending) is torn down.
      readAll(response).then(
        (text) => {
          resolve({ response, sent, text });
          if (sent < total) req.destroy();
        },
        (error: unknown) => reject(error as Error),
      );
    });
    const pump = () => {
      while (sent < total && !answered) {
        const piece = total - sent >= MiB ? piece1 : piece1.subarray(0, total - sent);
        sent += piece.length;
        if (!req.write(piece)) {
          req.once('drain', pump);
          return;
        }
      }
      if (sent >= total && !answered) req.end();
    };
    pump();
  });
}

async function readAll(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function signedHeaders(url: URL, method: string, extra: Record<string, string>) {
  const signer = new SignatureV4({
    service: 's3',
    region: 'us-east-1',
    sha256: Sha256,
    credentials,
  });
  const signed = await signer.sign({
    method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...extra },
  });
  return signed.headers as Record<string, string>;
}

describe('S3 bodies in a sandbox of its own', () => {
  let sandbox: ChildSandbox;
  beforeAll(async () => {
    sandbox = await startChildSandbox();
    const s3 = new S3Client({
      endpoint: sandbox.endpoint,
      region: 'us-east-1',
      credentials,
      forcePathStyle: true,
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'big' }));
    s3.destroy();
  });
  afterAll(() => sandbox?.stop());

  it('refuses three unauthenticated 500 MB PUTs without reading them', async () => {
    const started = Date.now();
    const results = await Promise.all(
      [1, 2, 3].map((n) =>
        sendStreamed(new URL(`${sandbox.endpoint}/big/unsigned-${n}`), {}, 500 * MiB),
      ),
    );
    const elapsed = Date.now() - started;
    for (const { response, sent, text } of results) {
      expect(response.statusCode).toBe(403);
      expect(text).toContain('<Code>AccessDenied</Code>');
      expect(sent).toBeLessThan(64 * MiB);
    }
    expect(elapsed).toBeLessThan(10_000);
    const rss = sandbox.peakRss();
    if (rss !== undefined) expect(rss).toBeLessThan(200 * MiB);
    expect((await fetch(`${sandbox.endpoint}/_labwright/health`)).status).toBe(200);
  });

  it('streams a 1 GB PutObject to disk and back under 200 MB of RSS', async () => {
    const size = 1024 * MiB;
    const url = new URL(`${sandbox.endpoint}/big/one-gigabyte.bin`);
    const headers = await signedHeaders(url, 'PUT', { 'content-length': String(size) });
    const { response, text } = await sendStreamed(url, headers, size);
    expect(response.statusCode, text).toBe(200);
    const etag = response.headers.etag;

    const getUrl = new URL(`${sandbox.endpoint}/big/one-gigabyte.bin`);
    const getHeaders = await signedHeaders(getUrl, 'GET', {});
    const back = await new Promise<IncomingMessage>((resolve, reject) =>
      request(getUrl, { headers: getHeaders }, resolve).on('error', reject).end(),
    );
    expect(back.statusCode).toBe(200);
    expect(back.headers['content-length']).toBe(String(size));
    // The bytes that come back are the ones sent: their MD5 is the ETag the PUT answered, and
    // they begin with the pattern (hashing once, here, keeps the test quick).
    const hash = createHash('md5');
    let received = 0;
    let first: Buffer | undefined;
    for await (const chunk of back as AsyncIterable<Buffer>) {
      first ??= Buffer.from(chunk.subarray(0, 64));
      hash.update(chunk);
      received += chunk.length;
    }
    expect(received).toBe(size);
    expect(`"${hash.digest('hex')}"`).toBe(etag);
    expect(first).toEqual(pattern().subarray(0, 64));

    const rss = sandbox.peakRss();
    console.log(
      `sandbox peak RSS after a 1 GB PutObject and GetObject: ${((rss ?? 0) / MiB).toFixed(1)} MiB`,
    );
    if (rss !== undefined) expect(rss).toBeLessThan(200 * MiB);
  }, 180_000);
});
