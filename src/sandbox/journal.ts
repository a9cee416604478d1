/**
 * The sandbox's journal: every call it served and every step of its background work, one JSON
 * record a line in `<state>/journal.jsonl`, in the order they took effect, since the last reset.
 * Replaying the records with the sandbox's own code, its recorded clock and recorded random draws
 * reproduces the state (src/sandbox/replay.ts), so the journal is both what makes an acknowledged
 * call survive a crash and what a student hands in. Records are hash-chained: each names the hash
 * of the one before it, so an edit anywhere breaks the chain from there on.
 */
import crypto from 'node:crypto';
import { closeSync, fsync, fsyncSync, ftruncate, openSync, readFileSync, writeSync } from 'node:fs';
import { promisify } from 'node:util';
import { deferred, type Deferred } from '../deferred.js';

export const JOURNAL_FILE = 'journal.jsonl';

/** Who made a call and how, as the wire request said (replay resolves the caller from the key). */
export interface CallContext {
  region: string;
  accessKeyId: string;
  sourceIp: string;
  userAgent: string;
  requestId: string;
}

export interface JournalRecord {
  /** 1, 2, 3... without gaps since the last reset. */
  seq: number;
  /** The sandbox clock for everything this record did (epoch ms). */
  at: number;
  /**
   * `call`: an API call over the wire; `task`: the sandbox's own work (a job's next stage, a
   * start) or labwright's own request (`sandbox:Forget`, src/sandbox/forget.ts).
   */
  kind: 'call' | 'task';
  service: string;
  /** The API operation, or the task's name. */
  operation: string;
  /** The call's input as JSON: bytes are `{ $blob: sha256 }` (the blob store holds them), dates `{ $date }`. */
  input: unknown;
  /**
   * Small bodies the input names, carried here (base64, by SHA-256) because they were not yet
   * files when the call was answered (blobs.ts: staged blobs). Replay stores them first.
   */
  inline?: Record<string, string>;
  context?: CallContext;
  /** The random values the record drew (ids, keys, secrets), in order. */
  draws: string[];
  /** What the call answered: an AWS error code, or nothing for success. */
  outcome: { error?: string };
  /** The previous record's hash; '' for the first. */
  prev: string;
  /** SHA-256 (hex) of this record's JSON without `hash`. */
  hash: string;
}

export type UnsealedRecord = Omit<JournalRecord, 'hash'>;

/** What a record says, before it takes its place in the chain (`seq`, `prev`) and is sealed. */
export type RecordContent = Omit<UnsealedRecord, 'seq' | 'prev'>;

/**
 * The record's line: its fields in a fixed order, then the hash of exactly that text. Every call
 * pays for this, so it is one `JSON.stringify` of one object literal: an optional field left
 * `undefined` is left out of the text, as it is of the record `recordHash` parses back.
 */
export function sealRecord(
  record: RecordContent,
  seq: number,
  prev: string,
): { hash: string; line: string } {
  const body = JSON.stringify({
    seq,
    at: record.at,
    kind: record.kind,
    service: record.service,
    operation: record.operation,
    input: record.input,
    inline: record.inline,
    context: record.context,
    draws: record.draws,
    outcome: record.outcome,
    prev,
  });
  const hash = sha256(body);
  return { hash, line: `${body.slice(0, -1)},"hash":"${hash}"}\n` };
}

/** SHA-256 (hex) of a text: one-shot `crypto.hash` where Node has it (20.12+), half the cost. */
const sha256: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text).digest('hex');

/** Recomputes a parsed record's hash (the text `sealRecord` hashed is JSON.stringify's own). */
export function recordHash(record: JournalRecord): string {
  const { hash: _hash, ...rest } = record;
  return sha256(JSON.stringify(rest));
}

export type ChainVerdict = { ok: true } | { ok: false; seq: number; reason: string };

/** Whether the records are contiguous from seq 1, each sealed and naming its predecessor. */
export function verifyChain(records: readonly JournalRecord[]): ChainVerdict {
  let prev = '';
  for (const [index, record] of records.entries()) {
    const expected = index + 1;
    if (record.seq !== expected) {
      return {
        ok: false,
        seq: expected,
        reason: `record ${expected} is missing (found ${record.seq})`,
      };
    }
    if (record.prev !== prev) {
      return { ok: false, seq: record.seq, reason: 'does not follow the record before it' };
    }
    if (recordHash(record) !== record.hash) {
      return { ok: false, seq: record.seq, reason: 'was changed after it was recorded' };
    }
    prev = record.hash;
  }
  return { ok: true };
}

