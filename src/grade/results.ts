import { readFile } from 'node:fs/promises';
import type { LabReport } from '../engine/report.js';
import { requiredPassed } from '../engine/verdicts.js';

/**
 * What grading found for each student, as results.json holds it: the student's report in
 * the `check --json` shape plus their id and an error. A student who could not be graded
 * (bad credentials, nothing answering, a timeout) has `error` set and no steps.
 */

export type GradedStudent = LabReport & { id: string; error: null };

export interface UngradedStudent {
  id: string;
  /** Why the student could not be graded, in a sentence. */
  error: string;
  lab: string;
  labVersion: string;
  target: null;
  startedAt: string;
  durationMs: number;
  score: { earned: 0; possible: number };
  hintsUsed: 0;
  steps: [];
}

export type StudentResult = GradedStudent | UngradedStudent;

export interface ClassResults {
  lab: string;
  labVersion: string;
  gradedAt: string;
  /** The lab's step ids, in lab order: the gradebook's columns (`grade merge` needs them). */
  steps?: string[];
  /** Set when this is one shard of a class (`grade --shard i/n`). */
  shard?: { index: number; count: number };
  students: StudentResult[];
}

/** True when every required check of every required step passed: what `check` exits 0 for. */
export function studentPassed(result: StudentResult): boolean {
  return result.error === null && requiredPassed(result.steps);
}

export function percentOf(result: StudentResult): number {
  const { earned, possible } = result.score;
  return possible > 0 ? Math.round((earned / possible) * 1000) / 10 : 0;
}

/**
 * Reads a previous results.json for `--only-failed`. Returns undefined when there is none;
 * throws a sentence when the file is there but is not results of this lab.
 */
export async function readClassResults(
  file: string,
  labId: string,
): Promise<ClassResults | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${file}: ${(error as Error).message}`);
  }
  const data = parseClassResults(file, text);
  if (data.lab !== labId) {
    throw new Error(`${file} holds results of lab ${data.lab}, not ${labId}: choose another --out`);
  }
  return data;
}

/** A results.json written by `labwright grade`, whatever its lab; throws a sentence otherwise. */
export async function readResultsFile(file: string): Promise<ClassResults> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
    );
  }
  return parseClassResults(file, text);
}

function parseClassResults(file: string, text: string): ClassResults {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new Error(`${file} is not JSON: it is not a results.json written by labwright grade`);
  }
  if (!isClassResults(data)) {
    throw new Error(`${file} is not a results.json written by labwright grade`);
  }
  return data;
}

function isClassResults(data: unknown): data is ClassResults {
  if (!data || typeof data !== 'object') return false;
  const candidate = data as Partial<ClassResults>;
  return (
    typeof candidate.lab === 'string' &&
    Array.isArray(candidate.students) &&
    candidate.students.every(
      (student) =>
        student &&
        typeof student === 'object' &&
        typeof student.id === 'string' &&
        (student.error === null || typeof student.error === 'string') &&
        Array.isArray(student.steps),
    )
  );
}

/**
 * The previous results with the regraded students replaced, in roster order; students
 * no longer on the roster are dropped, so the gradebook always matches the roster.
 */
export function mergeResults(
  rosterIds: readonly string[],
  previous: readonly StudentResult[],
  regraded: readonly StudentResult[],
): StudentResult[] {
  const byId = new Map(previous.map((result) => [result.id, result]));
  for (const result of regraded) byId.set(result.id, result);
  return rosterIds.flatMap((id) => {
    const result = byId.get(id);
    return result ? [result] : [];
  });
}
