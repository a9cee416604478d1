/**
 * Grading changes nothing in a student's account, whatever a lab's checks ask for: a check that
 * would write is refused (and says so), and no progress file is written for anyone.
 */
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClassResults } from '../../src/grade/results.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { runCli } from './support/run-cli.js';
import { startStudentSandbox } from './support/student-states.js';

const LAB = path.resolve('test/grade/fixtures/writing-check/lab.yaml');

let sandbox: Sandbox;
let work: string;
const savedStateHome = process.env.XDG_STATE_HOME;

beforeAll(async () => {
  sandbox = await startStudentSandbox();
  work = await mkdtemp(path.join(os.tmpdir(), 'labwright-grade-read-only-'));
  process.env.XDG_STATE_HOME = path.join(work, 'state');
});

afterAll(async () => {
  if (savedStateHome === undefined) delete process.env.XDG_STATE_HOME;
  else process.env.XDG_STATE_HOME = savedStateHome;
  await sandbox?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('grading is read-only', () => {
  it('refuses a check that would write, and writes no progress', async () => {
    const roster = path.join(work, 'roster.csv');
    await writeFile(roster, `id,endpoint\nana,${sandbox.endpoint}\n`);
    const out = path.join(work, 'grades');
    const { code } = await runCli('grade', LAB, '--roster', roster, '--out', out);
    expect(code).toBe(0);

    const results = JSON.parse(
      await readFile(path.join(out, 'results.json'), 'utf8'),
    ) as ClassResults;
    const [reads, writes] = results.students[0]!.steps[0]!.checks;
    expect(reads).toMatchObject({ id: 'reads', status: 'passed' });
    expect(writes).toMatchObject({ id: 'writes', status: 'error' });
    expect(writes?.message).toContain(
      "grading is read-only, and s3:CreateBucket would change the student's account, so it was not called",
    );

    const s3 = new S3Client({
      endpoint: sandbox.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const buckets = await s3.send(new ListBucketsCommand({}));
    s3.destroy();
    expect(buckets.Buckets ?? []).toEqual([]);
    await expect(readdir(path.join(work, 'state'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
