/**
 * Issue 11, item 6: hostile lab files. Each used to crash the loader with a stack trace (exit
 * 1), hang it (a FIFO), or take hundreds of MB (a 107 MB lab). Now each is a problem at
 * file:line:col and exit 2, through the real loader and the real CLI (validate and check).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLabFile } from '../../src/engine/load-lab.js';
import { formatProblem } from '../../src/lab/problem.js';
import { labwright } from '../support/cli.js';

const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

let dir: string;

/** A lab whose one action sends `{ file: ref }` as a role's trust policy. */
function labReferring(ref: string): string {
  return [
    'id: hostile',
    'title: Hostile',
    'steps:',
    '  - id: s',
    '    title: S',
    '    actions:',
    '      - title: Create',
    '        aws: iam:CreateRole',
    `        input: { RoleName: r, AssumeRolePolicyDocument: { file: ${ref} } }`,
    '',
  ].join('\n');
}

function billionLaughs(): string {
  const lines = ['id: hostile', 'title: Hostile', 'a: &a ["lol","lol","lol","lol","lol","lol"]'];
  let previous = 'a';
  for (const name of 'bcdefghij') {
    lines.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`);
    previous = name;
  }
  lines.push('steps: [{ id: s, title: S }]', '');
  return lines.join('\n');
}

/** name → [lab.yaml text, the problem expected: line, col, text] */
const cases: Record<
  string,
  { lab: string; line: number; col: number | undefined; message: RegExp }
> = {
  'a YAML alias bomb': { lab: billionLaughs(), line: 4, col: 8, message: /billion laughs/ },
  'a self-referencing alias': {
    lab: 'id: hostile\ntitle: Hostile\nx: &a { y: [*a] }\nsteps: [{ id: s, title: S }]\n',
    line: 3,
    col: 13,
    message: /refers to itself/,
  },
  'a self-referencing merge': {
    lab: 'id: hostile\ntitle: Hostile\nsteps:\n  - &s { id: s, title: S, <<: *s }\n',
    line: 4,
    col: 31,
    message: /refers to itself/,
  },
  'an alias to no anchor': {
    lab: 'id: hostile\ntitle: Hostile\nsteps: [{ id: s, title: *nowhere }]\n',
    line: 3,
    col: 25,
    message: /Unresolved alias/,
  },
  '{ file: files } naming a folder': {
    lab: labReferring('files'),
    line: 9,
    col: 65,
    message: /file files is a folder, not a file/,
  },
  'a 100,000-deep JSON file': {
    lab: labReferring('files/deep.json'),
    line: 9,
    col: 65,
    message: /file files\/deep.json nests deeper than 100 levels/,
  },
  'a self-referencing YAML file': {
    lab: labReferring('files/self.yaml'),
    line: 9,
    col: 65,
    message: /file files\/self.yaml refers to itself/,
  },
  'a YAML file with an alias bomb': {
    lab: labReferring('files/bomb.yaml'),
    line: 9,
    col: 65,
    message: /file files\/bomb.yaml is not valid YAML: .*alias/i,
  },
  'a FIFO named in file:': {
    lab: labReferring('files/pipe.json'),
    line: 9,
    col: 65,
    message: /file files\/pipe.json is a named pipe \(FIFO\)/,
  },
  'a symlink out of the lab folder': {
    lab: labReferring('files/escape.json'),
    line: 9,
    col: 65,
    message: /file files\/escape.json links outside the lab folder/,
  },
  'a file over the size limit': {
    lab: labReferring('files/big.json'),
    line: 9,
    col: 65,
    message: /file files\/big.json is 2.0 MB; lab files may be at most 1.0 MB/,
  },
  'a 107 MB lab': {
    lab: `id: hostile\ntitle: Hostile\nsummary: "${'x'.repeat(107 * 1024 * 1024)}"\nsteps: [{ id: s, title: S }]\n`,
    line: 1,
    col: 1,
    message: /the lab is 107.0 MB; lab files may be at most 1.0 MB/,
  },
  'a 10,000-deep YAML flow sequence': {
    lab: `id: hostile\ntitle: Hostile\nx: ${'['.repeat(10_000)}${']'.repeat(10_000)}\nsteps: [{ id: s, title: S }]\n`,
    line: 3,
    // Wherever the parser gave up: the line is what matters.
    col: undefined,
    message: /YAML|deeper/,
  },
};

const THROUGH_CHECK = new Set([
  'a YAML alias bomb',
  'a 100,000-deep JSON file',
  'a FIFO named in file:',
  'a 107 MB lab',
]);

const folderOf = (name: string) => name.replace(/[^a-z0-9]+/gi, '-');

function labDir(name: string, lab: string): string {
  const folder = path.join(dir, folderOf(name));
  const files = path.join(folder, 'files');
  mkdirSync(files, { recursive: true });
  writeFileSync(path.join(folder, 'lab.yaml'), lab);
  writeFileSync(path.join(files, 'deep.json'), `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
  writeFileSync(path.join(files, 'self.yaml'), 'a: &a { b: *a }\n');
  writeFileSync(path.join(files, 'bomb.yaml'), billionLaughs());
  writeFileSync(path.join(files, 'big.json'), `"${'x'.repeat(2 * 1024 * 1024 - 2)}"`);
  writeFileSync(path.join(dir, 'secret.json'), '{"secret": true}');
  symlinkSync(path.join(dir, 'secret.json'), path.join(files, 'escape.json'));
  execFileSync('mkfifo', [path.join(files, 'pipe.json')]);
  return path.join(folder, 'lab.yaml');
}

const labs = new Map<string, string>();

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'labwright-hostile-loader-'));
  for (const [name, { lab }] of Object.entries(cases)) labs.set(name, labDir(name, lab));
});

