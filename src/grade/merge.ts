import { shardOf } from '../handin/shard.js';
import type { ClassResults, StudentResult } from './results.js';
import type { LabCheckRef } from './summary.js';

/**
 * `labwright grade merge`: the results.json of every shard of a class made one. Each student must
 * be in exactly one part; shards must be all of one split (`--shard 1/n` ... `n/n`), each once,
 * and each student in the shard their id hashes to. Anything else is a sentence naming the files.
 */

export interface ResultsPart {
  /** How the file is named in messages. */
  file: string;
  results: ClassResults;
}

export class MergeError extends Error {
  override name = 'MergeError';
}

export function mergeShards(parts: readonly ResultsPart[]): ClassResults {
  const [first] = parts;
  if (!first) throw new MergeError('give the results.json of every shard to merge');
  for (const part of parts) {
    if (part.results.lab !== first.results.lab) {
      throw new MergeError(
        `${part.file} holds results of lab ${part.results.lab}, ${first.file} of lab ${first.results.lab}`,
      );
    }
    if (part.results.labVersion !== first.results.labVersion) {
      throw new MergeError(
        `${part.file} graded version ${part.results.labVersion} of the lab, ${first.file} version ${first.results.labVersion}`,
      );
    }
  }
  const sharded = parts.filter((part) => part.results.shard);
  if (sharded.length) checkShards(parts);

  const where = new Map<string, string>();
  const students: StudentResult[] = [];
  for (const part of parts) {
    const shard = part.results.shard;
    for (const student of part.results.students) {
      const before = where.get(student.id);
      if (before !== undefined) {
        throw new MergeError(`student ${student.id} is in both ${before} and ${part.file}`);
      }
      if (shard && shardOf(student.id, shard.count) !== shard.index) {
        throw new MergeError(
          `student ${student.id} is in ${part.file} (shard ${shard.index}/${shard.count}) but belongs to shard ${shardOf(student.id, shard.count)}/${shard.count}`,
        );
      }
      where.set(student.id, part.file);
      students.push(student);
    }
  }
  if (sharded.length) students.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const steps =
    parts.find((part) => part.results.steps?.length)?.results.steps ?? stepsOf(students);
  return {
    lab: first.results.lab,
    labVersion: first.results.labVersion,
    gradedAt: parts
      .map((part) => part.results.gradedAt)
      .reduce((latest, at) => (at > latest ? at : latest)),
    steps,
    students,
  };
}

function checkShards(parts: readonly ResultsPart[]): void {
  const unsharded = parts.find((part) => !part.results.shard);
  if (unsharded) {
    throw new MergeError(
      `${unsharded.file} is not a shard (it was graded without --shard), the others are`,
    );
  }
  const count = parts[0]!.results.shard!.count;
  const seen = new Map<number, string>();
  for (const part of parts) {
    const shard = part.results.shard!;
    if (shard.count !== count) {
      throw new MergeError(
        `${part.file} is shard ${shard.index}/${shard.count}, ${parts[0]!.file} is one of ${count}: merge the shards of one split`,
      );
    }
    const before = seen.get(shard.index);
    if (before !== undefined) {
      throw new MergeError(`${before} and ${part.file} are both shard ${shard.index}/${count}`);
    }
    seen.set(shard.index, part.file);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length) {
    throw new MergeError(
      `shard${missing.length === 1 ? '' : 's'} ${missing.map((i) => `${i}/${count}`).join(', ')} missing: merge the results.json of all ${count} shards`,
    );
  }
}

/** The step ids graded students were judged on, in first-seen order. */
function stepsOf(students: readonly StudentResult[]): string[] {
  const steps = new Set<string>();
  for (const student of students) for (const step of student.steps) steps.add(step.id);
  return [...steps];
}

/** The lab's checks as the results show them, for the class summary. */
export function checkRefsOf(results: ClassResults): LabCheckRef[] {
  const graded = results.students.find((student) => student.error === null && student.steps.length);
  if (!graded) return [];
  return graded.steps.flatMap((step) =>
    step.checks.map((check) => ({
      stepId: step.id,
      checkId: check.id,
      title: check.title ?? check.id,
      optional: step.optional || check.optional,
    })),
  );
}
