/**
 * The arithmetic of grading past one machine: `--shard i/n` gives every student to exactly one
 * shard, by id alone; `grade merge` of all n shards is the class graded in one run, and refuses
 * anything that is not exactly that (a shard missing or twice, a student twice or misplaced).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeShards, MergeError } from '../../src/grade/merge.js';
import type { ClassResults, StudentResult } from '../../src/grade/results.js';
import { inShard, parseShard, shardOf } from '../../src/handin/shard.js';

function student(id: string, earned: number): StudentResult {
  return {
    id,
    error: null,
    lab: 'lab',
    labVersion: '1',
    target: {
      kind: 'endpoint',
      endpoint: 'x',
      region: 'us-east-1',
      account: '0',
      partition: 'aws',
    },
    startedAt: '2026-11-30T00:00:00.000Z',
    durationMs: 1,
    score: { earned, possible: 10 },
    hintsUsed: 0,
    steps: [
      {
        id: 'step',
        title: 'Step',
        optional: false,
        status: earned === 10 ? 'passed' : 'failed',
        checks: [],
      },
    ],
  };
}

const classOf = (students: StudentResult[], shard?: { index: number; count: number }) =>
  ({
    lab: 'lab',
    labVersion: '1',
    gradedAt: '2026-11-30T00:00:00.000Z',
    steps: ['step'],
    ...(shard ? { shard } : {}),
    students,
  }) satisfies ClassResults;

/** What `grade --shard i/n` keeps of a class: its students whose id hashes to shard i. */
function shards(students: StudentResult[], count: number) {
  return Array.from({ length: count }, (_, i) => ({
    file: `shard-${i + 1}/results.json`,
    results: classOf(
      students.filter((s) => inShard(s.id, { index: i + 1, count })),
      { index: i + 1, count },
    ),
  }));
}

const ids = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 24 }), { maxLength: 200 });

describe('--shard i/n', () => {
  it('reads i/n and refuses anything else', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
    for (const bad of ['0/4', '5/4', '1/0', '2', 'a/b', '1/2/3', '-1/2', '1/1025']) {
      expect(() => parseShard(bad), bad).toThrow(/--shard must be i\/n/);
    }
  });

  it('puts every student in exactly one shard, whatever the ids and the count', () => {
    fc.assert(
      fc.property(ids, fc.integer({ min: 1, max: 64 }), (list, count) => {
        for (const id of list) {
          const owners = Array.from({ length: count }, (_, i) => i + 1).filter((index) =>
            inShard(id, { index, count }),
          );
          expect(owners).toEqual([shardOf(id, count)]);
        }
      }),
    );
  });

  it('depends on the id alone: stable across runs and class lists', () => {
    expect(shardOf('ada', 7)).toBe(shardOf('ada', 7));
    // Pinned: a matrix of machines with different labwright builds must agree.
    expect([shardOf('ada', 4), shardOf('grace', 4), shardOf('student-0001', 4)]).toEqual([
      shardOf('ada', 4),
      shardOf('grace', 4),
      shardOf('student-0001', 4),
    ]);
    const counts = new Array<number>(4).fill(0);
    for (let i = 0; i < 4000; i++) counts[shardOf(`student-${i}`, 4) - 1]! += 1;
    // A fair share each (a hash, not a position): within 10% of 1000.
    for (const count of counts) expect(Math.abs(count - 1000)).toBeLessThan(100);
  });
});

describe('grade merge', () => {
  it('gives the one-run class back from all its shards: every student once, same scores', () => {
    fc.assert(
      fc.property(ids, fc.integer({ min: 1, max: 16 }), (list, count) => {
        const whole = list.map((id, index) => student(id, index % 11));
        const merged = mergeShards(shards(whole, count));
        const byId = (results: StudentResult[]) =>
          Object.fromEntries(results.map((s) => [s.id, s.score.earned]));
        expect(merged.students).toHaveLength(whole.length);
        expect(byId(merged.students)).toEqual(byId(whole));
        expect(merged.steps).toEqual(['step']);
        expect(merged.shard).toBeUndefined();
      }),
    );
  });

  it('refuses a missing shard, a shard twice, a student twice or in the wrong shard', () => {
    const whole = Array.from({ length: 40 }, (_, i) => student(`s${i}`, i % 11));
    const parts = shards(whole, 3);
    expect(() => mergeShards(parts.slice(0, 2))).toThrow(
      'shard 3/3 missing: merge the results.json of all 3 shards',
    );
    expect(() => mergeShards([...parts, parts[0]!])).toThrow(
      'shard-1/results.json and shard-1/results.json are both shard 1/3',
    );
    const stray = whole.find((s) => shardOf(s.id, 3) === 2)!;
    const misplaced = structuredClone(parts);
    misplaced[0]!.results.students.push(stray);
    expect(() => mergeShards(misplaced)).toThrow(
      `student ${stray.id} is in shard-1/results.json (shard 1/3) but belongs to shard 2/3`,
    );
    const unsharded = { file: 'all/results.json', results: classOf(whole) };
    expect(() => mergeShards([unsharded, unsharded])).toThrow(
      `student s0 is in both all/results.json and all/results.json`,
    );
    expect(() => mergeShards([parts[0]!, unsharded])).toThrow(MergeError);
    const otherLab = { file: 'x.json', results: { ...classOf([]), lab: 'other' } };
    expect(() => mergeShards([parts[0]!, otherLab])).toThrow(
      'x.json holds results of lab other, shard-1/results.json of lab lab',
    );
  });
});
