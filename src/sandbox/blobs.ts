/**
 * Large binary values (S3 object bodies) kept beside the JSON state rather than inside it:
 * content-addressed by SHA-256, one file each under `<state dir>/blobs/`. Bodies stream in
 * (hashed as they arrive, never held whole in memory) and are durable before anyone refers to
 * them: temp file, fsync, rename, fsync of the directory. Without a directory they live in memory.
 *
 * A small body is the exception: it is staged in memory and the journal record of the call that
 * sent it carries its bytes, so the one group fsync of the journal makes both durable (two fsyncs
 * of its own per object would cost more than the call). Staged blobs become files at the next
 * snapshot, or sooner when they add up (STAGED_MAX): a snapshot drops the records' copies.
 */
import { createHash, type Hash } from 'node:crypto';
import { forEachBounded } from '../for-each-bounded.js';
import { randomBytes } from './ids.js';
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { syncDirectory } from './sync-directory.js';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import type { BlobRef, BlobStore, BlobWriter } from './types.js';

export function createBlobStore(dir: string | undefined): BlobStore {
  return dir ? new DirectoryBlobStore(dir) : new MemoryBlobStore();
}

/** Writes reach the disk in batches of this size: fewer system calls, bounded memory. */
const WRITE_BATCH = 1024 * 1024;
/** Bodies up to this size are staged (see above); larger ones stream to a file. */
export const STAGE_MAX = 64 * 1024;
/** Staged bytes beyond this are written out at once, whatever the snapshot schedule. */
const STAGED_MAX = 8 * 1024 * 1024;
/** Staged blobs written at once by a flush (libuv runs four file operations at a time). */
const FLUSH_PARALLEL = 8;
/** What a read stream hands out at a time. */
const READ_CHUNK = 256 * 1024;

/** zlib.crc32 arrived in Node 20.15 / 22.2; without it BlobRef carries no CRC32. */
const crc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** SHA-256 (the id), MD5 (the ETag) and CRC32 of a body, computed as it streams. */
class Digests {
  private readonly sha256: Hash = createHash('sha256');
  private readonly md5: Hash = createHash('md5');
  private crc = 0;
  size = 0;

  update(chunk: Buffer): void {
    this.sha256.update(chunk);
    this.md5.update(chunk);
    if (crc32) this.crc = crc32(chunk, this.crc);
    this.size += chunk.length;
  }

  ref(): BlobRef {
    const ref: BlobRef = {
      blob: this.sha256.digest('hex'),
      size: this.size,
      md5: this.md5.digest('hex'),
    };
    if (crc32) {
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(this.crc >>> 0);
      ref.crc32 = crc.toString('base64');
    }
    return ref;
  }
}

/** Committed blobs still held by the request that wrote them (see BlobStore.unhold). */
class Holds {
  private readonly held = new Map<string, Set<BlobRef>>();

  hold(ref: BlobRef): void {
    const set = this.held.get(ref.blob) ?? new Set<BlobRef>();
    set.add(ref);
    this.held.set(ref.blob, set);
  }

  unhold(ref: BlobRef): void {
    const set = this.held.get(ref.blob);
    if (!set) return;
    set.delete(ref);
    if (set.size === 0) this.held.delete(ref.blob);
  }

  has(id: string): boolean {
    return this.held.has(id);
  }
}

class MemoryBlobStore implements BlobStore {
  private readonly blobs = new Map<string, Buffer>();
  private readonly holds = new Holds();

  async put(data: Uint8Array): Promise<string> {
    const writer = this.writer();
    await writer.write(Buffer.from(data));
    const ref = await writer.commit();
    this.holds.unhold(ref);
    return ref.blob;
  }

  async get(id: string): Promise<Buffer | undefined> {
    return this.blobs.get(id);
  }

  async delete(id: string): Promise<void> {
    if (!this.holds.has(id)) this.blobs.delete(id);
  }

