/**
 * Issue 11, item 6, property-based: whatever lab.yaml holds (random text, random YAML, or the
 * lesson's own lab mutated: slices cut, duplicated, YAML syntax spliced in), the real loader
 * returns; a lab is either loaded or refused with problems, each at file:line:col with a
 * message. It never throws, and never hangs (the test's own timeout would say so).
 */
import fc from 'fast-check';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadLabFile } from '../../src/engine/load-lab.js';
import { LAB } from '../engine/support.js';

let dir: string;
let file: string;
let lesson: string;

beforeAll(() => {
  // A copy of the lesson's folder, so `{ file: files/... }` references resolve as they do.
  dir = mkdtempSync(path.join(os.tmpdir(), 'labwright-loader-fuzz-'));
  cpSync(path.dirname(LAB), dir, { recursive: true });
  file = path.join(dir, 'lab.yaml');
  lesson = readFileSync(LAB, 'utf8');
});

// The copy of the lab must not outlive the run.
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function expectProblemsOnly(text: string): Promise<void> {
  writeFileSync(file, text);
  const result = await loadLabFile(file, { checkOperations: false });
  if (result.ok) return;
  expect(result.problems.length).toBeGreaterThan(0);
  for (const problem of result.problems) {
    expect(problem.file).toMatch(/lab\.yaml$/);
    expect(Number.isInteger(problem.line) && problem.line >= 1, JSON.stringify(problem)).toBe(true);
    expect(Number.isInteger(problem.col) && problem.col >= 1, JSON.stringify(problem)).toBe(true);
    expect(typeof problem.message).toBe('string');
    expect(problem.message.length).toBeGreaterThan(0);
  }
}

/** Bits of YAML syntax that break parsers: anchors, aliases, merges, tags, flow, documents. */
const SYNTAX = [
  '&a ',
  '*a',
  '<<: *a\n',
  '&s [*s]',
  '{',
  '}',
  '[',
  ']',
  ': ',
  '- ',
  '\n',
  '\t',
  '"',
  "'",
  '#',
  '---\n',
  '...\n',
  '%YAML 1.1\n',
  '!!binary ',
  '!!js/function ',
  '? ',
  '|',
  '>-',
  '${',
  '$${x}',
  '{ file: files }',
  '{ file: ../../etc/passwd }',
  '{ file: files/trust-policy.json }',
  '__proto__: { polluted: true }\n',
  'constructor: x\n',
  '\u0000',
  '\uFEFF',
  '\uD800',
];

const mutation = fc.oneof(
  // Cut a slice.
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), length: fc.nat({ max: 400 }) }),
  // Repeat a slice elsewhere.
  fc.record({
    kind: fc.constant('copy' as const),
    from: fc.nat(),
    length: fc.nat({ max: 400 }),
    to: fc.nat(),
  }),
  // Splice in YAML syntax or random text.
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(fc.constantFrom(...SYNTAX), fc.string({ maxLength: 20 })),
  }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(text: string, mutations: Mutation[]): string {
  let out = text;
  for (const m of mutations) {
    const n = out.length || 1;
    if (m.kind === 'cut') {
      const at = m.at % n;
      out = out.slice(0, at) + out.slice(at + m.length);
    } else if (m.kind === 'copy') {
      const from = m.from % n;
      const to = m.to % n;
      out = out.slice(0, to) + out.slice(from, from + m.length) + out.slice(to);
    } else {
      const at = m.at % n;
      out = out.slice(0, at) + m.text + out.slice(at);
    }
  }
  return out;
}

describe('the loader never crashes on what lab.yaml holds', () => {
  it('random text', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 300, unit: 'binary' }),
          fc.array(fc.constantFrom(...SYNTAX), { maxLength: 40 }).map((parts) => parts.join('')),
        ),
        expectProblemsOnly,
      ),
      { numRuns: 150 },
    );
  });

  it('random YAML documents, with and without a lab shape', { timeout: 120_000 }, async () => {
    const step = fc.record(
      {
        id: fc.string({ maxLength: 8 }),
        title: fc.string({ maxLength: 8 }),
        checks: fc.anything(),
      },
      { requiredKeys: [] },
    );
    const labLike = fc.record(
      {
        id: fc.oneof(fc.constant('fuzz'), fc.anything()),
        title: fc.oneof(fc.constant('Fuzz'), fc.anything()),
        vars: fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.string(), fc.anything())),
        steps: fc.oneof(fc.array(step, { maxLength: 3 }), fc.anything()),
        cleanup: fc.anything(),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(labLike, fc.anything()), async (value) => {
        let text: string | undefined;
        try {
          // undefined has no YAML form at all.
          text = stringify(value) as string | undefined;
        } catch {
          return; // Not every JS value has a YAML form; that is the generator's limit, not ours.
        }
        await expectProblemsOnly(text ?? '');
      }),
      { numRuns: 150 },
    );
  });

  it('random documents named in { file: }', { timeout: 120_000 }, async () => {
    // The lesson refers to these; whatever they hold, loading the lesson reports, never throws.
    // The trust policy as JSON, and as YAML under another name the lab is made to refer to.
    const json = path.join(dir, 'files', 'trust-policy.json');
    const yaml = path.join(dir, 'files', 'fuzz.yaml');
    const original = {
      json: readFileSync(json, 'utf8'),
      yaml: stringify(JSON.parse(readFileSync(json, 'utf8'))),
    };
    const lab = lesson.replace('{ file: files/trust-policy.json }', '{ file: files/fuzz.yaml }');
    expect(lab).not.toBe(lesson);
    const content = (base: string) =>
      fc.oneof(
        fc.string({ maxLength: 200, unit: 'binary' }),
        fc.array(mutation, { minLength: 1, maxLength: 4 }).map((m) => mutate(base, m)),
      );
    try {
      await fc.assert(
        fc.asyncProperty(content(original.json), content(original.yaml), async (j, y) => {
          writeFileSync(json, j);
          writeFileSync(yaml, y);
          await expectProblemsOnly(lab);
        }),
        { numRuns: 40 },
      );
    } finally {
      writeFileSync(json, original.json);
    }
  });

  it("the lesson's own lab, mutated", { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 6 }), async (mutations) => {
        await expectProblemsOnly(mutate(lesson, mutations));
      }),
      { numRuns: 60 },
    );
  });
});
