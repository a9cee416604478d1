/** Identifiers shaped like AWS's: request ids, IAM unique ids, access keys and secrets. */
import { randomFillSync, randomUUID } from 'node:crypto';

/**
 * Random bytes from a pool refilled 16 KiB at a time: a sandbox draws a few dozen bytes on most
 * calls (S3 host ids, KMS IVs and data keys), and one `randomBytes` call per draw costs more than
 * the bytes (Node pools randomUUID the same way).
 */
const POOL_SIZE = 16 * 1024;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let poolOffset = POOL_SIZE;

export function randomBytes(length: number): Buffer {
  if (length > POOL_SIZE) return randomFillSync(Buffer.alloc(length));
  if (poolOffset + length > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  // A copy: the pool's bytes are handed out once.
  const out = Buffer.from(pool.subarray(poolOffset, poolOffset + length));
  poolOffset += length;
  return out;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += BASE32[b & 31];
  return out;
}

export function requestId(): string {
  return randomUUID();
}

/** `AROA` + 17 characters for roles, `ANPA` for managed policies (21 in all, as AWS). */
export function uniqueId(prefix: 'AROA' | 'ANPA' | 'AIDA'): string {
  return prefix + base32(17);
}

/** Temporary access key id: `ASIA` + 16 characters. */
export function temporaryAccessKeyId(): string {
  return 'ASIA' + base32(16);
}

export function secretAccessKey(): string {
  return randomBytes(30).toString('base64');
}

/** `length` random bytes as base64 (KMS key material, IVs, data keys). */
export function randomBase64(length: number): string {
  return randomBytes(length).toString('base64');
}

export function sessionToken(): string {
  return 'FwoGZXIvYXdzE' + randomBytes(96).toString('base64');
}