  writer(): BlobWriter {
    const digests = new Digests();
    let chunks: Buffer[] = [];
    return {
      get size() {
        return digests.size;
      },
      write: async (chunk) => {
        digests.update(chunk);
        chunks.push(Buffer.from(chunk));
      },
      commit: async (check) => {
        const ref = digests.ref();
        check?.(ref);
        this.blobs.set(ref.blob, Buffer.concat(chunks));
        chunks = [];
        this.holds.hold(ref);
        return ref;
      },
      abort: async () => {
        chunks = [];
      },
    };
  }

  async open(id: string, start = 0, end?: number): Promise<Readable | undefined> {
    const data = this.blobs.get(id);
    if (!data) return undefined;
    return Readable.from([data.subarray(start, end === undefined ? undefined : end + 1)]);
  }

  unhold(ref: BlobRef): void {
    this.holds.unhold(ref);
  }
}

class DirectoryBlobStore implements BlobStore {
  private readonly holds = new Holds();
  /** Small blobs whose bytes the journal holds, not yet files (see the top of this file). */
  private readonly stagedBlobs = new Map<string, Buffer>();
  private stagedBytes = 0;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly dir: string) {}

  staged(id: string): Buffer | undefined {
    return this.stagedBlobs.get(id);
  }

  /**
   * Writes the staged blobs as durable files; flushes run one after another. A batch shares its
   * syncs: the files are written and synced FLUSH_PARALLEL at a time (the file system commits
   * concurrent syncs together), renamed, and then each folder they went into is synced once,
   * not once per file.
   */
  flush(): Promise<void> {
    const run = this.flushing.then(async () => {
      const batch = [...this.stagedBlobs];
      if (batch.length === 0) return;
      const temps = new Map<string, string>();
      try {
        await forEachBounded(batch, FLUSH_PARALLEL, async ([id, data]) => {
          temps.set(id, await this.writeSynced(data));
        });
        const folders = new Set<string>();
        let newFolder = false;
        for (const [id] of batch) {
          const target = this.path(id);
          if ((await mkdir(dirname(target), { recursive: true })) !== undefined) newFolder = true;
          await rename(temps.get(id) as string, target);
          temps.delete(id);
          folders.add(dirname(target));
        }
        await forEachBounded([...folders], FLUSH_PARALLEL, syncDirectory);
        if (newFolder) await syncDirectory(this.dir);
      } finally {
        await Promise.all([...temps.values()].map((temp) => rm(temp, { force: true })));
      }
      for (const [id, data] of batch) {
        if (this.stagedBlobs.get(id) !== data) continue;
        this.stagedBlobs.delete(id);
        this.stagedBytes -= data.length;
      }
    });
    this.flushing = run.catch(() => undefined);
    return run;
  }

  private stage(id: string, data: Buffer): void {
    if (this.stagedBlobs.has(id)) return;
    this.stagedBlobs.set(id, data);
    this.stagedBytes += data.length;
    if (this.stagedBytes > STAGED_MAX) {
      // A write that fails here is tried again by the next snapshot's flush.
      this.flush().catch(() => undefined);
    }
  }

  /** A fresh name in the blobs' temp folder. */
  private tempPath(): string {
    return join(this.dir, 'tmp', `${process.pid}.${randomBytes(8).toString('hex')}`);
  }

  /** A whole blob as a synced temp file, not yet under its name: returns the temp file. */
  private async writeSynced(data: Buffer): Promise<string> {
    const temp = this.tempPath();
    await mkdir(dirname(temp), { recursive: true });
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return temp;
  }

  /** Moves a complete, synced temp file to its blob's name, durably. */
  private async place(temp: string, id: string): Promise<void> {
    const target = this.path(id);
    const created = await mkdir(dirname(target), { recursive: true });
    // Same bytes, same name: replacing an existing blob changes nothing it holds.
    await rename(temp, target);
    await syncDirectory(dirname(target));
    // The blobs folder changed only if the prefix folder is new.
    if (created !== undefined) await syncDirectory(this.dir);
  }

  private path(id: string): string {
    if (!/^[0-9a-f]{64}$/.test(id)) throw new Error(`not a blob id: ${id}`);
    return join(this.dir, id.slice(0, 2), id);
  }

  async put(data: Uint8Array): Promise<string> {
    const writer = this.writer();
    await writer.write(Buffer.from(data));
    const ref = await writer.commit();
    this.holds.unhold(ref);
    return ref.blob;
  }

  async get(id: string): Promise<Buffer | undefined> {
    const staged = this.stagedBlobs.get(id);
    if (staged) return staged;
    try {
      const handle = await open(this.path(id), 'r');
      try {
        return await handle.readFile();
      } finally {
        await handle.close();
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async delete(id: string): Promise<void> {
    if (this.holds.has(id)) return;
    const staged = this.stagedBlobs.get(id);
    if (staged) {
      this.stagedBlobs.delete(id);
      this.stagedBytes -= staged.length;
    }
    await rm(this.path(id), { force: true });
  }

  unhold(ref: BlobRef): void {
    this.holds.unhold(ref);
  }

  writer(): BlobWriter {
    const digests = new Digests();
    // Named when the body first reaches the disk: a small body is staged and never does.
    let temp: string | undefined;
    let handle: FileHandle | undefined;
    let batch: Buffer[] = [];
    let batched = 0;
    let done = false;

    const flush = async () => {
      if (!handle) {
        temp = this.tempPath();
        await mkdir(dirname(temp), { recursive: true });
        handle = await open(temp, 'w');
      }
      if (batch.length > 0) await handle.writev(batch);
      batch = [];
      batched = 0;
    };
    const discard = async () => {
      done = true;
      batch = [];
      await handle?.close().catch(() => undefined);
      handle = undefined;
      if (temp) await rm(temp, { force: true });
    };

    return {
      get size() {
        return digests.size;
      },
      write: async (chunk) => {
        if (done) throw new Error('blob writer already finished');
        digests.update(chunk);
        batch.push(chunk);
        batched += chunk.length;
        if (batched >= WRITE_BATCH) await flush();
      },
      commit: async (check) => {
        if (done) throw new Error('blob writer already finished');
        try {
          const ref = digests.ref();
          check?.(ref);
          if (!handle && ref.size <= STAGE_MAX) {
            // Never reached the disk: staged, for the journal record to carry.
            this.stage(ref.blob, Buffer.concat(batch));
            batch = [];
            done = true;
            this.holds.hold(ref);
            return ref;
          }
          await flush();
          const file = handle as FileHandle;
          await file.sync();
          await file.close();
          handle = undefined;
          await this.place(temp as string, ref.blob);
          done = true;
          this.holds.hold(ref);
          return ref;
        } catch (error) {
          await discard();
          throw error;
        }
      },
      abort: discard,
    };
  }

  async open(id: string, start = 0, end?: number): Promise<Readable | undefined> {
    const staged = this.stagedBlobs.get(id);
    if (staged) {
      return Readable.from([staged.subarray(start, end === undefined ? undefined : end + 1)]);
    }
    const path = this.path(id);
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const last = Math.min(end ?? size - 1, size - 1);
    // A generator opens the file only when the stream is first read, and closes it when the
    // stream ends or is destroyed: a body nobody reads costs no file descriptor.
    return Readable.from(readRange(path, start, last), { objectMode: false });
  }
}

async function* readRange(path: string, start: number, last: number): AsyncGenerator<Buffer> {
  const handle = await open(path, 'r');
  try {
    let position = start;
    while (position <= last) {
      const length = Math.min(READ_CHUNK, last - position + 1);
      const buffer = Buffer.allocUnsafe(length);
      const { bytesRead } = await handle.read(buffer, 0, length, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      yield bytesRead === length ? buffer : buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}
