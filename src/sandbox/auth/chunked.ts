/**
 * aws-chunked bodies (S3 streaming uploads from the aws CLI, boto3 and the SDK):
 * `<hex size>[;chunk-signature=...]\r\n<data>\r\n ... 0[;...]\r\n[trailers]\r\n`.
 * The chunks are decoded; their signatures chain from the seed signature, which SigV4
 * verification checks, and are not recomputed here.
 */
import { AwsError } from '../types.js';

export function isAwsChunked(headers: Record<string, string>): boolean {
  const sha = headers['x-amz-content-sha256'] ?? '';
  return (
    sha.startsWith('STREAMING-') || (headers['content-encoding'] ?? '').includes('aws-chunked')
  );
}

export function decodeAwsChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < body.length) {
    const lineEnd = body.indexOf('\r\n', offset);
    if (lineEnd < 0) break;
    const header = body.subarray(offset, lineEnd).toString('latin1');
    const size = parseInt(header.split(';')[0] ?? '', 16);
    if (Number.isNaN(size)) {
      throw new AwsError('IncompleteBody', 'The request body is not valid aws-chunked encoding.');
    }
    offset = lineEnd + 2;
    if (size === 0) break; // what follows is trailers (x-amz-checksum-*), not data
    if (offset + size > body.length) {
      throw new AwsError('IncompleteBody', 'The request body terminated unexpectedly');
    }
    parts.push(body.subarray(offset, offset + size));
    offset += size + 2;
  }
  return Buffer.concat(parts);
}
