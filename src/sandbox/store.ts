/**
 * The sandbox's state folder: the journal of calls (journal.jsonl, what makes state durable), a
 * snapshot of the state at some record (state.json, so a start replays only what came after it),
 * S3 bodies (blobs/), and the lock that keeps it to one sandbox. Opening it never loses a record:
 * what cannot be read is moved aside with a one-line notice, and the state comes from what can.
 * The folder and its files are the owner's alone (0700/0600): they hold session keys.
 * Without a folder everything lives in memory (tests, grading replays).
 */
import {
  chmodSync,
  closeSync,
  copyFileSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
} from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { stateDir } from '../xdg.js';
import { createBlobStore } from './blobs.js';
import { JOURNAL_FILE, parseJournal, type JournalRecord } from './journal.js';
import { lockStateDir } from './state-lock.js';
import type { TrailEvent } from './trail.js';
import type { BlobStore, ServiceName, StateStore } from './types.js';

export const STATE_FILE = 'state.json';
const BLOBS_DIR = 'blobs';
const SNAPSHOT_FORMAT = 1;
const LEGACY_EVENTS_FILE = 'events.jsonl';
/** A snapshot's pieces go to the file in buffers of about this many characters. */
const WRITE_CHUNK = 1 << 20;

/** `${XDG_STATE_HOME:-~/.local/state}/labwright/sandbox` */
export function defaultStateDir(): string {
  return join(stateDir(), 'sandbox');
}

/** A state folder the sandbox cannot use at all: said with its path and what to do. */
export class SandboxStateError extends Error {
  constructor(dir: string, reason: string) {
    super(
      `cannot use the sandbox state folder ${dir}: ${reason}. Start afresh with \`labwright sandbox --reset\` (or choose another folder with --state).`,
    );
    this.name = 'SandboxStateError';
  }
}

interface Snapshot {
  format: typeof SNAPSHOT_FORMAT;
  seq: number;
  hash: string;
  data: Record<string, object>;
  events: TrailEvent[];
}

type Data = Record<string, object>;

/** JSON with every object's prototype null, so no name in the state can reach Object.prototype. */
function parseState(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.assign(Object.create(null) as object, value)
      : value,
  );
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  !!value && typeof value === 'object' && !Array.isArray(value);

/** A service's state is an object; anything else is damage. */
function validData(value: unknown): value is Data {
  return isObject(value) && Object.values(value).every(isObject);
}

function stamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-');
}

export class FileStateStore implements StateStore {
  private data: Data = Object.create(null) as Data;
  /** S3 object bodies, as files beside the state (memory without a directory). */
  readonly blobs: BlobStore;
  /** The record the snapshot holds the state after ({ seq: 0 } for none). */
  readonly base: { seq: number; hash: string } = { seq: 0, hash: '' };
  /** Trail events the snapshot kept. */
  readonly baseEvents: TrailEvent[] = [];
  /** Journal records after the snapshot: replayed at start. */
  readonly tail: JournalRecord[] = [];
  /** Size of the snapshot read at start (0 for none). */
  readonly snapshotBytes: number = 0;
  /** Bytes of the journal that hold intact records. */
  readonly journalBytes: number = 0;
  /** One line for each thing that could not be read and was moved aside. */
  readonly notices: string[] = [];
  /** The state came from a state.json of before the journal, so the journal does not start empty. */
  readonly legacy: boolean = false;
  private releaseLock: (() => void) | undefined;

  /** `dir` undefined: memory only. */
  constructor(private readonly dir: string | undefined) {
    if (!dir) {
      // Kept too: a replayed journal names bodies that a later record may read again.
      this.blobs = withoutDeletes(createBlobStore(undefined));
      return;
    }
    this.prepare(dir);
    this.releaseLock = lockStateDir(dir);
    try {
      this.removeStrayFiles(dir);
      const snapshot = this.readSnapshot(dir);
      const journal = this.readJournalFile(dir);
      this.journalBytes = journal.intactBytes;
      const last = journal.records[journal.records.length - 1];
      if (
        snapshot &&
        snapshot.seq <= (last?.seq ?? 0) &&
        (snapshot.seq === 0 || journal.records[snapshot.seq - 1]?.hash === snapshot.hash)
      ) {
        this.data = snapshot.data;
        this.snapshotBytes = snapshot.bytes;
        this.base = { seq: snapshot.seq, hash: snapshot.hash };
        this.baseEvents = snapshot.events;
        this.legacy = snapshot.legacy;
        this.tail = journal.records.slice(snapshot.seq);
      } else {
        if (snapshot) this.setAside(dir, STATE_FILE, 'it does not match the journal');
        this.tail = journal.records;
      }
    } catch (error) {
      this.close();
      throw error;
    }
    this.blobs = withoutDeletes(createBlobStore(join(dir, BLOBS_DIR)));
  }