/** The ids of every blob the records' inputs name and do not carry inline, once each. */
export function blobRefs(records: readonly JournalRecord[]): string[] {
  const found = new Set<string>();
  for (const record of records) {
    for (const id of inputBlobIds(record.input)) {
      if (!record.inline || !Object.hasOwn(record.inline, id)) found.add(id);
    }
  }
  return [...found];
}

/** The ids of the blobs one input names. */
export function inputBlobIds(input: unknown): Set<string> {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      const blob = (value as { $blob?: unknown; blob?: unknown }).$blob;
      if (typeof blob === 'string') found.add(blob);
      // The S3 handlers' own streamed-body references.
      const streamed = (value as { blob?: unknown }).blob;
      if (typeof streamed === 'string' && /^[0-9a-f]{64}$/.test(streamed)) found.add(streamed);
      for (const child of Object.values(value)) visit(child);
    }
  };
  visit(input);
  return found;
}

const isRecord = (value: unknown): value is JournalRecord => {
  const r = value as Partial<JournalRecord> | null;
  return (
    !!r &&
    typeof r === 'object' &&
    typeof r.seq === 'number' &&
    typeof r.at === 'number' &&
    (r.kind === 'call' || r.kind === 'task') &&
    typeof r.service === 'string' &&
    typeof r.operation === 'string' &&
    Array.isArray(r.draws) &&
    r.draws.every((d) => typeof d === 'string') &&
    !!r.outcome &&
    typeof r.outcome === 'object' &&
    typeof r.prev === 'string' &&
    typeof r.hash === 'string' &&
    (r.inline === undefined ||
      (!!r.inline &&
        typeof r.inline === 'object' &&
        !Array.isArray(r.inline) &&
        Object.values(r.inline).every((data) => typeof data === 'string')))
  );
};

export interface JournalText {
  /** The intact records, in order. */
  records: JournalRecord[];
  /** Bytes of the file that hold them (where an append continues). */
  intactBytes: number;
  /** What follows the intact records, when something does: a line cut short, or a damaged one. */
  damage?: { line: number; reason: string };
}

/**
 * Parses journal text: records up to the first that is unreadable or breaks the chain. A last line
 * without its newline is a write cut short by a crash, before the call it records was answered.
 */
export function parseJournal(text: string): JournalText {
  const records: JournalRecord[] = [];
  let offset = 0;
  let prev = '';
  let line = 0;
  while (offset < text.length) {
    line++;
    const end = text.indexOf('\n', offset);
    if (end < 0) {
      return {
        records,
        intactBytes: Buffer.byteLength(text.slice(0, offset)),
        damage: { line, reason: 'a record cut short' },
      };
    }
    const raw = text.slice(offset, end);
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    const reason = !isRecord(parsed)
      ? 'not a journal record'
      : parsed.seq !== records.length + 1 || parsed.prev !== prev
        ? 'out of sequence'
        : recordHash(parsed) !== parsed.hash
          ? 'its hash does not match'
          : undefined;
    if (reason) {
      return {
        records,
        intactBytes: Buffer.byteLength(text.slice(0, offset)),
        damage: { line, reason },
      };
    }
    const record = parsed as JournalRecord;
    records.push(record);
    prev = record.hash;
    offset = end + 1;
  }
  return { records, intactBytes: Buffer.byteLength(text) };
}

