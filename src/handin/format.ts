import { createHash } from 'node:crypto';
import { brotliCompressSync, brotliDecompressSync, constants as zlib } from 'node:zlib';
import * as z from 'zod';
import type { LabReport } from '../engine/report.js';
import type { JournalRecord } from './journal.js';

/**
 * The hand-in file (`<lab>-<student>.labwright`): one line of JSON in the clear saying whose it
 * is and for which lab (so a grader can sort and shard hand-ins without unpacking them), then the
 * rest as brotli-compressed JSON:
 *
 *   LABWRIGHT-HANDIN 1 {"lab":"sagemaker-iam-roles","labVersion":"1","student":"ada",...}\n
 *   <brotli(JSON body)>
 *
 * The body holds the variables, the progress, the sandbox's journal (every call it served and
 * every background task, hash-chained by the sandbox), the blobs the journal's calls uploaded
 * (keyed by their SHA-256), the student's files the lab's checks read, and the student's own
 * report. `seal` is a SHA-256 over the header and every other part of the body, the journal
 * included through its last record's hash, so an edit anywhere is detected: in the journal by its
 * chain (naming the record), elsewhere by the seal.
 */

export const MAGIC = 'LABWRIGHT-HANDIN';
export const FORMAT_VERSION = 1;
/** A hand-in bigger than this is not one labwright wrote (Lesson 9.1 is a few kilobytes). */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;
/** ... nor one that unpacks to more than this. */
export const MAX_BODY_BYTES = 512 * 1024 * 1024;

export const handInHeader = z.strictObject({
  lab: z.string().min(1),
  labVersion: z.string().min(1),
  student: z.string().min(1),
  /** ISO 8601: when `submit` ran; the replayed clock is advanced to it. */
  submittedAt: z.iso.datetime(),
});
export type HandInHeader = z.infer<typeof handInHeader>;

const journalRecord = z.looseObject({
  seq: z.number().int(),
  at: z.number(),
  kind: z.enum(['call', 'task']),
  service: z.string(),
  operation: z.string(),
  input: z.unknown(),
  draws: z.array(z.string()),
  outcome: z.looseObject({ error: z.string().optional() }),
  prev: z.string(),
  hash: z.string(),
});

export const handInBody = z.strictObject({
  /** The lab's variables as the student ran it (`--var`), defaults left out. */
  vars: z.record(z.string(), z.string()),
  /** The region the student worked in. */
  region: z.string(),
  /** A SHA-256 of the lab's files when the student submitted: says what changed, if anything. */
  labFilesHash: z.string(),
  progress: z.strictObject({
    startedAt: z.string().nullable(),
    completedAt: z.string().nullable(),
    /** Hints seen, by `step/check`. */
    hintsSeen: z.record(z.string(), z.number().int().nonnegative()),
    /** Quiz answers: question id -> index of the chosen answer. */
    answers: z.record(z.string(), z.number().int()),
    hintsUsed: z.number().int().nonnegative(),
    /** From the start of the lab to its completion (or to the hand-in when not complete). */
    timeTakenMs: z.number().nullable(),
  }),
  journal: z.array(journalRecord),
  /** Uploaded bytes the journal refers to, base64, by SHA-256: each stored once. */
  blobs: z.record(z.string().regex(/^[0-9a-f]{64}$/), z.string()),
  /** The student's own files the lab's checks read, base64, by path relative to their folder. */
  files: z.record(z.string(), z.string()),
  /** The student's own report (`check --json`) at hand-in time: for reference, never graded. */
  report: z.unknown(),
  seal: z.string().regex(/^[0-9a-f]{64}$/),
});
export type HandInBody = Omit<z.infer<typeof handInBody>, 'journal' | 'report'> & {
  journal: JournalRecord[];
  report: LabReport | null;
};

export interface HandIn {
  header: HandInHeader;
  body: HandInBody;
}

/** Why a file cannot be taken as a hand-in, in a sentence (an error row of the gradebook). */
export class HandInError extends Error {
  override name = 'HandInError';
}

/** JSON with object keys sorted at every level, `undefined` members left out: hashable. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value))
    return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, member]) => member !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The seal: the header and the body without `seal`, the journal through its length and head. */