  get<T extends object>(service: ServiceName | string, init: () => T): T {
    let value = this.data[service] as T | undefined;
    if (!value) {
      value = init();
      this.data[service] = value;
    }
    return value;
  }

  /** The journal records calls, not state: there is nothing to schedule. */
  changed(): void {}

  /**
   * The state as it is now, after record `seq`, as a snapshot's bytes (JSON of this moment: the
   * write can come later), with the trail's events as already encoded. Throws for a state the
   * JSON writer cannot hold.
   */
  encodeSnapshot(seq: number, hash: string, events: readonly string[]): string[] {
    const head: Omit<Snapshot, 'events'> = { format: SNAPSHOT_FORMAT, seq, hash, data: this.data };
    const pieces = [`${JSON.stringify(head).slice(0, -1)},"events":[`];
    events.forEach((event, index) => {
      if (index > 0) pieces.push(',');
      pieces.push(event);
    });
    pieces.push(']}');
    // Pieces, not one text: joining megabytes of trail is left to the write, after the turn.
    return pieces;
  }

  /**
   * Puts a snapshot in place atomically (temp file, fsync, rename, fsync of the folder), off the
   * event loop: calls go on being served while megabytes of trail reach the disk.
   */
  async writeSnapshot(pieces: readonly string[]): Promise<number> {
    if (!this.dir) return 0;
    const target = join(this.dir, STATE_FILE);
    const temp = `${target}.${process.pid}.tmp`;
    const file = await open(temp, 'w', 0o600);
    let size = 0;
    try {
      for (let next = 0; next < pieces.length;) {
        // Whole pieces, about WRITE_CHUNK characters of them, as one buffer.
        const chunk: string[] = [];
        for (let length = 0; next < pieces.length && length < WRITE_CHUNK; next++) {
          chunk.push(pieces[next]!);
          length += pieces[next]!.length;
        }
        const bytes = Buffer.from(chunk.join(''));
        // A short write (rare: a full disk, a signal) goes on with the rest.
        for (let written = 0; written < bytes.length;) {
          written += (await file.write(bytes, written)).bytesWritten;
        }
        size += bytes.length;
      }
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, target);
    syncFolder(this.dir);
    // Trail events of before the journal now live in the snapshot.
    rmSync(join(this.dir, LEGACY_EVENTS_FILE), { force: true });
    return size;
  }

  /** Forgets everything, on disk too (the journal is emptied by its writer). */
  reset(): void {
    this.data = Object.create(null) as Data;
    if (!this.dir) return;
    rmSync(join(this.dir, STATE_FILE), { force: true });
    rmSync(join(this.dir, BLOBS_DIR), { recursive: true, force: true });
    mkdirSync(join(this.dir, BLOBS_DIR), { recursive: true, mode: 0o700 });
  }

  /** Gives up the folder's lock. */
  close(): void {
    this.releaseLock?.();
    this.releaseLock = undefined;
  }

