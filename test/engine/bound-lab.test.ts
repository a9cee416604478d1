/**
 * The bound lab (src/engine/bound-lab.ts): bound once per session with the target's built-ins,
 * immutable, and with no `${` left but in `shell:` lines, which stay as written so that lab
 * variables never become shell code (issue 11).
 */
import { describe, expect, it } from 'vitest';
import { bindLab } from '../../src/engine/bound-lab.js';
import { loadLabFile } from '../../src/engine/load-lab.js';
import { resolveVars } from '../../src/engine/vars.js';
import { LESSON_LAB } from '../support/lab-session.js';

const target = { account: '123456789012', region: 'eu-west-1', partition: 'aws' };

async function boundLesson() {
  const result = await loadLabFile(LESSON_LAB, { checkOperations: false });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  const vars = resolveVars(result.loaded.defaults, { bucket: 'class-bucket' }, target);
  return { raw: result.loaded.lab, bound: bindLab(result.loaded, vars) };
}

/** Every string in `value`, with where it is. */
function strings(value: unknown, at = ''): [string, string][] {
  if (typeof value === 'string') return [[at, value]];
  if (Array.isArray(value)) return value.flatMap((item, i) => strings(item, `${at}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => strings(item, `${at}.${key}`));
  }
  return [];
}

describe('the bound lab', () => {
  it('holds no ${ but in shell lines, which stay as written', async () => {
    const { raw, bound } = await boundLesson();
    const left = strings(bound).filter(
      ([at, text]) => text.includes('${') && !at.endsWith('.shell'),
    );
    expect(left).toEqual([]);
    const shells = (lab: typeof raw | typeof bound) =>
      [...lab.steps.flatMap((step) => step.actions), ...lab.cleanup].flatMap((action) =>
        'shell' in action ? [action.shell] : [],
      );
    expect(shells(bound)).toEqual(shells(raw));
  });

  it('fills variables, built-ins and { file } documents once', async () => {
    const { bound } = await boundLesson();
    const text = JSON.stringify(bound);
    expect(text).toContain('class-bucket');
    expect(text).toContain('123456789012');
    expect(text).not.toContain('"file":"files/');
    expect(bound.vars.bucket).toBe('class-bucket');
  });

  it('cannot be changed', async () => {
    const { bound } = await boundLesson();
    expect(Object.isFrozen(bound)).toBe(true);
    expect(Object.isFrozen(bound.steps[0]!.checks[0]!.with)).toBe(true);
    expect(() => {
      (bound.steps as unknown as unknown[]).push({});
    }).toThrow();
  });
});
