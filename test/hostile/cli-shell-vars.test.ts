/**
 * Issue 11, item 5: a value is never code. `--var` values used to be pasted into `bash -c`, so
 * `--var 'template=x"; touch pwned; echo "'` ran `touch`. Now every lab variable reaches a
 * `shell:` line (action, cleanup or shell check) as an environment variable, and bash expands
 * the author's own `${name}` from it, quoted as the author quoted it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/server.js';
import {
  LAB,
  labwright,
  makeHome,
  sharedSandbox,
  STACK_FRAME,
  type Home,
} from '../engine/support.js';

let home: Home;
let sandbox: Sandbox;
let labFile: string;

const HOSTILE = [
  'x"; touch pwned; echo "',
  '$(touch pwned)',
  '`touch pwned`',
  "'; touch pwned; '",
  'a\nb; touch pwned',
];

beforeAll(async () => {
  home = makeHome();
  sandbox = await sharedSandbox(home);
  const dir = path.join(home.dir, 'lab');
  mkdirSync(dir);
  labFile = path.join(dir, 'lab.yaml');
  writeFileSync(
    labFile,
    [
      'id: shell-vars',
      'title: Shell variables',
      'vars: { name: plain, other: two }',
      'steps:',
      '  - id: one',
      '    title: One',
      '    actions:',
      '      - title: Write the name',
      `        shell: printf '%s|%s|%s' "\${name}" "$other" "$\${HOME:+home}" > "$LABWRIGHT_CWD/action.txt"`,
      '    checks:',
      '      - id: sees-name',
      '        type: shell',
      `        with: { run: 'test "\${name}" = "$(cat "$LABWRIGHT_CWD/name.expected")"' }`,
      'cleanup:',
      `  - title: Write the name again`,
      `    shell: printf '%s' "\${name}" > "$LABWRIGHT_CWD/cleanup.txt"`,
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await sandbox?.stop();
});

describe('lab variables reach shell lines as environment variables, never as code', () => {
  it('validate accepts the lab', async () => {
    const result = await labwright(home, ['validate', labFile]);
    expect(result.status, result.stdout + result.stderr).toBe(0);
  });

  it.each(HOSTILE)('solve and check with --var name=%j run nothing', async (value) => {
    writeFileSync(path.join(home.cwd, 'name.expected'), value);
    const result = await labwright(home, ['solve', labFile, '--no-wait', '--var', `name=${value}`]);
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(existsSync(path.join(home.cwd, 'pwned'))).toBe(false);
    expect(existsSync(path.join(labFile, '..', 'pwned'))).toBe(false);
    // The author's quoting holds the value as one word; `$other` and `$${HOME...}` still work.
    expect(readFileSync(path.join(home.cwd, 'action.txt'), 'utf8')).toBe(`${value}|two|home`);
  });

  it.each(HOSTILE)('reset with --var name=%j runs nothing', async (value) => {
    const result = await labwright(home, ['reset', labFile, '--var', `name=${value}`]);
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(existsSync(path.join(home.cwd, 'pwned'))).toBe(false);
    expect(readFileSync(path.join(home.cwd, 'cleanup.txt'), 'utf8')).toBe(value);
  });

  it("the lesson's own shell lines keep a hostile --var as one word", async () => {
    const template = 'x"; touch pwned; echo ".yaml';
    const solved = await labwright(home, [
      'solve',
      'sagemaker-iam-roles',
      '--step',
      'infrastructure-as-code',
      '--no-wait',
      '--var',
      `template=${template}`,
    ]);
    expect(solved.stderr).not.toMatch(STACK_FRAME);
    expect(existsSync(path.join(home.cwd, 'pwned'))).toBe(false);
    // The reference template was copied under exactly that name.
    expect(existsSync(path.join(home.cwd, template))).toBe(true);

    const reset = await labwright(home, [
      'reset',
      'sagemaker-iam-roles',
      '--var',
      'bucket=$(touch pwned)',
    ]);
    expect(reset.stderr).not.toMatch(STACK_FRAME);
    expect(existsSync(path.join(home.cwd, 'pwned'))).toBe(false);
    // Shell actions run in the lab folder: nothing may appear there either.
    expect(existsSync(path.join(LAB, '..', 'pwned'))).toBe(false);
  });
});

describe('variable names must be shell names', () => {
  it('validate names the variable at file:line:col', async () => {
    const dir = path.join(home.dir, 'bad-names');
    mkdirSync(dir);
    const file = path.join(dir, 'lab.yaml');
    writeFileSync(
      file,
      'id: bad\ntitle: Bad\nvars:\n  my-var: x\n  BASH_ENV: y\nsteps:\n  - { id: s, title: S }\n',
    );
    const result = await labwright(home, ['validate', file]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/lab\.yaml:4:3: variable name "my-var" is not a shell name/);
    expect(result.stderr).toMatch(/lab\.yaml:5:3: variable name "BASH_ENV" is reserved/);
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });
});
