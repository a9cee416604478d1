import { createHash } from 'node:crypto';

/**
 * `grade --shard i/n`: a stable share of a class by student id. A student's shard is a hash of
 * their id, never their position, so adding or removing one student moves nobody else, and every
 * machine of a grading matrix agrees on who is whose without talking to the others.
 */

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

export const MAX_SHARDS = 1024;

/** Parses `i/n` (1 ≤ i ≤ n ≤ 1024); throws a sentence on anything else. */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || count > MAX_SHARDS || index < 1 || index > count) {
    throw new Error(
      `--shard must be i/n with 1 ≤ i ≤ n ≤ ${MAX_SHARDS}, e.g. --shard 2/4, not "${text}"`,
    );
  }
  return { index, count };
}

/** The shard (1..count) a student id belongs to: the first 48 bits of its SHA-256, mod count. */
export function shardOf(id: string, count: number): number {
  const digest = createHash('sha256').update(id, 'utf8').digest();
  return (digest.readUIntBE(0, 6) % count) + 1;
}

export function inShard(id: string, shard: Shard | undefined): boolean {
  return !shard || shardOf(id, shard.count) === shard.index;
}

export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}
