/** Identifiers shaped like AWS's: request ids, IAM unique ids, access keys and secrets. */
import { randomBytes, randomUUID } from 'node:crypto';

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
