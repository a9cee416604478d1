/**
 * The trail's part of a snapshot: CloudTrail's kept events in segment files (`trail/<n>.jsonl`,
 * one event a line), each written once and never changed. A snapshot writes the events recorded
 * since the one before as a new segment, and its state.json lists the segments that hold the
 * kept events, oldest first; a segment no longer needed is deleted once a state.json without it
 * is in place. Writing the whole trail (10,000 events, megabytes) into every snapshot cost the
 * sandbox more than the journal itself.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { syncSnapshotDirectory } from './sync-directory.js';
import { join } from 'node:path';
import { isTrailEvent, type EventLog, type TrailEvent, type TrailMark } from './trail.js';

export const TRAIL_DIR = 'trail';

/** A segment as state.json lists it: its file in trail/, and how many events it holds. */
export interface TrailSegment {
  file: string;
  events: number;
}

const SEGMENT_NAME = /^(\d+)\.jsonl$/;
/**
 * Events encoded into one buffer while a segment is written: about 64 kB. Larger texts cost
 * several times more per byte (fresh memory for each, outside the young generation): 500 events
 * a buffer took 12 µs an event, 50 took 3 µs.
 */
const WRITE_GROUP = 50;

export function isTrailSegment(value: unknown): value is TrailSegment {
  const segment = value as Partial<TrailSegment> | null;
  return (
    !!segment &&
    typeof segment === 'object' &&
    typeof segment.file === 'string' &&
    SEGMENT_NAME.test(segment.file) &&
    typeof segment.events === 'number' &&
    Number.isInteger(segment.events) &&
    segment.events >= 0
  );
}

/** What one snapshot does to the trail's files. */
export interface TrailPlan {
  /** The segments its state.json lists, oldest first. */
  segments: TrailSegment[];
  /** A new segment, written (and durable) before state.json names it. */
  write?: { file: string; events: readonly TrailEvent[] };
  /** Planned before a snapshot that failed: not to be written (the next plan starts afresh). */
  readonly epoch: number;
}

/** A listed segment that is missing or cannot be read. */
export interface TrailDamage {
  file: string;
  reason: string;
}

export class TrailFiles {
  /** The segments the last planned snapshot lists: what the next plan builds on. */
  private planned: TrailSegment[] = [];
  /** Where the event log stood at the last plan; none: the next plan writes every kept event. */
  private plannedMark: TrailMark | undefined;
  /** The segments the state.json on disk lists. */
  private onDisk: TrailSegment[] = [];
  private nextNumber = 1;
  /** Moves on when a snapshot fails: plans made before it are not written. */
  private epoch = 0;

  /** `dir`: the state folder's trail/ folder. */
  constructor(private readonly dir: string) {}

  /** The events of the listed segments, in order, or the first segment that cannot be used. */
  read(segments: readonly TrailSegment[]): { events: TrailEvent[] } | { damage: TrailDamage } {
    const events: TrailEvent[] = [];
    for (const segment of segments) {
      let text: string;
      try {
        text = readFileSync(join(this.dir, segment.file), 'utf8');
      } catch (error) {
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
        return {
          damage: {
            file: segment.file,
            reason: missing ? 'it is missing' : (error as Error).message,
          },
        };
      }
      const lines = text.split('\n');
      // Written whole and synced before state.json named it: anything else is damage.
      if (lines.pop() !== '' || lines.length !== segment.events) {
        return {
          damage: {
            file: segment.file,
            reason: `it holds ${lines.length} events, not the ${segment.events} listed`,
          },
        };
      }
      for (const [index, line] of lines.entries()) {
        let event: unknown;
        try {
          event = JSON.parse(line);
        } catch {
          return { damage: { file: segment.file, reason: `line ${index + 1} is not JSON` } };
        }
        if (!isTrailEvent(event)) {
          return { damage: { file: segment.file, reason: `line ${index + 1} is not an event` } };
        }
        events.push(event);
      }
    }
    return { events };
  }

