import { constants } from 'node:fs';
import { access, mkdir, readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { gradeClass } from '../grade/grade-class.js';
import { labCheckRefs } from '../grade/lab-checks.js';
import { checkRefsOf, MergeError, mergeShards } from '../grade/merge.js';
import { handInFiles, handInStudents } from '../grade/submissions.js';
import { formatShard, inShard, parseShard, type Shard } from '../handin/shard.js';
import { OUTPUT_FILES, writeGradeOutputs } from '../grade/outputs.js';
import { plainReporter, type GradeReporter } from '../grade/reporter.js';
import {
  mergeResults,
  readClassResults,
  readResultsFile,
  studentPassed,
  type ClassResults,
  type StudentResult,
} from '../grade/results.js';
import { parseRoster, type RosterStudent } from '../grade/roster.js';
import { createStudentGrader, type StudentGrader } from '../grade/student-grader.js';
import { createWorkerGrader, workerGraderAvailable } from '../grade/worker-grader.js';
import { TargetOptionError } from '../aws/errors.js';
import { summarizeClass } from '../grade/summary.js';
import { summaryText } from '../grade/text-output.js';
import { loadLabFile } from '../engine/load-lab.js';
import { resolveLabArgument } from '../lab/discover.js';
import { formatProblem } from '../lab/problem.js';
import type { TargetOptions } from '../aws/target.js';
import { EXIT, UsageError } from './usage-error.js';

export interface GradeCommandOptions extends TargetOptions {
  roster?: string;
  /** Hand-in files, or folders of them (`labwright submit`). */
  submissions?: string[];
  /** `i/n`: grade only the students whose id hashes to shard i of n. */
  shard?: string;
  concurrency?: string;
  /** Threads grading hand-ins (worker-grader.ts); 1 grades in this thread. */
  threads?: string;
  out?: string;
  onlyFailed?: boolean;
  timeout?: string;
}

export const DEFAULT_CONCURRENCY = 8;
export const DEFAULT_TIMEOUT_SECONDS = 120;

/**
 * `labwright grade <lab> --roster FILE`: grades every student of the roster read-only, a few at
 * a time, and writes gradebook.csv, results.json and junit.xml. Exit 0 when grading completed
 * (whatever the grades), 2 for a bad lab, roster or option, 3 when no student could be reached.
 */
export async function gradeCommand(
  labArgument: string,
  options: GradeCommandOptions,
): Promise<number> {
  const concurrency = positiveInteger(
    '--concurrency',
    options.concurrency,
    DEFAULT_CONCURRENCY,
    256,
  );
  const threads = positiveInteger('--threads', options.threads, availableParallelism(), 64);
  const timeoutSeconds = positiveNumber('--timeout', options.timeout, DEFAULT_TIMEOUT_SECONDS);
  const outDir = path.resolve(options.out ?? 'grades');
  let shard: Shard | undefined;
  try {
    shard = options.shard === undefined ? undefined : parseShard(options.shard);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (!options.roster === !options.submissions?.length) {
    throw new UsageError(
      'give the class as --roster FILE (a row per student) or --submissions DIR|FILES (hand-ins), one of the two',
    );
  }

  const labFile = resolveLabArgument(labArgument);
  if (!labFile)
    throw new UsageError(
      `no lab "${labArgument}": give a lab id (see labwright list) or a path to a lab.yaml`,
    );
  const loadedLab = await loadLabFile(labFile);
  if (!loadedLab.ok) {
    for (const problem of loadedLab.problems) console.error(formatProblem(problem));
    return EXIT.usage;
  }
  const { lab } = loadedLab.loaded;

  let classList: RosterStudent[];
  if (options.roster) {
    const rosterFile = options.roster;
    const rosterText = await readFile(rosterFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(
        `cannot read the roster ${rosterFile}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`,
      );
    });
    const roster = parseRoster(rosterText, {
      file: path.relative(process.cwd(), path.resolve(rosterFile)) || rosterFile,
      labId: lab.id,
      labVars: new Set(Object.keys(loadedLab.loaded.defaults)),
      baseDir: path.dirname(path.resolve(rosterFile)),
    });
    if (!roster.ok) {
      for (const problem of roster.problems) console.error(problem);
      return EXIT.usage;
    }
    classList = roster.students;
  } else {
    classList = await submissionsClass(options.submissions ?? []);
  }
  // A shard is a stable share by id: every machine of a matrix agrees without talking.
  const students = classList.filter((student) => inShard(student.id, shard));

  const previous = options.onlyFailed ? await previousResults(outDir, lab.id) : undefined;
  const toGrade = previous ? studentsToRegrade(students, previous) : students;
  if (previous && toGrade.length === 0) {
    console.log(
      `Nothing to regrade: every student in ${path.join(outDir, OUTPUT_FILES.results)} passed.`,
    );
    return EXIT.ok;
  }

  await ensureWritable(outDir);
  let grader: StudentGrader;
  try {
    // Validates the target options here, so a mistake is a usage error before anyone is graded.
    grader = createStudentGrader(loadedLab.loaded, options);
    // Hand-ins are replayed and served by the grader itself: spread them over the cores.
    const spread = Math.min(threads, concurrency, toGrade.length);
    if (options.submissions?.length && spread > 1 && workerGraderAvailable()) {
      grader.close();
      grader = createWorkerGrader(labFile, loadedLab.loaded, options, spread);
    }
  } catch (error) {
    if (error instanceof TargetOptionError) throw new UsageError(error.message);
    throw error;
  }
  let regraded: StudentResult[];
  const reporter = await chooseReporter({
    lab: shard ? `${lab.id} (shard ${formatShard(shard)})` : lab.id,
    total: toGrade.length,
    concurrency,
  });
  try {
    regraded = await gradeClass(toGrade, {
      concurrency,
      timeoutMs: timeoutSeconds * 1000,
      gradeStudent: (student, signal) => grader.grade(student, signal),
      describeError: (error) => grader.describeError(error),
      lab: { id: lab.id, version: lab.version, possible: grader.possiblePoints },
      onStart: (student) => reporter.start(student),
      onFinish: (result) => reporter.finish(result),
    });
  } finally {
    grader.close();
  }

  const graded = previous
    ? mergeResults(
        students.map((student) => student.id),
        previous.students,
        regraded,
      )
    : regraded;
  const stepIds = lab.steps.map((step) => step.id);
  const results: ClassResults = {
    lab: lab.id,
    labVersion: lab.version,
    gradedAt: new Date().toISOString(),
    steps: stepIds,
    ...(shard ? { shard } : {}),
    students: graded,
  };
  const written = await writeGradeOutputs(outDir, stepIds, results);
  const summary = summarizeClass(labCheckRefs(lab), graded);
  await reporter.done(summary, written.map(shownPath));
  const noneReached = regraded.length > 0 && regraded.every((result) => result.error !== null);
  return noneReached ? EXIT.target : EXIT.ok;
}

/** The hand-ins named by --submissions, as students. */
async function submissionsClass(paths: string[]): Promise<RosterStudent[]> {
  let files: string[];
  try {
    files = await handInFiles(paths);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (!files.length) {
    throw new UsageError(
      `--submissions ${paths.join(' ')}: no hand-ins there (files ending .labwright, written by labwright submit)`,
    );
  }
  return handInStudents(files);
}

/**
 * `labwright grade merge <results.json...> --out DIR`: the shards of a class as one gradebook.
 * Exit 0 when merged, 2 when the parts are not one class's shards (each student exactly once).
 */
export async function gradeMergeCommand(
  files: string[],
  options: { out?: string },
): Promise<number> {
  const outDir = path.resolve(options.out ?? 'grades');
  const parts = [];
  for (const file of files) {
    try {
      parts.push({ file: shownPath(path.resolve(file)), results: await readResultsFile(file) });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  let merged: ClassResults;
  try {
    merged = mergeShards(parts);
  } catch (error) {
    if (error instanceof MergeError) throw new UsageError(error.message);
    throw error;
  }
  await ensureWritable(outDir);
  const written = await writeGradeOutputs(outDir, merged.steps ?? [], merged);
  const summary = summarizeClass(checkRefsOf(merged), merged.students);
  console.log(
    `Merged ${parts.length} result file${parts.length === 1 ? '' : 's'} of lab ${merged.lab}.`,
  );
  console.log(summaryText(summary, written.map(shownPath)));
  return EXIT.ok;
}

/** A path as the instructor would type it: relative below the current folder, else absolute. */
function shownPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/** Grading a class takes a while: a folder the gradebook cannot go to is said before, not after. */
async function ensureWritable(outDir: string): Promise<void> {
  try {
    await mkdir(outDir, { recursive: true });
    await access(outDir, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UsageError(`--out ${outDir}: the gradebook cannot be written there (${code})`);
  }
}

async function chooseReporter(header: {
  lab: string;
  total: number;
  concurrency: number;
}): Promise<GradeReporter> {
  if (process.stdout.isTTY) {
    const { liveReporter } = await import('../grade/view/live.js');
    return liveReporter(header);
  }
  return plainReporter(header.total, (line) => console.log(line));
}

async function previousResults(outDir: string, labId: string): Promise<ClassResults> {
  const file = path.join(outDir, OUTPUT_FILES.results);
  let previous: ClassResults | undefined;
  try {
    previous = await readClassResults(file, labId);
  } catch (error) {
    throw new UsageError(`--only-failed: ${(error as Error).message}`);
  }
  if (!previous) {
    throw new UsageError(
      `--only-failed regrades the students who failed in ${file}, but there is none: run without --only-failed first`,
    );
  }
  return previous;
}

/** Students who failed or could not be graded last time, and students new to the roster. */
function studentsToRegrade(
  students: readonly RosterStudent[],
  previous: ClassResults,
): RosterStudent[] {
  const before = new Map(previous.students.map((result) => [result.id, result]));
  return students.filter((student) => {
    const result = before.get(student.id);
    return !result || !studentPassed(result);
  });
}

function positiveInteger(
  option: string,
  value: string | undefined,
  fallback: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!/^\d+$/.test(value.trim()) || parsed < 1 || parsed > max) {
    throw new UsageError(`${option} must be a whole number from 1 to ${max}, not "${value}"`);
  }
  return parsed;
}

function positiveNumber(option: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0 || value.trim() === '') {
    throw new UsageError(`${option} must be a number of seconds above 0, not "${value}"`);
  }
  return parsed;
}