/** The intact records of a state folder's journal (none when there is no journal). */
export async function readJournal(stateDir: string): Promise<JournalRecord[]> {
  let text: string;
  try {
    text = readFileSync(`${stateDir}/${JOURNAL_FILE}`, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return parseJournal(text).records;
}

/**
 * Writes a text at the file's end; returns its size in bytes. The text goes as it is (Node encodes
 * it for the write); a short write, which only a full disk or a signal makes, goes on from the
 * bytes.
 */
function writeText(fd: number, text: string): number {
  const written = writeSync(fd, text);
  const size = Buffer.byteLength(text);
  if (written < size) {
    const rest = Buffer.from(text).subarray(written);
    for (let at = 0; at < rest.length;) at += writeSync(fd, rest, at, rest.length - at);
  }
  return size;
}

/** A batch's lines joined into texts of about 64 kB: larger ones cost more per byte to make. */
function* chunks(lines: readonly string[]): Generator<string> {
  let from = 0;
  let length = 0;
  for (let index = 0; index < lines.length; index++) {
    length += lines[index]!.length;
    if (length >= CHUNK_CHARS) {
      yield lines.slice(from, index + 1).join('');
      from = index + 1;
      length = 0;
    }
  }
  if (from < lines.length) yield lines.slice(from).join('');
}
const CHUNK_CHARS = 64 * 1024;

const fsyncAsync = promisify(fsync);
/** How long a written line no one waits for may stay unsynced. */
const LAZY_SYNC_MS = 1000;
const truncateAsync = promisify(ftruncate);

/** Lines appended in one turn of the event loop: written together, settled together. */
interface Batch {
  lines: string[];
  /** Whether a line in it waits for an fsync. */
  sync: boolean;
  /** Settles once the batch is durable or failed (lines kept for a retry have no one waiting). */
  settled: Deferred<void>;
}

function newBatch(lines: string[] = [], sync = false): Batch {
  return { lines, sync, settled: deferred() };
}

/**
 * Appends sealed lines to the journal file. `append` resolves once the line is on disk (fsync);
 * lines appended while a sync is under way go out together in the next one (group commit), so
 * concurrent calls share the cost, and share one promise. A line appended with `sync: false` (a
 * read-only call's, which no one waits for) is written but not synced on its own: the next synced
 * line's fsync, or `sync()`, makes it durable with everything before it. A failed write is rolled
 * back to the last whole record and reported to every call waiting on it; the next append tries
 * those lines again.
 */
export class JournalWriter {
  private fd: number;
  /** Bytes of whole records written (synced or not): where a failed write is cut back to. */
  private durableBytes: number;
  /** The lines appended since the last write began. */
  private gathering: Batch | undefined;
  private syncing = false;
  private drainScheduled = false;
  /** Whether written lines wait for an fsync. */
  private unsynced = false;
  private lazyTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly file: string,
    startBytes: number,
  ) {
    this.fd = openSync(file, 'a', 0o600);
    this.durableBytes = startBytes;
  }

  append(line: string, options: { sync?: boolean } = {}): Promise<void> {
    const batch = (this.gathering ??= newBatch());
    batch.lines.push(line);
    if (options.sync ?? true) batch.sync = true;
    this.drainSoon();
    return batch.settled.promise;
  }

  /**
   * Drains once the calls of this turn of the event loop have appended theirs: one write for
   * all of them, where reads (which need no fsync) would otherwise each make a system call.
   */
  private drainSoon(): void {
    if (this.syncing || this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      if (!this.syncing) void this.drain();
    });
  }

  /**
   * Written lines no one waits for reach the disk within LAZY_SYNC_MS: they are already in the
   * kernel (a killed process loses none), this bounds what a power cut could take.
   */
  private syncSoon(): void {
    this.unsynced = true;
    if (this.lazyTimer) return;
    this.lazyTimer = setTimeout(() => {
      this.lazyTimer = undefined;
      this.sync().catch(() => undefined);
    }, LAZY_SYNC_MS);
    this.lazyTimer.unref();
  }

  /** Makes every line written so far durable (before a snapshot names them). */
  async sync(): Promise<void> {
    if (!this.unsynced) return;
    this.unsynced = false;
    try {
      await fsyncAsync(this.fd);
    } catch (error) {
      this.unsynced = true;
      throw error;
    }
  }

  /** Writes what is queued and resolves when that attempt is over (durable, or failed). */
  async settle(): Promise<void> {
    if (!this.syncing && this.gathering) void this.drain();
    while (this.syncing) await new Promise((resolve) => setImmediate(resolve));
  }

  /** Whether lines wait that a failed write left behind. */
  get behind(): boolean {
    return this.gathering !== undefined && !this.syncing && !this.drainScheduled;
  }

  private async drain(): Promise<void> {
    this.syncing = true;
    while (this.gathering) {
      const batch = this.gathering;
      this.gathering = undefined;
      try {
        let size = 0;
        for (const text of chunks(batch.lines)) size += writeText(this.fd, text);
        if (batch.sync) {
          this.unsynced = false;
          await fsyncAsync(this.fd);
        } else this.syncSoon();
        this.durableBytes += size;
        batch.settled.resolve();
      } catch (error) {
        // Cut back to what was durable, so the file never holds a part of a record. The lines stay
        // queued: the state already holds their effects, and the chain needs them before any later
        // record. The calls waiting on them fail; the next append writes them again.
        await truncateAsync(this.fd, this.durableBytes).catch(() => undefined);
        const failure = error instanceof Error ? error : new Error(String(error));
        const later = this.gathering as Batch | undefined;
        batch.settled.reject(failure);
        later?.settled.reject(failure);
        this.gathering = newBatch(
          [...batch.lines, ...(later?.lines ?? [])],
          batch.sync || (later?.sync ?? false),
        );
        break;
      }
    }
    this.syncing = false;
  }

  /** Empties the file (a reset). */
  truncate(): void {
    closeSync(this.fd);
    this.fd = openSync(this.file, 'w', 0o600);
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = openSync(this.file, 'a', 0o600);
    this.durableBytes = 0;
    this.unsynced = false;
  }

  close(): void {
    clearTimeout(this.lazyTimer);
    if (this.unsynced) fsyncSync(this.fd);
    closeSync(this.fd);
  }
}