  /** The segments state.json lists are the trail's files; files it does not list are a crash's. */
  adopt(segments: readonly TrailSegment[]): void {
    this.planned = [...segments];
    this.onDisk = [...segments];
    const listed = new Set(segments.map((segment) => segment.file));
    for (const name of this.files()) {
      // Segments only: a damaged one kept aside (`.damaged-<time>`) stays for its owner to see.
      if (SEGMENT_NAME.test(name) && !listed.has(name)) removeFile(join(this.dir, name));
    }
    for (const segment of segments) {
      this.nextNumber = Math.max(this.nextNumber, Number(SEGMENT_NAME.exec(segment.file)![1]) + 1);
    }
  }

  /** The event log starts from the adopted segments' events: `mark` is where they end. */
  startsAt(mark: TrailMark): void {
    this.plannedMark = mark;
  }

  /** In turn: the events recorded since the last plan go to a new segment; old ones drop out. */
  plan(log: EventLog): TrailPlan {
    const { events, whole } = log.since(this.plannedMark);
    const keptCount = log.all().length;
    this.plannedMark = log.mark();
    let segments = whole ? [] : [...this.planned];
    let write: TrailPlan['write'];
    if (events.length > 0) {
      write = { file: `${this.nextNumber++}.jsonl`, events };
      segments.push({ file: write.file, events: events.length });
    }
    // The kept events are the newest of the listed ones: a segment goes once the newer ones
    // hold them all.
    let held = segments.reduce((sum, segment) => sum + segment.events, 0);
    while (segments.length > 0 && held - segments[0]!.events >= keptCount) {
      held -= segments[0]!.events;
      segments = segments.slice(1);
    }
    this.planned = segments;
    return { segments, ...(write ? { write } : {}), epoch: this.epoch };
  }

  /** Whether a plan may still be written (no snapshot failed since it was made). */
  current(plan: TrailPlan): boolean {
    return plan.epoch === this.epoch;
  }

  /** Writes the plan's new segment and makes it durable, folder entry included. */
  async write(plan: TrailPlan): Promise<void> {
    if (!plan.write) return;
    const path = join(this.dir, plan.write.file);
    const file = await open(path, 'w', 0o600);
    try {
      const { events } = plan.write;
      for (let from = 0; from < events.length; from += WRITE_GROUP) {
        const group = events.slice(from, from + WRITE_GROUP);
        const bytes = Buffer.from(`${group.map((event) => JSON.stringify(event)).join('\n')}\n`);
        // A short write (rare: a full disk, a signal) goes on with the rest.
        for (let written = 0; written < bytes.length;) {
          written += (await file.write(bytes, written)).bytesWritten;
        }
      }
      await file.sync();
    } finally {
      await file.close();
    }
    await syncSnapshotDirectory(this.dir);
  }

  /** After state.json lists `plan.segments`: the files it no longer lists are deleted. */
  written(plan: TrailPlan): void {
    const listed = new Set(plan.segments.map((segment) => segment.file));
    for (const segment of this.onDisk) {
      if (!listed.has(segment.file)) removeFile(join(this.dir, segment.file));
    }
    this.onDisk = plan.segments;
  }

  /**
   * A snapshot failed: plans made since it are dropped, its segment (if any) is deleted, and the
   * next plan writes every kept event afresh.
   */
  failed(plan: TrailPlan): void {
    this.epoch++;
    this.plannedMark = undefined;
    this.planned = this.onDisk;
    const listed = new Set(this.onDisk.map((segment) => segment.file));
    if (plan.write && !listed.has(plan.write.file)) {
      removeFile(join(this.dir, plan.write.file));
    }
  }

  /** Forgets every segment (a reset). */
  reset(): void {
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.epoch++;
    this.planned = [];
    this.onDisk = [];
    this.plannedMark = undefined;
  }

  private files(): string[] {
    try {
      return readdirSync(this.dir);
    } catch {
      return [];
    }
  }
}

/** Removes a file that is no longer part of the state; one that cannot go now goes at a start. */
function removeFile(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // Not listed by state.json: the next start removes it.
  }
}
