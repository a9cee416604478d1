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

/** A chunk header (`<hex size>[;chunk-signature=...]`) longer than this is not one. */
const MAX_CHUNK_HEADER = 4096;
/** Trailing headers (`x-amz-checksum-crc32:...`) are a few short lines. */
const MAX_TRAILERS = 16 * 1024;

/**
 * Decodes an aws-chunked body as it streams in (S3 PutObject and UploadPart bodies never sit in
 * memory whole): `push` returns the payload bytes each piece carries, `end` checks the body was
 * complete. Detects a body that a layer in front already decoded (not chunk-framed) and passes
 * it through.
 */
export class AwsChunkedDecoder {
  /** Trailing headers (lower-cased names), e.g. x-amz-checksum-crc32. */
  readonly trailers: Record<string, string> = {};
  private state: 'detect' | 'size' | 'data' | 'crlf' | 'trailers' | 'done' | 'raw' = 'detect';
  private pending = Buffer.alloc(0);
  private remaining = 0;
  private crlfSeen = 0;

  /** `detect`: only when the headers allow a pre-decoded body (see isAwsChunked). */
  constructor(detect: boolean) {
    if (!detect) this.state = 'size';
  }

  push(input: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let data = input;
    if (this.state === 'detect') {
      this.pending = Buffer.concat([this.pending, data]);
      const head = this.pending.subarray(0, 200).toString('latin1');
      if (head === '') return out;
      if (/^[0-9a-fA-F]+(;[^\r\n]*)?\r\n/.test(head)) this.state = 'size';
      else if (this.pending.length >= 200 || head.includes('\r\n') || !/^[0-9a-fA-F]/.test(head))
        this.state = 'raw';
      else return out;
      data = this.pending;
      this.pending = Buffer.alloc(0);
    }
    if (this.state === 'raw') {
      if (data.length > 0) out.push(data);
      return out;
    }
    let pos = 0;
    while (pos < data.length) {
      switch (this.state) {
        case 'size': {
          let line: string | undefined;
          if (this.pending.at(-1) === 0x0d && data[pos] === 0x0a) {
            line = this.pending.subarray(0, -1).toString('latin1');
            pos += 1;
          } else {
            const eol = data.indexOf('\r\n', pos, 'latin1');
            if (eol >= 0) {
              line = Buffer.concat([this.pending, data.subarray(pos, eol)]).toString('latin1');
              pos = eol + 2;
            }
          }
          if (line === undefined) {
            this.pending = Buffer.concat([this.pending, data.subarray(pos)]);
            if (this.pending.length > MAX_CHUNK_HEADER) throw incomplete();
            return out;
          }
          this.pending = Buffer.alloc(0);
          const sizeText = line.split(';', 1)[0] ?? '';
          if (!/^[0-9a-fA-F]{1,12}$/.test(sizeText)) throw incomplete();
          this.remaining = parseInt(sizeText, 16);
          this.state = this.remaining === 0 ? 'trailers' : 'data';
          break;
        }
        case 'data': {
          const take = Math.min(this.remaining, data.length - pos);
          out.push(data.subarray(pos, pos + take));
          pos += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = 'crlf';
          break;
        }
        case 'crlf': {
          // The two bytes after a chunk's data; they may arrive in separate pieces.
          if (data[pos] !== (this.crlfSeen === 0 ? 0x0d : 0x0a)) throw incomplete();
          pos += 1;
          this.crlfSeen += 1;
          if (this.crlfSeen === 2) {
            this.crlfSeen = 0;
            this.state = 'size';
          }
          break;
        }
        case 'trailers': {
          this.pending = Buffer.concat([this.pending, data.subarray(pos)]);
          pos = data.length;
          if (this.pending.length > MAX_TRAILERS) throw incomplete();
          this.readTrailers(false);
          break;
        }
        default:
          // Anything after the final empty line is ignored, as S3 does.
          return out;
      }
    }
    return out;
  }

  /**
   * The body ended: throws IncompleteBody unless the final chunk arrived; returns what a short
   * body not chunk-framed after all still held back.
   */
  end(): Buffer[] {
    if (this.state === 'detect') {
      this.state = 'raw';
      const rest = this.pending;
      this.pending = Buffer.alloc(0);
      return rest.length > 0 ? [rest] : [];
    }
    if (this.state === 'trailers') this.readTrailers(true);
    if (this.state !== 'done' && this.state !== 'raw') throw incomplete();
    return [];
  }

  private readTrailers(atEnd: boolean): void {
    let pos = 0;
    for (;;) {
      const eol = this.pending.indexOf('\r\n', pos, 'latin1');
      if (eol < 0 && !atEnd) break;
      const line = this.pending
        .subarray(pos, eol < 0 ? this.pending.length : eol)
        .toString('latin1');
      pos = eol < 0 ? this.pending.length : eol + 2;
      if (line === '') {
        this.state = 'done';
        break;
      }
      const colon = line.indexOf(':');
      if (colon > 0)
        this.trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      if (eol < 0) {
        this.state = 'done';
        break;
      }
    }
    this.pending = this.pending.subarray(pos);
  }
}

function incomplete(): AwsError {
  return new AwsError('IncompleteBody', 'The request body terminated unexpectedly', 400);
}
