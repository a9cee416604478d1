/**
 * Object bodies: content-addressed blobs (src/sandbox/blobs.ts), held while a request that wrote
 * one has not yet stored a reference, and released once no object version or pending part
 * refers to them.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { dict, lookup } from '../../dict.js';
import { isBlobRef, type BlobRef, type BlobStore, type SandboxCore } from '../../types.js';
import { internalError } from './errors.js';
import type { S3State } from './models.js';

export const md5 = (data: Uint8Array) => createHash('md5').update(data).digest();

/** A body a request brought: its reference, and whether the blob store holds it for us. */
export interface ReceivedBody {
  ref: BlobRef;
  held: boolean;
}

export interface BodyStore {
  /**
   * A body as PutObject and UploadPart receive it: a BlobRef from the wire (already durable in
   * the blob store, held until the request ends), or bytes from core.invoke (a training job's
   * model artifact), which are stored here.
   */
  received(body: unknown): Promise<ReceivedBody>;
  /** The parts of a multipart upload, one after the other, streamed into a new blob. */
  concatenate(parts: string[]): Promise<ReceivedBody>;
  /**
   * After a write that failed (no bucket, AccessDenied, BadDigest), its blob goes unless
   * something else refers to it; after one that succeeded, only the hold ends.
   */
  settle(body: ReceivedBody, failed: boolean): Promise<void>;
  /** Drops a blob once no object version or pending part refers to it any more. */
  release(blob: string | undefined): Promise<void>;
  /** A blob's bytes (`start..end` inclusive), streamed as they are sent. */
  open(blob: string, start?: number, end?: number): Promise<Readable>;
}

export function bodyStore(core: SandboxCore, state: () => S3State): BodyStore {
  const inline = inlineBlobs(() => (state().inline ??= dict()), core);
  const files = core.store.blobs ?? inline;
  // Bodies saved inline by an older store stay readable once the store offers blob files.
  const blobs: BlobStore = {
    put: (data) => files.put(data),
    get: async (id) => (await files.get(id)) ?? (files === inline ? undefined : inline.get(id)),
    delete: async (id) => {
      await files.delete(id);
      if (files !== inline && lookup(state().inline, id) !== undefined) await inline.delete(id);
    },
    writer: files.writer?.bind(files),
    unhold: (ref) => files.unhold?.(ref),
    open: async (id, start, end) => {
      const stream = await files.open?.(id, start, end);
      if (stream) return stream;
      const data = await blobs.get(id);
      return (
        data && Readable.from([data.subarray(start ?? 0, end === undefined ? undefined : end + 1)])
      );
    },
  };

  const received = async (body: unknown): Promise<ReceivedBody> => {
    if (isBlobRef(body)) return { ref: body, held: true };
    const data = toBuffer(body);
    if (blobs.writer) {
      const writer = blobs.writer();
      await writer.write(data);
      return { ref: await writer.commit(), held: true };
    }
    const blob = await blobs.put(data);
    const ref: BlobRef = { blob, size: data.length, md5: md5(data).toString('hex') };
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(data) >>> 0);
    ref.crc32 = crc.toString('base64');
    return { ref, held: false };
  };

  const inUse = (blob: string): boolean => {
    for (const b of Object.values(state().buckets)) {
      if (Object.values(b.objects).some((o) => o.blob === blob)) return true;
      for (const versions of Object.values(b.versions ?? {})) {
        if (versions.some((v) => !v.deleteMarker && v.blob === blob)) return true;
      }
      for (const u of Object.values(b.uploads ?? {})) {
        if (Object.values(u.parts).some((p) => p.blob === blob)) return true;
      }
    }
    return false;
  };

  const release = async (blob: string | undefined) => {
    if (blob && !inUse(blob)) await blobs.delete(blob);
  };

  return {
    received,
    async concatenate(parts) {
      if (!blobs.writer) {
        const chunks: Buffer[] = [];
        for (const id of parts) {
          const data = await blobs.get(id);
          if (!data) throw internalError();
          chunks.push(data);
        }
        return received(Buffer.concat(chunks));
      }
      const writer = blobs.writer();
      try {
        for (const id of parts) {
          const stream = await blobs.open?.(id);
          if (!stream) throw internalError();
          for await (const chunk of stream as AsyncIterable<Buffer>) await writer.write(chunk);
        }
        return { ref: await writer.commit(), held: true };
      } catch (error) {
        await writer.abort();
        throw error;
      }
    },
    async settle(body, failed) {
      if (body.held) blobs.unhold?.(body.ref);
      if (failed) await release(body.ref.blob);
    },
    release,
    async open(blob, start, end) {
      const body = await blobs.open?.(blob, start, end);
      if (!body) throw internalError();
      return body;
    },
  };
}

function toBuffer(body: unknown): Buffer {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body);
  return Buffer.from(String(body), 'utf8');
}

/**
 * Object bodies inside the service's JSON state, for a store without blob storage: slower and
 * bigger than files, but they survive a restart like everything else.
 */
function inlineBlobs(table: () => Record<string, string>, core: SandboxCore): BlobStore {
  return {
    async put(data) {
      const id = createHash('sha256').update(data).digest('hex');
      table()[id] = Buffer.from(data).toString('base64');
      core.store.changed();
      return id;
    },
    async get(id) {
      const data = lookup(table(), id);
      return data === undefined ? undefined : Buffer.from(data, 'base64');
    },
    async delete(id) {
      delete table()[id];
      core.store.changed();
    },
  };
}
