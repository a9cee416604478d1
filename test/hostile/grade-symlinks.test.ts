/**
 * Issue 11, item 7: grading read a student's files through symlinks out of their `dir` (a link
 * to another file put its text into results.json), and a FIFO there would hang the grader.
 * Now such a file is an error for that student's check, naming the link, and the rest of the
 * class is graded as usual. The real CLI, against a real sandbox.
 */
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClassResults } from '../../src/grade/results.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { LAB, labwright, makeHome, STACK_FRAME, type Home } from '../engine/support.js';

const SECRET = 'TOP-SECRET: the instructor answer key';
const TEMPLATE = 'sagemaker-role.yaml';

let home: Home;
let sandbox: Sandbox;

beforeAll(async () => {
  home = makeHome();
  sandbox = await startSandbox({
    port: 0,
    stateDir: path.join(home.dir, 'sandbox'),
    log: () => undefined,
  });
});

afterAll(async () => {
  await sandbox?.stop();
});

describe('grading never follows a link out of a student folder', () => {
  it('refuses links that leave the folder and FIFOs, names them, grades the others', async () => {
    const work = path.join(home.dir, 'class');
    const reference = path.join(path.dirname(LAB), 'files', TEMPLATE);
    const folder = (id: string) => {
      mkdirSync(path.join(work, id), { recursive: true });
      return path.join(work, id);
    };
    writeFileSync(path.join(work, '..', 'answer-key.yaml'), `${SECRET}\n`);
    // mallory: a link to a file outside her folder.
    symlinkSync(path.join(work, '..', 'answer-key.yaml'), path.join(folder('mallory'), TEMPLATE));
    // trent: a relative link that climbs out.
    symlinkSync('../../answer-key.yaml', path.join(folder('trent'), TEMPLATE));
    // bob: his own template.
    copyFileSync(reference, path.join(folder('bob'), TEMPLATE));
    // carol: a link that stays inside her folder is fine.
    mkdirSync(path.join(folder('carol'), 'cfn'));
    copyFileSync(reference, path.join(work, 'carol', 'cfn', 'role.yaml'));
    symlinkSync('cfn/role.yaml', path.join(work, 'carol', TEMPLATE));
    // dave: a FIFO, which would block a read for ever.
    execFileSync('mkfifo', [path.join(folder('dave'), TEMPLATE)]);

    const ids = ['mallory', 'trent', 'bob', 'carol', 'dave'];
    writeFileSync(
      path.join(work, 'roster.csv'),
      `id,endpoint,dir\n${ids.map((id) => `${id},${sandbox.endpoint},${id}`).join('\n')}\n`,
    );
    const out = path.join(work, 'grades');
    const result = await labwright(home, [
      'grade',
      'sagemaker-iam-roles',
      '--roster',
      path.join(work, 'roster.csv'),
      '--out',
      out,
    ]);
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(result.status, result.stdout + result.stderr).toBe(0);

    const text = readFileSync(path.join(out, 'results.json'), 'utf8');
    expect(text).not.toContain('TOP-SECRET');
    expect(readFileSync(path.join(out, 'gradebook.csv'), 'utf8')).not.toContain('TOP-SECRET');
    const results = JSON.parse(text) as ClassResults;
    const template = (id: string) => {
      const student = results.students.find((s) => s.id === id)!;
      expect(student.error, id).toBeNull();
      return student.steps
        .find((step) => step.id === 'infrastructure-as-code')!
        .checks.find((check) => check.id === 'template-role')!;
    };
    for (const id of ['mallory', 'trent']) {
      expect(template(id).status, id).toBe('error');
      expect(template(id).message).toMatch(
        new RegExp(`^${TEMPLATE.replace('.', '\\.')} is a symbolic link out of the folder `),
      );
    }
    expect(template('dave').status).toBe('error');
    expect(template('dave').message).toMatch(/named pipe \(FIFO\)/);
    expect(template('bob').status, template('bob').message).toBe('passed');
    expect(template('carol').status, template('carol').message).toBe('passed');
  });
});
