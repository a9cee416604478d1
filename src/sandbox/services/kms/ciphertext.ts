/**
 * KMS ciphertext blobs: real authenticated encryption (AES-256-GCM) under the key's own secret.
 * The blob carries the key id, so Decrypt needs no KeyId, and the encryption context is bound as
 * additional authenticated data, so a blob opens only with the context it was sealed with. The
 * layout is the sandbox's own (AWS's is opaque too): version, key id, IV, tag, ciphertext.
 */
import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto';
import { invalidCiphertext } from './errors.js';

const VERSION = 1;
const KEY_ID_LENGTH = 36;
const IV_LENGTH = 12;
const TAG_LENGTH = 16;
const HEADER_LENGTH = 1 + KEY_ID_LENGTH + IV_LENGTH + TAG_LENGTH;

export type EncryptionContext = Record<string, string>;

/** The context as AAD: its pairs sorted by key, as JSON, so no two contexts share a form. */
function additionalData(context: EncryptionContext): Buffer {
  const pairs = Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.from(JSON.stringify(pairs), 'utf8');
}

/** Imported key material, by its base64 text: importing it again on every call cost more than the AES. */
const imported = new Map<string, KeyObject>();
const IMPORTED_MAX = 256;

function secretKey(material: string): KeyObject {
  let key = imported.get(material);
  if (!key) {
    key = createSecretKey(Buffer.from(material, 'base64'));
    if (imported.size >= IMPORTED_MAX) imported.delete(imported.keys().next().value as string);
    imported.set(material, key);
  }
  return key;
}

export function seal(
  keyId: string,
  material: string,
  iv: string,
  plaintext: Uint8Array,
  context: EncryptionContext,
): Buffer {
  const ivBytes = Buffer.from(iv, 'base64');
  const cipher = createCipheriv('aes-256-gcm', secretKey(material), ivBytes);
  cipher.setAAD(additionalData(context));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([
    Buffer.from([VERSION]),
    Buffer.from(keyId.padEnd(KEY_ID_LENGTH), 'latin1'),
    ivBytes,
    cipher.getAuthTag(),
    body,
  ]);
}

/** The key id a blob names; InvalidCiphertextException when it is not one of ours. */
export function sealedKeyId(blob: Uint8Array): string {
  if (blob.length < HEADER_LENGTH || blob[0] !== VERSION) throw invalidCiphertext();
  return Buffer.from(blob.subarray(1, 1 + KEY_ID_LENGTH))
    .toString('latin1')
    .trimEnd();
}

/** Opens a blob with its key's secret; altered bytes or another context fail authentication. */
export function open(blob: Uint8Array, material: string, context: EncryptionContext): Buffer {
  const bytes = Buffer.from(blob);
  const ivStart = 1 + KEY_ID_LENGTH;
  const iv = bytes.subarray(ivStart, ivStart + IV_LENGTH);
  const tag = bytes.subarray(ivStart + IV_LENGTH, HEADER_LENGTH);
  try {
    const decipher = createDecipheriv('aes-256-gcm', secretKey(material), iv);
    decipher.setAAD(additionalData(context));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(bytes.subarray(HEADER_LENGTH)), decipher.final()]);
  } catch {
    throw invalidCiphertext();
  }
}
