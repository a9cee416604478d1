import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLabFile } from '../../src/engine/load-lab.js';
import { formatProblem } from '../../src/lab/problem.js';

/**
 * The corpus of broken labs: each file says, in `# expect: LINE:COL message` comments, every
 * problem the loader must report, at that position. No other problem may be reported.
 */
const corpus = path.resolve(__dirname, '../fixtures/broken-labs');
const fixtures = readdirSync(corpus).filter((name) => name.endsWith('.yaml'));

function expectations(file: string): { line: number; col: number; text: string }[] {
  return [...readFileSync(file, 'utf8').matchAll(/^# expect: (\d+):(\d+) (.+)$/gm)].map((m) => ({
    line: Number(m[1]),
    col: Number(m[2]),
    text: m[3]!,
  }));
}

describe('broken labs', () => {
  it.each(fixtures)('%s: every problem reported at its line and column', async (name) => {
    const file = path.join(corpus, name);
    const result = await loadLabFile(file);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const found = result.problems.map((p) => ({
      line: p.line,
      col: p.col,
      text: formatProblem(p),
    }));
    const wanted = expectations(file);
    expect(wanted.length).toBeGreaterThan(0);
    for (const want of wanted) {
      expect(found, `expected ${want.line}:${want.col} ${want.text}`).toContainEqual(
        expect.objectContaining({
          line: want.line,
          col: want.col,
          text: expect.stringContaining(want.text),
        }),
      );
    }
    expect(found).toHaveLength(wanted.length);
    for (const problem of result.problems)
      expect(formatProblem(problem)).toMatch(
        /^test\/fixtures\/broken-labs\/[\w-]+\.yaml:\d+:\d+: /,
      );
  });

  it('reports a missing lab file as a problem, not an exception', async () => {
    const result = await loadLabFile('test/fixtures/broken-labs/no-such-lab.yaml');
    expect(result).toMatchObject({
      ok: false,
      problems: [{ line: 1, col: 1, message: 'cannot read the lab: no such file' }],
    });
  });
});
