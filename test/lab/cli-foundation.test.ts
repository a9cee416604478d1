import { mkdtempSync, mkdirSync, cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { labwright } from '../support/cli.js';

describe('labwright list, validate, --help, --version', () => {
  it('validates the bundled lab: exit 0 with a summary', () => {
    const run = labwright(['validate', 'labs/sagemaker-iam-roles/lab.yaml']);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('labs/sagemaker-iam-roles/lab.yaml: 7 steps, 17 checks');
    expect(run.status).toBe(0);
  });

  it('warns, at its line, of a call the sandbox does not serve, unless the lab is for AWS', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'labwright-gap-'));
    const file = path.join(dir, 'lab.yaml');
    writeFileSync(
      file,
      [
        'id: rotation',
        'title: Key rotation',
        'version: 1',
        'summary: Rotate a key',
        'steps:',
        '  - id: rotate',
        '    title: Rotate',
        '    instructions: Turn on rotation.',
        '    actions:',
        '      - title: Rotate yearly',
        '        aws: kms:EnableKeyRotation',
        '        input: { KeyId: alias/data }',
        '    checks: []',
        '',
      ].join('\n'),
    );
    const onSandbox = labwright(['validate', file]);
    expect(onSandbox.status).toBe(0);
    expect(onSandbox.stderr).toMatch(
      /lab\.yaml:11:14: warning: the embedded sandbox does not serve kms:EnableKeyRotation/,
    );
    const onAws = labwright(['validate', file, '--target', 'aws']);
    expect(onAws.status).toBe(0);
    expect(onAws.stderr).not.toMatch(/warning/);
    // The lessons that ship run on the sandbox: no warning there.
    expect(labwright(['validate', 'labs/sagemaker-iam-roles/lab.yaml']).stderr).not.toMatch(
      /warning/,
    );
  });

  it('names IAM actions that do not exist, in policies and in probes, at their lines', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'labwright-iam-names-'));
    const file = path.join(dir, 'lab.yaml');
    writeFileSync(
      file,
      [
        'id: typos',
        'title: Typos',
        'version: 1',
        'summary: A policy and a probe with a typo each',
        'steps:',
        '  - id: grant',
        '    title: Grant',
        '    instructions: Grant reading.',
        '    actions:',
        '      - title: Allow reading',
        '        aws: iam:PutRolePolicy',
        '        input:',
        '          RoleName: r',
        '          PolicyName: read',
        '          PolicyDocument:',
        '            Version: "2012-10-17"',
        '            Statement:',
        '              - { Effect: Allow, Action: [s3:GetObjects, "s3:List*"], Resource: "*" }',
        '    checks:',
        '      - id: can-read',
        '        title: The role can read',
        '        type: iam.role.can',
        '        with:',
        '          role: r',
        '          allow:',
        '            - { action: logs:PutLogEvent, resource: "*" }',
        '',
      ].join('\n'),
    );
    const run = labwright(['validate', file]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      /lab\.yaml:18:\d+: "s3:GetObjects" is not an IAM action \(did you mean s3:GetObject\?\): a policy that allows it allows nothing/,
    );
    expect(run.stderr).toMatch(
      /lab\.yaml:26:\d+: "logs:PutLogEvent" is not an IAM action \(did you mean logs:PutLogEvents\?\): probing it proves nothing/,
    );
    expect(run.stderr).not.toMatch(/s3:List\*/);
  });

  it('says the same of a lab it validated before (from the lab cache), and sees an edit', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'labwright-revalidate-'));
    const file = path.join(dir, 'lab.yaml');
    const lab = (call: string) =>
      [
        'id: again',
        'title: Again',
        'version: 1',
        'summary: A typo in a policy, a call the sandbox lacks',
        'steps:',
        '  - id: grant',
        '    title: Grant',
        '    instructions: Grant reading.',
        '    actions:',
        '      - title: Allow reading',
        '        aws: iam:PutRolePolicy',
        '        input:',
        '          RoleName: r',
        '          PolicyName: read',
        '          PolicyDocument:',
        '            Statement:',
        '              - { Effect: Allow, Action: s3:GetObjects, Resource: "*" }',
        '      - title: Rotate',
        `        aws: ${call}`,
        '        input: { KeyId: alias/data }',
        '    checks: []',
        '',
      ].join('\n');
    writeFileSync(file, lab('kms:EnableKeyRotation'));
    const env = { XDG_CACHE_HOME: path.join(dir, 'cache') };
    const first = labwright(['validate', file], { env });
    expect(first.status).toBe(2);
    expect(first.stderr).toMatch(/lab\.yaml:17:\d+: "s3:GetObjects" is not an IAM action/);
    expect(first.stderr).toMatch(/lab\.yaml:19:\d+: warning: the embedded sandbox does not serve/);
    // The lab loaded (its problems are found after loading): it is kept, and used next time.
    expect(readdirSync(path.join(dir, 'cache', 'labwright', 'labs'))).toHaveLength(1);
    const again = labwright(['validate', file], { env });
    expect(again).toEqual(first);
    writeFileSync(file, lab('kms:EnableKeyRotations'));
    const edited = labwright(['validate', file], { env });
    expect(edited.stderr).toMatch(/kms has no operation EnableKeyRotations/);
  });

  it('validates by lab id and by folder too', () => {
    expect(labwright(['validate', 'sagemaker-iam-roles']).status).toBe(0);
    expect(labwright(['validate', 'labs/sagemaker-iam-roles']).status).toBe(0);
  });

  it('reports a broken lab with file:line:col, exit 2, no stack trace', () => {
    const run = labwright(['validate', 'test/fixtures/broken-labs/unknown-check-type.yaml']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      'test/fixtures/broken-labs/unknown-check-type.yaml:10:15: unknown check type "iam.role.exist" (did you mean "iam.role.exists"?)',
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('validates several labs and fails if any is broken, reporting each', () => {
    const run = labwright([
      'validate',
      'sagemaker-iam-roles',
      'test/fixtures/broken-labs/bad-with.yaml',
    ]);
    expect(run.status).toBe(2);
    expect(run.stdout).toContain('7 steps, 17 checks');
    expect(run.stderr).toContain('bad-with.yaml: 3 problems');
  });

  it('prints problems as JSON with --json', () => {
    const run = labwright(['validate', '--json', 'test/fixtures/broken-labs/undefined-var.yaml']);
    expect(run.status).toBe(2);
    const [result] = JSON.parse(run.stdout) as {
      ok: boolean;
      problems: { line: number; path: string }[];
    }[];
    expect(result!.ok).toBe(false);
    expect(result!.problems[0]).toMatchObject({ line: 12, path: 'steps[0].checks[0].with.role' });
  });

  it('lists the bundled lab, and a local ./labs lab first', () => {
    expect(labwright(['list']).stdout).toMatch(
      /^sagemaker-iam-roles\s+Lesson 9\.1: IAM Roles and Permissions for SageMaker/m,
    );
    const cwd = mkdtempSync(path.join(tmpdir(), 'labwright-list-'));
    mkdirSync(path.join(cwd, 'labs'));
    cpSync('test/fixtures/broken-labs/syntax-error.yaml', path.join(cwd, 'labs/mine/lab.yaml'), {
      recursive: true,
    });
    const listed = labwright(['list', '--json'], { cwd });
    const labs = JSON.parse(listed.stdout) as { id: string; source: string }[];
    // A lab that does not parse is still listed, by its folder, so the author can find it; the
    // lessons come in the course's order, by title (Lesson 9.1, 9.2, 9.3).
    expect(labs.map((lab) => [lab.id, lab.source])).toEqual([
      ['mine', 'local'],
      ['sagemaker-iam-roles', 'bundled'],
      ['s3-data-protection', 'bundled'],
      ['sagemaker-training-job', 'bundled'],
    ]);
  });

  it('finds labs outside labs/: list --labs DIR, and LABWRIGHT_LABS for every command', () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'labwright-labs-'));
    const elsewhere = path.join(cwd, 'course');
    cpSync('labs/sagemaker-training-job', path.join(elsewhere, 'my-lab'), { recursive: true });
    const lab = path.join(elsewhere, 'my-lab/lab.yaml');
    writeFileSync(lab, readFileSync(lab, 'utf8').replace(/^id: .*$/m, 'id: course-lab'));
    const listed = JSON.parse(
      labwright(['list', '--json', '--labs', elsewhere], { cwd }).stdout,
    ) as {
      id: string;
      file: string;
    }[];
    expect(listed.find((entry) => entry.id === 'course-lab')).toMatchObject({ file: lab });
    const validated = labwright(['validate', 'course-lab'], {
      cwd,
      env: { LABWRIGHT_LABS: elsewhere },
    });
    expect(validated.status, validated.stderr).toBe(0);
    expect(validated.stdout).toContain('my-lab/lab.yaml: 4 steps');
  });

  it('schema prints the packaged schema path, or writes it next to a lab', () => {
    const printed = labwright(['schema']).stdout.trim();
    expect(printed).toBe(path.resolve('labs/lab.schema.json'));
    const dir = mkdtempSync(path.join(tmpdir(), 'labwright-schema-'));
    const written = labwright(['schema', dir]);
    expect(written.status).toBe(0);
    expect(written.stdout).toContain('$schema=./lab.schema.json');
    expect(readFileSync(path.join(dir, 'lab.schema.json'), 'utf8')).toBe(
      readFileSync('labs/lab.schema.json', 'utf8'),
    );
  });

  it('answers --version and --help, and exits 2 on bad usage', () => {
    expect(labwright(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = labwright(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('validate');
    const unknown = labwright(['frobnicate']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown command or lab "frobnicate"');
    expect(labwright(['validate']).status).toBe(2);
  });
});
