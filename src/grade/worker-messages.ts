import type { LabReport } from '../engine/report.js';
import type { RosterStudent } from './roster.js';

/** What the main thread and a grading thread (grade-worker.ts) say to each other. */

export interface WorkerSetup {
  /** The lab file, loaded again in the thread: loaded labs hold functions and do not cross. */
  labFile: string;
  /** The instructor's target options (plain strings). */
  base: Record<string, unknown>;
}

export type ToWorker =
  | { kind: 'grade'; job: number; student: RosterStudent }
  | { kind: 'abort'; job: number; reason: string }
  | { kind: 'close' };

export type FromWorker =
  | { kind: 'ready' }
  | { kind: 'graded'; job: number; report: LabReport }
  | { kind: 'failed'; job: number; message: string }
  | { kind: 'broken'; message: string };