export function sealOf(header: HandInHeader, body: Omit<HandInBody, 'seal'>): string {
  const { journal, ...rest } = body as HandInBody;
  const sealed = {
    header,
    ...rest,
    seal: undefined,
    journal: { records: journal.length, head: journal.at(-1)?.hash ?? '' },
  };
  return createHash('sha256').update(canonicalJson(sealed)).digest('hex');
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The bytes of a hand-in, sealed. */
export function packHandIn(header: HandInHeader, body: Omit<HandInBody, 'seal'>): Buffer {
  const sealed: HandInBody = { ...body, seal: sealOf(header, body) };
  const head = Buffer.from(`${MAGIC} ${FORMAT_VERSION} ${JSON.stringify(header)}\n`, 'utf8');
  const text = Buffer.from(JSON.stringify(sealed), 'utf8');
  // Quality 6 with the size known: a 30 kB body packs in about a millisecond to within 1% of
  // quality 9's size, which takes over 100 ms (brotli's slowest middle setting).
  const packed = brotliCompressSync(text, {
    params: {
      [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
      [zlib.BROTLI_PARAM_QUALITY]: 6,
      [zlib.BROTLI_PARAM_SIZE_HINT]: text.length,
    },
  });
  return Buffer.concat([head, packed]);
}

/** The clear header line alone: cheap, for sorting and sharding hand-ins before grading. */
export function readHandInHeader(bytes: Buffer): { header: HandInHeader; bodyOffset: number } {
  const newline = bytes.indexOf(0x0a);
  const prefix = `${MAGIC} `;
  if (newline < 0 || newline > 64 * 1024 || bytes.toString('utf8', 0, prefix.length) !== prefix) {
    throw new HandInError('not a labwright hand-in (it does not start with LABWRIGHT-HANDIN)');
  }
  const line = bytes.toString('utf8', prefix.length, newline);
  const space = line.indexOf(' ');
  const version = line.slice(0, space);
  if (version !== String(FORMAT_VERSION)) {
    throw new HandInError(
      `a hand-in of format ${version}, which this labwright does not read (it reads format ${FORMAT_VERSION}): update labwright`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(line.slice(space + 1));
  } catch {
    throw new HandInError('the hand-in header is not JSON: the file was damaged or edited');
  }
  const parsed = handInHeader.safeParse(json);
  if (!parsed.success) {
    throw new HandInError(
      `the hand-in header is not valid (${parsed.error.issues[0]?.path.join('.') || 'header'}: ${parsed.error.issues[0]?.message})`,
    );
  }
  return { header: parsed.data, bodyOffset: newline + 1 };
}

/** Unpacks a hand-in and checks its shape and seal (not its journal's chain: see verify.ts). */
export function unpackHandIn(bytes: Buffer, limits: { maxBodyBytes?: number } = {}): HandIn {
  const maxBody = limits.maxBodyBytes ?? MAX_BODY_BYTES;
  if (bytes.length > MAX_FILE_BYTES) {
    throw new HandInError(
      `the file is ${Math.round(bytes.length / 1024 / 1024)} MB, more than any hand-in (${MAX_FILE_BYTES / 1024 / 1024} MB)`,
    );
  }
  const { header, bodyOffset } = readHandInHeader(bytes);
  let text: string;
  try {
    text = brotliDecompressSync(bytes.subarray(bodyOffset), {
      maxOutputLength: maxBody,
    }).toString('utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new HandInError(
      code === 'ERR_BUFFER_TOO_LARGE'
        ? `the hand-in unpacks to more than ${Math.round(maxBody / 1024 / 1024)} MB: it is not one labwright wrote`
        : 'the hand-in does not unpack (its compressed part is damaged or truncated)',
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new HandInError('the hand-in does not unpack to JSON: the file was damaged or edited');
  }
  const parsed = handInBody.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HandInError(
      `the hand-in is not in labwright's format (${issue?.path.join('.') || 'body'}: ${issue?.message})`,
    );
  }
  // The journal as written, not as parsed: a record's hash is over its JSON text, keys in order.
  const body = {
    ...parsed.data,
    journal: (json as { journal: unknown }).journal,
  } as unknown as HandInBody;
  return { header, body };
}
