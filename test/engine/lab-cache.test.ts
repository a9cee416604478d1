/**
 * The lab cache: a lab that loaded is reused as is, and any edit to lab.yaml or a file beside
 * it is loaded (and validated) afresh, so a broken edit is never hidden by the cache.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { labCacheDir, loadLabForRun, loadLabForValidate } from '../../src/engine/lab-cache.js';
import { LAB } from './support.js';

let dir: string;
let previous: string | undefined;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'labwright-cache-'));
  previous = process.env.XDG_CACHE_HOME;
  process.env.XDG_CACHE_HOME = path.join(dir, 'cache');
  cpSync(path.dirname(LAB), path.join(dir, 'lab'), { recursive: true });
});

afterEach(() => {
  if (previous === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = previous;
});

describe('the lab cache', () => {
  it('keeps a lab that loaded and gives back the same lab', async () => {
    const file = path.join(dir, 'lab', 'lab.yaml');
    const first = await loadLabForRun(file);
    expect(first.ok).toBe(true);
    expect(readdirSync(labCacheDir())).toHaveLength(1);
    const second = await loadLabForRun(file);
    expect(second).toEqual(first);
  });

  it('loads an edited lab afresh, problems included', async () => {
    const file = path.join(dir, 'lab', 'lab.yaml');
    expect((await loadLabForRun(file)).ok).toBe(true);
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('type: iam.role.exists', 'type: iam.role.exist'),
    );
    const edited = await loadLabForRun(file);
    expect(edited.ok).toBe(false);
    if (!edited.ok)
      expect(edited.problems[0]!.message).toContain('unknown check type "iam.role.exist"');
  });

  it('notices a file beside the lab going missing', async () => {
    const file = path.join(dir, 'lab', 'lab.yaml');
    expect((await loadLabForRun(file)).ok).toBe(true);
    const policy = path.join(dir, 'lab', 'files', 'trust-policy.json');
    writeFileSync(policy, '{ not json');
    const edited = await loadLabForRun(file);
    expect(edited.ok).toBe(false);
  });

  it('keeps what validate found apart from what check loaded, which skips the AWS operations', async () => {
    const file = path.join(dir, 'lab', 'lab.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        'aws: sts:GetCallerIdentity',
        'aws: sts:GetCallerIdentityy',
      ),
    );
    expect((await loadLabForRun(file)).ok).toBe(true);
    const validated = await loadLabForValidate(file);
    expect(validated.ok).toBe(false);
    if (!validated.ok)
      expect(validated.problems[0]!.message).toContain('sts has no operation GetCallerIdentityy');
  });

  it('gives validate the lab it validated, and validates an edited lab afresh', async () => {
    const file = path.join(dir, 'lab', 'lab.yaml');
    const first = await loadLabForValidate(file);
    expect(first.ok).toBe(true);
    expect(await loadLabForValidate(file)).toEqual(first);
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('type: iam.role.exists', 'type: iam.role.exist'),
    );
    const edited = await loadLabForValidate(file);
    expect(edited.ok).toBe(false);
    if (!edited.ok)
      expect(edited.problems[0]!.message).toContain('unknown check type "iam.role.exist"');
  });
});
