/**
 * S3's `aws-chunked` content encoding: the aws CLI, boto3 and the SDK stream uploads as
 * `<hex size>[;chunk-signature=...]\r\n<data>\r\n ... 0\r\n<trailers>\r\n`, with
 * x-amz-content-sha256 STREAMING-* and, for flexible checksums, trailing headers such as
 * x-amz-checksum-crc32. An object's stored body must be the decoded payload.
 */
import { AwsError } from '../types.js';

export interface DecodedChunks {
  payload: Buffer;
  /** Trailing headers (lower-cased names), e.g. x-amz-checksum-crc32. */
  trailers: Record<string, string>;
}

/** Whether the request's headers announce an aws-chunked body that still needs decoding. */
export function isAwsChunked(headers: Record<string, string>, body: Buffer): boolean {
  const sha = headers['x-amz-content-sha256'] ?? '';
  const encoding = headers['content-encoding'] ?? '';
  const announced = sha.startsWith('STREAMING-') || /(^|,)\s*aws-chunked\s*(,|$)/.test(encoding);
  if (!announced) return false;
  // A layer in front of us may already have decoded it: then the length is the decoded one.
  const decoded = headers['x-amz-decoded-content-length'];
  if (decoded !== undefined && Number(decoded) === body.length) {
    return false;
  }
  return looksChunked(body);
}

function looksChunked(body: Buffer): boolean {
  const head = body.subarray(0, 200).toString('latin1');
  return /^[0-9a-fA-F]+(;[^\r\n]*)?\r\n/.test(head);
}

export function decodeAwsChunked(body: Buffer): DecodedChunks {
  const chunks: Buffer[] = [];
  const trailers: Record<string, string> = {};
  let pos = 0;
  const malformed = () =>
    new AwsError('IncompleteBody', 'The request body terminated unexpectedly', 400);
  for (;;) {
    const eol = body.indexOf('\r\n', pos, 'latin1');
    if (eol < 0) throw malformed();
    const header = body.subarray(pos, eol).toString('latin1');
    const size = parseInt(header.split(';', 1)[0] ?? '', 16);
    if (!Number.isFinite(size) || size < 0) throw malformed();
    pos = eol + 2;
    if (size === 0) break;
    if (pos + size > body.length) throw malformed();
    chunks.push(body.subarray(pos, pos + size));
    pos += size;
    if (body.subarray(pos, pos + 2).toString('latin1') !== '\r\n') throw malformed();
    pos += 2;
  }
  // Trailers: `name:value\r\n` lines, ended by an empty line (or the end of the body).
  while (pos < body.length) {
    const eol = body.indexOf('\r\n', pos, 'latin1');
    const line = body.subarray(pos, eol < 0 ? body.length : eol).toString('latin1');
    pos = eol < 0 ? body.length : eol + 2;
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon > 0)
      trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { payload: Buffer.concat(chunks), trailers };
}
