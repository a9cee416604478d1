/**
 * checks/index.ts is the one list of check types: every check file (named after its type, like
 * checks/iam.role.exists.ts) is on it, and the specs the loader reads are the same objects the
 * engine runs.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSpecs, checkTypes } from '../../checks/index.js';

const NOT_CHECKS = new Set(['define', 'fragments', 'index']);

describe('the list of check types', () => {
  it('holds every check file, by its type', () => {
    const files = readdirSync(path.resolve('checks'))
      .filter((name) => name.endsWith('.ts'))
      .map((name) => name.slice(0, -'.ts'.length))
      .filter((name) => !NOT_CHECKS.has(name));
    expect([...checkTypes.keys()].sort()).toEqual(files.sort());
  });

  it('gives the loader the specs of the types the engine runs', () => {
    for (const [type, check] of checkTypes) {
      expect(check.type).toBe(type);
      expect(typeof check.run).toBe('function');
      expect(checkSpecs.get(type)).toBe(check);
    }
  });
});
