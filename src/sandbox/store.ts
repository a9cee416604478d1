/**
 * The sandbox's state folder: the journal of calls (journal.jsonl, what makes state durable), a
 * snapshot of the state at some record (state.json, so a start replays only what came after it,
 * with CloudTrail's events in trail/: trail-files.ts), S3 bodies (blobs/), and the lock that
 * keeps it to one sandbox. Opening it never loses a record:
 * what cannot be read is moved aside with a one-line notice, and the state comes from what can.
 * The folder and its files are the owner's alone (0700/0600): they hold session keys.
 * Without a folder everything lives in memory (tests, grading replays).
 */
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
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
import { syncSnapshotDirectory } from './sync-directory.js';
import {
  isTrailEvent,
  MAX_EVENTS,
  type EventLog,
  type TrailEvent,
  type TrailMark,
} from './trail.js';
import {
  isTrailSegment,
  TRAIL_DIR,
  TrailFiles,
  type TrailPlan,
  type TrailSegment,
} from './trail-files.js';
import type { BlobStore, ServiceName, StateStore } from './types.js';

export const STATE_FILE = 'state.json';
const BLOBS_DIR = 'blobs';
/** 2: the trail's events in trail/ segments; 1 (still read): the events inside state.json. */
const SNAPSHOT_FORMAT = 2;
const LEGACY_EVENTS_FILE = 'events.jsonl';

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
  /** The segments that hold the trail's kept events, oldest first. */
  trail: TrailSegment[];
}

/** A snapshot taken in turn, to be written after it. */
export interface SnapshotPlan {
  /** state.json's text. */
  state: string;
  trail: TrailPlan;
}

/** A snapshot as read: its trail's events, wherever they were kept. */
interface ReadSnapshot {
  seq: number;
  hash: string;
  data: Data;
  events: TrailEvent[];
  /** The trail segments it lists (format 2). */
  segments?: TrailSegment[];
  legacy: boolean;
  bytes: number;
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
  /** The trail's segment files (none in memory). */
  private readonly trail: TrailFiles | undefined;
  /** Whether the trail's events came from the segments the trail files adopted. */
  private readonly trailFromSegments: boolean = false;

  /** `dir` undefined: memory only. */
  constructor(private readonly dir: string | undefined) {
    if (!dir) {
      // Kept too: a replayed journal names bodies that a later record may read again.
      this.blobs = withoutDeletes(createBlobStore(undefined));
      return;
    }
    this.prepare(dir);
    this.releaseLock = lockStateDir(dir);
    this.trail = new TrailFiles(join(dir, TRAIL_DIR));
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
        this.trailFromSegments = snapshot.segments !== undefined;
        this.trail.adopt(snapshot.segments ?? []);
      } else {
        if (snapshot) this.setAside(dir, STATE_FILE, 'it does not match the journal');
        this.tail = journal.records;
        this.trail.adopt([]);
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

  /** The event log starts from `baseEvents`: `mark` is where they end (see TrailFiles). */
  trailBegins(mark: TrailMark): void {
    if (this.trailFromSegments) this.trail?.startsAt(mark);
  }

  /**
   * The state as it is now, after record `seq`, as a snapshot to write (JSON of this moment: the
   * write can come later), with what the trail gained since the last one. Throws for a state the
   * JSON writer cannot hold.
   */
  planSnapshot(seq: number, hash: string, events: EventLog): SnapshotPlan {
    if (!this.trail) throw new Error('a sandbox kept in memory takes no snapshots');
    // The state first: a state the JSON writer cannot hold throws before the trail is planned.
    const head: Omit<Snapshot, 'trail'> = { format: SNAPSHOT_FORMAT, seq, hash, data: this.data };
    const state = JSON.stringify(head);
    const trail = this.trail.plan(events);
    const snapshot = `${state.slice(0, -1)},"trail":${JSON.stringify(trail.segments)}}`;
    return { state: snapshot, trail };
  }

  /** A planned snapshot that will not be written: the next one writes the trail afresh. */
  abandonSnapshot(plan: SnapshotPlan): void {
    this.trail?.failed(plan.trail);
  }

  /**
   * Puts a snapshot in place, off the event loop: first its new trail segment, then state.json
   * atomically (temp file, fsync, rename, fsync of the folder), then the segments it no longer
   * lists go. Resolves with state.json's size, or undefined for a plan made before a snapshot
   * that was abandoned (the next one writes the trail afresh). Throws when it cannot write:
   * abandon the plan then.
   */
  async writeSnapshot(plan: SnapshotPlan): Promise<number | undefined> {
    if (!this.dir || !this.trail?.current(plan.trail)) return undefined;
    const target = join(this.dir, STATE_FILE);
    const temp = `${target}.${process.pid}.tmp`;
    const bytes = Buffer.from(plan.state);
    try {
      await this.trail.write(plan.trail);
      const file = await open(temp, 'w', 0o600);
      try {
        // A short write (rare: a full disk, a signal) goes on with the rest.
        for (let written = 0; written < bytes.length;) {
          written += (await file.write(bytes, written)).bytesWritten;
        }
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temp, target);
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    }
    await syncSnapshotDirectory(this.dir);
    this.trail.written(plan.trail);
    // Trail events of before the journal now live in the snapshot.
    rmSync(join(this.dir, LEGACY_EVENTS_FILE), { force: true });
    return bytes.length;
  }

  /** Forgets everything, on disk too (the journal is emptied by its writer). */
  reset(): void {
    this.data = Object.create(null) as Data;
    if (!this.dir) return;
    rmSync(join(this.dir, STATE_FILE), { force: true });
    rmSync(join(this.dir, BLOBS_DIR), { recursive: true, force: true });
    mkdirSync(join(this.dir, BLOBS_DIR), { recursive: true, mode: 0o700 });
    this.trail?.reset();
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
      for (const folder of [BLOBS_DIR, TRAIL_DIR]) {
        mkdirSync(join(dir, folder), { recursive: true, mode: 0o700 });
        chmodSync(join(dir, folder), 0o700);
      }
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

  private readSnapshot(dir: string): ReadSnapshot | undefined {
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
    if (isObject(parsed) && (parsed.format === SNAPSHOT_FORMAT || parsed.format === 1)) {
      const { seq, hash, data, events, trail } = parsed;
      const head =
        typeof seq === 'number' &&
        Number.isInteger(seq) &&
        seq >= 0 &&
        typeof hash === 'string' &&
        validData(data);
      if (head && parsed.format === 1 && Array.isArray(events) && events.every(isTrailEvent)) {
        return {
          seq,
          hash,
          data,
          events: events as TrailEvent[],
          legacy: false,
          bytes: text.length,
        };
      }
      if (head && Array.isArray(trail) && trail.every(isTrailSegment)) {
        const read = this.trail!.read(trail);
        if ('damage' in read) {
          const { file, reason } = read.damage;
          if (reason !== 'it is missing') this.setAside(join(dir, TRAIL_DIR), file, reason);
          this.setAside(dir, STATE_FILE, `its CloudTrail events ${TRAIL_DIR}/${file}: ${reason}`);
          return undefined;
        }
        return {
          seq,
          hash,
          data,
          events: read.events.slice(-MAX_EVENTS),
          segments: trail,
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
      const event: unknown = line ? JSON.parse(line) : undefined;
      if (isTrailEvent(event)) events.push(event);
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
