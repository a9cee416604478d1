/**
 * Progress files: what a student did survives between runs and between processes, and a crash
 * in the middle of a write leaves the previous file whole (temporary file + rename).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Progress, progressFile } from '../../src/engine/progress.js';

const tempDir = () => mkdtempSync(path.join(os.tmpdir(), 'labwright-progress-'));

describe('progress', () => {
  it('lives under XDG_STATE_HOME, per lab and target', () => {
    expect(
      progressFile('sagemaker-iam-roles', 'aws-123456789012-eu-west-1', { XDG_STATE_HOME: '/s' }),
    ).toBe('/s/labwright/progress/sagemaker-iam-roles/aws-123456789012-eu-west-1.json');
    expect(progressFile('lab', 'sandbox', { HOME: '/h', XDG_STATE_HOME: '' })).toMatch(
      /\/\.local\/state\/labwright\/progress\/lab\/sandbox\.json$/,
    );
  });

  it('records hints, answers and verdicts, and reads them back in a new process', () => {
    const file = path.join(tempDir(), 'p.json');
    const first = Progress.load('lab', 'sandbox', { file });
    expect(first.recordHint('create-role', 'role-exists', 2)).toBe(1);
    expect(first.recordHint('create-role', 'role-exists', 2)).toBe(2);
    // No more hints than the check has.
    expect(first.recordHint('create-role', 'role-exists', 2)).toBe(2);
    first.recordAnswer('who-assumes', 1);
    first.recordResults(
      [{ stepId: 'create-role', checkId: 'role-exists', status: 'passed', message: 'ok' }],
      true,
    );

    const again = Progress.load('lab', 'sandbox', { file });
    expect(again.hintsSeen('create-role', 'role-exists')).toBe(2);
    expect(again.hintsUsed()).toBe(2);
    expect(again.data.answers).toEqual({ 'who-assumes': 1 });
    expect(again.data.checks['create-role/role-exists']).toMatchObject({
      status: 'passed',
      message: 'ok',
    });
    expect(again.data.completedAt).toBeDefined();
    expect(again.data.startedAt).toBe(first.data.startedAt);
  });

  it('knows when the attempt began once progress was saved, and a reset begins a new one', () => {
    const file = path.join(tempDir(), 'p.json');
    // A first run after work done without labwright must not disown that work.
    const first = Progress.load('lab', 'aws-1-us-east-1', { file });
    expect(first.attemptStartedAt).toBeUndefined();
    first.recordAnswer('q1', 0);
    const later = Progress.load('lab', 'aws-1-us-east-1', { file });
    expect(later.attemptStartedAt?.toISOString()).toBe(first.data.startedAt);

    later.clear();
    const retake = Progress.load('lab', 'aws-1-us-east-1', { file });
    expect(retake.data.answers).toEqual({});
    expect(retake.attemptStartedAt!.getTime()).toBeGreaterThanOrEqual(
      Date.parse(first.data.startedAt),
    );
    expect(retake.attemptStartedAt?.toISOString()).toBe(later.data.startedAt);
  });

  it("two processes writing (the TUI and `labwright hint`) keep each other's changes", () => {
    const file = path.join(tempDir(), 'p.json');
    const tui = Progress.load('lab', 'sandbox', { file });
    const cli = Progress.load('lab', 'sandbox', { file });
    tui.recordAnswer('q1', 0);
    cli.recordHint('s', 'c', 3);
    tui.recordAnswer('q2', 1);
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved.answers).toEqual({ q1: 0, q2: 1 });
    expect(saved.hintsSeen).toEqual({ 's/c': 1 });
  });

  it('a file that is not progress starts afresh instead of failing', () => {
    const file = path.join(tempDir(), 'p.json');
    writeFileSync(file, '{"version": 1, "hintsSeen": {"s/c"');
    expect(Progress.load('lab', 'sandbox', { file }).hintsUsed()).toBe(0);
  });

  it('a crash in the middle of a write leaves the previous file, whole', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'p.json');
    const writer = spawn(
      process.execPath,
      ['--import', 'tsx', path.resolve(__dirname, 'progress-writer.ts'), file],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    // Kill it without warning once it has written a few times: it is then most likely inside a write.
    let completed = 0;
    await new Promise<void>((resolve) => {
      writer.stdout.on('data', (chunk: Buffer) => {
        completed = Number(chunk.toString().trim().split('\n').at(-1));
        if (completed >= 5 && writer.exitCode === null) writer.kill('SIGKILL');
      });
      writer.on('exit', () => resolve());
    });
    expect(completed).toBeGreaterThanOrEqual(5);
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved.version).toBe(1);
    // Every completed write is there; at most the one in progress is not.
    expect(Object.keys(saved.answers).length).toBeGreaterThanOrEqual(completed);
    expect(Progress.load('lab', 'sandbox', { file }).data.answers[`q${completed}`]).toBe(completed);
    // Whatever was being written stays aside in a temporary file, never in place of the progress.
    expect(readdirSync(dir).filter((name) => name.endsWith('.json'))).toEqual(['p.json']);
  });
});
