/**
 * A call's parsed input as journal JSON and back. Bytes go to the blob store and the record names
 * them by hash (`{ $blob }`), so a body is stored once however often it is sent; a few bytes (a
 * KMS plaintext or ciphertext) stay in the record as base64 (`{ $bytes }`), which costs less than
 * a blob file per call; dates keep their
 * type (`{ $date }`). An input object that itself has such a key is wrapped (`{ $obj }`), so no
 * input can pass for an encoded value.
 */
import type { BlobStore } from './types.js';

const MARKERS = ['$blob', '$bytes', '$date', '$obj'];
/** Up to this many bytes are kept in the record itself (KMS's largest plaintext is 4 KiB). */
const INLINE_BYTES = 4096;
/** Deeper than any AWS input shape; the protocols refuse deeper values before they get here. */
const MAX_DEPTH = 100;

export async function encodeInput(value: unknown, blobs: BlobStore | undefined): Promise<unknown> {
  const pending: Promise<void>[] = [];
  const encode = (v: unknown, depth: number): unknown => {
    if (depth > MAX_DEPTH) throw new Error(`input nested deeper than ${MAX_DEPTH} levels`);
    if (v instanceof Uint8Array && v.length <= INLINE_BYTES) {
      // A view of the bytes, not a copy: this runs for every such call.
      return { $bytes: Buffer.from(v.buffer, v.byteOffset, v.length).toString('base64') };
    }
    if (v instanceof Uint8Array) {
      const ref: { $blob: string } = { $blob: '' };
      if (!blobs) throw new Error('bytes in an input, and no blob store to keep them');
      pending.push(blobs.put(v).then((id) => void (ref.$blob = id)));
      return ref;
    }
    if (v instanceof Date) return { $date: v.toISOString() };
    if (Array.isArray(v)) return v.map((item) => encode(item, depth + 1));
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(v)) {
        if (item !== undefined) out[key] = encode(item, depth + 1);
      }
      return Object.keys(out).some((key) => MARKERS.includes(key)) ? { $obj: out } : out;
    }
    return v;
  };
  const encoded = encode(value, 0);
  await Promise.all(pending);
  return encoded;
}

export async function decodeInput(value: unknown, blobs: BlobStore | undefined): Promise<unknown> {
  if (Array.isArray(value)) return Promise.all(value.map((item) => decodeInput(item, blobs)));
  if (!value || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  if (typeof object.$blob === 'string') {
    const data = await blobs?.get(object.$blob);
    if (!data) throw new Error(`the blob ${object.$blob} is missing`);
    return data;
  }
  if (typeof object.$bytes === 'string') return Buffer.from(object.$bytes, 'base64');
  if (typeof object.$date === 'string') return new Date(object.$date);
  const fields = (object.$obj ?? object) as Record<string, unknown>;
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [key, item] of Object.entries(fields)) out[key] = await decodeInput(item, blobs);
  return out;
}