  private prepare(dir: string): void {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (!statSync(dir).isDirectory()) throw new Error('it is not a folder');
      chmodSync(dir, 0o700);
      mkdirSync(join(dir, BLOBS_DIR), { recursive: true, mode: 0o700 });
      chmodSync(join(dir, BLOBS_DIR), 0o700);
      for (const name of [STATE_FILE, JOURNAL_FILE]) {
        try {
          chmodSync(join(dir, name), 0o600);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new SandboxStateError(
        dir,
        code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'ENOTDIR' || code === 'EEXIST'
            ? 'it is not a folder'
            : (error as Error).message,
      );
    }
  }

  /** Temp files of a save that a crash cut short: never part of the state. */
  private removeStrayFiles(dir: string): void {
    for (const name of readdirSync(dir)) {
      if (/\.tmp$/.test(name)) rmSync(join(dir, name), { force: true });
    }
  }

  private readSnapshot(
    dir: string,
  ): (Omit<Snapshot, 'format'> & { legacy: boolean; bytes: number }) | undefined {
    let text: string;
    try {
      text = readFileSync(join(dir, STATE_FILE), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new SandboxStateError(
        dir,
        `${STATE_FILE} cannot be read (${(error as Error).message})`,
      );
    }
    let parsed: unknown;
    try {
      parsed = parseState(text);
    } catch {
      this.setAside(dir, STATE_FILE, 'it is not valid JSON');
      return undefined;
    }
    if (isObject(parsed) && parsed.format === SNAPSHOT_FORMAT) {
      const { seq, hash, data, events } = parsed;
      if (
        typeof seq === 'number' &&
        Number.isInteger(seq) &&
        seq >= 0 &&
        typeof hash === 'string' &&
        validData(data) &&
        Array.isArray(events)
      ) {
        return {
          seq,
          hash,
          data,
          events: events as TrailEvent[],
          legacy: false,
          bytes: text.length,
        };
      }
    } else if (isObject(parsed) && !('format' in parsed) && validData(parsed)) {
      // A state.json written before the journal: the state as it was, with no history of calls.
      return {
        seq: 0,
        hash: '',
        data: parsed,
        events: legacyEvents(dir),
        legacy: true,
        bytes: text.length,
      };
    }
    this.setAside(dir, STATE_FILE, 'it is not a sandbox state');
    return undefined;
  }

  private readJournalFile(dir: string): { records: JournalRecord[]; intactBytes: number } {
    const file = join(dir, JOURNAL_FILE);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        return { records: [], intactBytes: 0 };
      throw new SandboxStateError(
        dir,
        `${JOURNAL_FILE} cannot be read (${(error as Error).message})`,
      );
    }
    const parsed = parseJournal(text);
    if (parsed.damage) {
      const tornTail = parsed.damage.reason === 'a record cut short';
      // A last line cut short was never acknowledged: its call was not answered. Anything else
      // is damage, and the whole file is kept aside before the journal goes on from what is intact.
      if (!tornTail) {
        const aside = `${file}.damaged-${stamp()}`;
        copyFileSync(file, aside);
        this.notices.push(
          `the sandbox journal ${file} is damaged at line ${parsed.damage.line} (${parsed.damage.reason}): it is kept as ${aside}, and the sandbox goes on from the ${parsed.records.length} records before it`,
        );
      }
      truncateSync(file, parsed.intactBytes);
    }
    return { records: parsed.records, intactBytes: parsed.intactBytes };
  }

  private setAside(dir: string, name: string, reason: string): void {
    const from = join(dir, name);
    const aside = `${from}.damaged-${stamp()}`;
    renameSync(from, aside);
    this.notices.push(
      `the sandbox's ${from} could not be used (${reason}): it is kept as ${aside}, and the state comes from the journal`,
    );
  }
}

/** CloudTrail events as sandboxes before the journal kept them, one JSON a line. */
function legacyEvents(dir: string): TrailEvent[] {
  let text: string;
  try {
    text = readFileSync(join(dir, LEGACY_EVENTS_FILE), 'utf8');
  } catch {
    return [];
  }
  const events: TrailEvent[] = [];
  for (const line of text.split('\n')) {
    try {
      if (line) events.push(JSON.parse(line) as TrailEvent);
    } catch {
      // A line cut short by a crash of that older sandbox.
    }
  }
  return events;
}

/** The journal names bodies by hash: a deleted object's body stays until the journal is reset. */
function withoutDeletes(blobs: BlobStore): BlobStore {
  return {
    put: (data) => blobs.put(data),
    get: (id) => blobs.get(id),
    delete: async () => undefined,
    ...(blobs.writer ? { writer: () => blobs.writer!() } : {}),
    ...(blobs.open ? { open: (id, start, end) => blobs.open!(id, start, end) } : {}),
    ...(blobs.unhold ? { unhold: (ref) => blobs.unhold!(ref) } : {}),
    ...(blobs.staged ? { staged: (id) => blobs.staged!(id) } : {}),
    ...(blobs.flush ? { flush: () => blobs.flush!() } : {}),
  };
}

function syncFolder(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some file systems cannot sync a folder; the rename is as durable as they make it.
  }
}
