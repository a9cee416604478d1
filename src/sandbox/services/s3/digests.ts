/** The digests a client declares for a body, against those taken as it streamed in. */
import type { BlobRef } from '../../types.js';
import { type Input, optString } from '../input.js';
import { s3Error as err } from './errors.js';

/**
 * Content-MD5 and the flexible checksums the clients send, against the digests taken as the body
 * streamed in: a mismatch is BadDigest, as on S3.
 */
export function verifyDigests(input: Input, ref: BlobRef): void {
  const contentMd5 = optString(input, 'ContentMD5');
  const md5Base64 = Buffer.from(ref.md5, 'hex').toString('base64');
  if (contentMd5 !== undefined && contentMd5 !== md5Base64) {
    throw err('BadDigest', 'The Content-MD5 you specified did not match what we received.', 400, {
      ExpectedDigest: contentMd5,
      CalculatedDigest: md5Base64,
    });
  }
  const crc = optString(input, 'ChecksumCRC32');
  if (crc !== undefined && ref.crc32 !== undefined && crc !== ref.crc32) {
    throw err('BadDigest', 'The CRC32 you specified did not match the calculated checksum.', 400);
  }
  const sha256 = optString(input, 'ChecksumSHA256');
  if (sha256 !== undefined && sha256 !== Buffer.from(ref.blob, 'hex').toString('base64')) {
    throw err('BadDigest', 'The SHA256 you specified did not match the calculated checksum.', 400);
  }
}

export function checksumsOf(input: Input): Record<string, string> | undefined {
  const checksums: Record<string, string> = {};
  for (const name of [
    'ChecksumCRC32',
    'ChecksumCRC32C',
    'ChecksumCRC64NVME',
    'ChecksumSHA1',
    'ChecksumSHA256',
  ]) {
    const value = optString(input, name);
    if (value !== undefined) checksums[name] = value;
  }
  return Object.keys(checksums).length ? checksums : undefined;
}

export function normalizeEtag(etag: string): string {
  return etag.startsWith('"') ? etag : `"${etag}"`;
}