// Temporary labs (one of 107 MB) must not outlive the run.
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `file:line:col: ` of a problem as the CLI prints it; any column when `col` is undefined. */
const at = (name: string, line: number, col: number | undefined) =>
  new RegExp(`^${folderOf(name)}/lab\\.yaml:${line}:${col ?? '\\d+'}: `, 'm');

describe('the loader refuses hostile lab files with file:line:col', () => {
  it.each(Object.entries(cases))('%s', async (name, { line, col, message }) => {
    const file = labs.get(name)!;
    const result = await loadLabFile(file, { checkOperations: false });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map(formatProblem)).toContainEqual(expect.stringMatching(message));
    expect(result.problems[0]).toMatchObject(col === undefined ? { line } : { line, col });

    // A few through `check` too, which loads through the lab cache (spawning the CLI costs
    // seconds on a shared machine, so not every case).
    if (THROUGH_CHECK.has(name)) {
      const cli = labwright(
        ['check', file, '--target', 'localstack', '--endpoint', 'http://127.0.0.1:9'],
        { cwd: dir },
      );
      expect(cli.status, cli.stderr).toBe(2);
      expect(cli.stderr).toMatch(at(name, line, col));
      expect(cli.stderr).toMatch(message);
      expect(cli.stderr).not.toMatch(STACK_FRAME);
    }
  });

  it('validate reports every one, each at its file:line:col, and exits 2', () => {
    const cli = labwright(['validate', ...labs.values()], { cwd: dir });
    expect(cli.status, cli.stderr).toBe(2);
    expect(cli.stderr).not.toMatch(STACK_FRAME);
    for (const [name, { line, col, message }] of Object.entries(cases)) {
      const problem = cli.stderr.split('\n').find((text) => at(name, line, col).test(text));
      expect(problem, `${name} in\n${cli.stderr}`).toMatch(message);
    }
  });

  it('a FIFO as the lab itself', () => {
    const fifo = path.join(dir, 'pipe-lab.yaml');
    execFileSync('mkfifo', [fifo]);
    for (const command of [
      ['validate', fifo],
      ['check', fifo],
    ]) {
      const cli = labwright(command, { cwd: dir });
      expect(cli.status, cli.stderr).toBe(2);
      expect(cli.stderr).toContain('pipe-lab.yaml:1:1: the lab is a named pipe (FIFO)');
    }
  });
});
