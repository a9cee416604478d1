/**
 * What `submit` hands in of the student's own files: the paths the lab's checks read, found in
 * the folder submit runs from or else in the lab's workspace, a Terraform folder as its files.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectStudentFiles } from '../../src/handin/student-files.js';

const root = mkdtempSync(join(tmpdir(), 'labwright-files-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the student files a hand-in holds', () => {
  it('takes each path from the working folder, else the workspace, and never a link', async () => {
    const cwd = join(root, 'cwd');
    const workspace = join(root, 'workspace');
    mkdirSync(join(workspace, 'infra', '.terraform'), { recursive: true });
    mkdirSync(cwd, { recursive: true });
    writeFileSync(join(cwd, 'sagemaker-role.yaml'), 'Resources: {}\n');
    writeFileSync(join(workspace, 'sagemaker-role.yaml'), 'not this one\n');
    writeFileSync(join(workspace, 'infra', 'main.tf'), 'resource "aws_iam_role" "r" {}\n');
    writeFileSync(join(workspace, 'infra', '.terraform', 'cache'), 'x');
    symlinkSync('/etc/hostname', join(cwd, 'linked.tf'));

    const { files, skipped } = await collectStudentFiles(
      [cwd, workspace],
      ['sagemaker-role.yaml', 'infra', 'linked.tf', '../outside.yaml', 'missing.tf'],
    );
    const text = (name: string) => Buffer.from(files[name]!, 'base64').toString('utf8');
    expect(Object.keys(files).sort()).toEqual(['infra/main.tf', 'sagemaker-role.yaml']);
    expect(text('sagemaker-role.yaml')).toBe('Resources: {}\n');
    expect(text('infra/main.tf')).toContain('aws_iam_role');
    expect(skipped.join('\n')).toContain('linked.tf: a symbolic link');
    expect(skipped.join('\n')).toContain('../outside.yaml: outside your folder');
  });
});
