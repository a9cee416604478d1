/**
 * Large binary values (S3 object bodies) kept beside the JSON state rather than inside it:
 * content-addressed by SHA-256, one file each under `<state dir>/blobs/`, written atomically
 * (temp file, then rename). Without a directory they live in memory.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobStore } from './types.js';

export function createBlobStore(dir: string | undefined): BlobStore {
  return dir ? new DirectoryBlobStore(dir) : new MemoryBlobStore();
}

const idOf = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

class MemoryBlobStore implements BlobStore {
  private readonly blobs = new Map<string, Buffer>();

  async put(data: Uint8Array): Promise<string> {
    const id = idOf(data);
    this.blobs.set(id, Buffer.from(data));
    return id;
  }

  async get(id: string): Promise<Buffer | undefined> {
    return this.blobs.get(id);
  }

  async delete(id: string): Promise<void> {
    this.blobs.delete(id);
  }
}

class DirectoryBlobStore implements BlobStore {
  constructor(private readonly dir: string) {}

  private path(id: string): string {
    if (!/^[0-9a-f]{64}$/.test(id)) throw new Error(`not a blob id: ${id}`);
    return join(this.dir, id.slice(0, 2), id);
  }

  async put(data: Uint8Array): Promise<string> {
    const id = idOf(data);
    const target = this.path(id);
    await mkdir(join(this.dir, id.slice(0, 2)), { recursive: true });
    // Concurrent puts of the same body each write their own temp file; the rename is atomic.
    const temp = `${target}.${randomUUID()}.tmp`;
    await writeFile(temp, data);
    await rename(temp, target);
    return id;
  }

  async get(id: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.path(id));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async delete(id: string): Promise<void> {
    await rm(this.path(id), { force: true });
  }
}
