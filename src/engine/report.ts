import type { TargetInfo } from '../aws/target.js';

/** The report of a run, exactly as `labwright check --json` prints it (DESIGN.md). */

export type Status = 'passed' | 'failed' | 'error' | 'skipped';

export interface CheckReport {
  id: string;
  type: string;
  title?: string;
  status: Status;
  points: number;
  optional: boolean;
  message: string;
  /** The first hint the student has not yet seen, when the check did not pass. */
  hint: string | null;
  hintsUsed: number;
  evidence: Record<string, unknown>;
  durationMs: number;
}

export interface StepReport {
  id: string;
  title: string;
  optional: boolean;
  status: Status;
  checks: CheckReport[];
}

export interface LabReport {
  lab: string;
  labVersion: string;
  target: TargetInfo;
  startedAt: string;
  durationMs: number;
  score: { earned: number; possible: number };
  hintsUsed: number;
  steps: StepReport[];
}
