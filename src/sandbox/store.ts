/**
 * Durable sandbox state: one JSON file in a directory, saved atomically (temp file, fsync,
 * rename) and debounced, so a crash never leaves a half-written state and bursts of calls
 * cost one write. `memory` keeps everything in memory (tests, benchmarks).
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { open, rename, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { stateDir } from '../xdg.js';
import { createBlobStore } from './blobs.js';
import type { BlobStore, ServiceName, StateStore } from './types.js';

const STATE_FILE = 'state.json';
const BLOBS_DIR = 'blobs';
const SAVE_DELAY_MS = 50;

/** `${XDG_STATE_HOME:-~/.local/state}/labwright/sandbox` */
export function defaultStateDir(): string {
  return join(stateDir(), 'sandbox');
}

export class FileStateStore implements StateStore {
  private data: Record<string, object> = {};
  private timer: NodeJS.Timeout | undefined;
  private saving: Promise<void> = Promise.resolve();

  /** S3 object bodies, as files beside the state (memory without a directory). */
  readonly blobs: BlobStore;

  /** `dir` undefined: memory only. */
  constructor(private readonly dir: string | undefined) {
    this.blobs = createBlobStore(dir && join(dir, BLOBS_DIR));
    if (!dir) return;
    mkdirSync(dir, { recursive: true });
    try {
      this.data = JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8')) as Record<string, object>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        // A corrupt file (it cannot be half-written, but it can be hand-edited) starts afresh.
        this.data = {};
      }
    }
  }

  get<T extends object>(service: ServiceName | string, init: () => T): T {
    let value = this.data[service] as T | undefined;
    if (!value) {
      value = init();
      this.data[service] = value;
    }
    return value;
  }

  changed(): void {
    if (!this.dir || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.saving = this.saving.then(() => this.write()).catch(() => undefined);
    }, SAVE_DELAY_MS);
    this.timer.unref();
  }

  /** Writes pending changes now (on stop). */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.saving = this.saving.then(() => this.write());
    }
    await this.saving;
  }

  /** Forgets everything, on disk too. */
  reset(): void {
    for (const key of Object.keys(this.data)) delete this.data[key];
    if (this.dir) rmSync(join(this.dir, STATE_FILE), { force: true });
    if (this.dir) rmSync(join(this.dir, BLOBS_DIR), { recursive: true, force: true });
  }

  private async write(): Promise<void> {
    if (!this.dir) return;
    await mkdir(this.dir, { recursive: true });
    const target = join(this.dir, STATE_FILE);
    const temp = `${target}.${process.pid}.tmp`;
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(JSON.stringify(this.data));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  }
}
