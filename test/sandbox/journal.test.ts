/**
 * The journal: what a student did survives a restart and damaged files, and replaying it into a
 * fresh sandbox makes the same state and the same CloudTrail history. Real SDK clients, real files.
 */
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  GetRoleCommand,
  IAMClient,
  ListRolesCommand,
} from '@aws-sdk/client-iam';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateTrainingJobCommand, DescribeTrainingJobCommand } from '@aws-sdk/client-sagemaker';
import {
  appendFileSync,
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  JournalWriter,
  readJournal,
  verifyChain,
  type JournalRecord,
} from '../../src/sandbox/journal.js';
import { replaySandbox } from '../../src/sandbox/replay.js';
import { SERVICE_NAMES } from '../../src/sandbox/registry.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { expectAwsError, policy, quietLog, stateDirs } from './helpers.js';
import { clients } from './service-clients.js';

const ACCOUNT = '000000000000';
const XGBOOST = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1';
const trust = policy([
  { Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' },
  { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' },
]);

const newDir = stateDirs('journal');

/** Each service's state and the trail, as JSON: what "the same sandbox" means. */
function stateOf(sandbox: Sandbox): string {
  const store = sandbox.core.store;
  const services = Object.fromEntries(SERVICE_NAMES.map((s) => [s, store.get(s, () => ({}))]));
  return JSON.stringify({ services, trail: sandbox.core.events.all() });
}

async function eventually<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('gave up waiting');
}

/** Lesson-like work: a role with policies, a bucket and objects, a role session, a training job. */
async function doTheLab(endpoint: string): Promise<void> {
  const root = clients(endpoint);
  await root.iam.send(new CreateRoleCommand({ RoleName: 'Exec', AssumeRolePolicyDocument: trust }));
  await root.iam.send(
    new AttachRolePolicyCommand({
      RoleName: 'Exec',
      PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3FullAccess',
    }),
  );
  await root.iam.send(
    new AttachRolePolicyCommand({
      RoleName: 'Exec',
      PolicyArn: 'arn:aws:iam::aws:policy/CloudWatchLogsFullAccess',
    }),
  );
  await root.s3.send(new CreateBucketCommand({ Bucket: 'data' }));
  await root.s3.send(
    new PutObjectCommand({
      Bucket: 'data',
      Key: 'train/a.csv',
      Body: new Uint8Array([1, 2, 0, 255]),
    }),
  );
  const session = await root.sts.send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/Exec`, RoleSessionName: 'me' }),
  );
  const asRole = clients(endpoint, {
    accessKeyId: session.Credentials!.AccessKeyId!,
    secretAccessKey: session.Credentials!.SecretAccessKey!,
    sessionToken: session.Credentials!.SessionToken!,
  });
  await asRole.s3.send(new PutObjectCommand({ Bucket: 'data', Key: 'train/b.csv', Body: '3,4\n' }));
  await expectAwsError(root.iam.send(new GetRoleCommand({ RoleName: 'Nobody' })), 'NoSuchEntity');
  await root.sagemaker.send(
    new CreateTrainingJobCommand({
      TrainingJobName: 'job',
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/Exec`,
      AlgorithmSpecification: { TrainingImage: XGBOOST, TrainingInputMode: 'File' },
      InputDataConfig: [
        {
          ChannelName: 'train',
          DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://data/train/' } },
        },
      ],
      OutputDataConfig: { S3OutputPath: 's3://data/output' },
      ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
      StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    }),
  );
  await eventually(async () => {
    const job = await root.sagemaker.send(
      new DescribeTrainingJobCommand({ TrainingJobName: 'job' }),
    );
    return job.TrainingJobStatus === 'Completed' ? job : undefined;
  });
}

const blobReader = (dir: string) => async (id: string) => {
  try {
    return readFileSync(join(dir, 'blobs', id.slice(0, 2), id));
  } catch {
    return undefined;
  }
};

describe('the journal', () => {
  it('replays into a fresh sandbox with the same state and CloudTrail history', async () => {
    const dir = newDir();
    const live = await startSandbox({
      stateDir: dir,
      timing: { trainingJobMs: 40 },
      log: quietLog().log,
    });
    await doTheLab(live.endpoint);
    await live.core.settle();
    const expected = stateOf(live);
    await live.stop();

    const records = await readJournal(dir);
    expect(verifyChain(records)).toEqual({ ok: true });
    expect(records.some((r) => r.kind === 'task' && r.operation === 'Wake')).toBe(true);
    const { sandbox, mismatch } = await replaySandbox(records, blobReader(dir));
    try {
      expect(mismatch).toBeUndefined();
      expect(stateOf(sandbox)).toBe(expected);
      const object = await clients(sandbox.endpoint).s3.send(
        new GetObjectCommand({ Bucket: 'data', Key: 'train/a.csv' }),
      );
      expect([...(await object.Body!.transformToByteArray())]).toEqual([1, 2, 0, 255]);
    } finally {
      await sandbox.stop();
    }
  });

  it('replays a body a refused upload sent before an accepted one sent it again', async () => {
    const dir = newDir();
    const live = await startSandbox({ stateDir: dir, log: quietLog().log });
    const root = clients(live.endpoint);
    await root.iam.send(
      new CreateRoleCommand({ RoleName: 'NoRights', AssumeRolePolicyDocument: trust }),
    );
    await root.s3.send(new CreateBucketCommand({ Bucket: 'data' }));
    const session = await root.sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${ACCOUNT}:role/NoRights`,
        RoleSessionName: 'me',
      }),
    );
    const asRole = clients(live.endpoint, {
      accessKeyId: session.Credentials!.AccessKeyId!,
      secretAccessKey: session.Credentials!.SecretAccessKey!,
      sessionToken: session.Credentials!.SessionToken!,
    });
    const put = { Bucket: 'data', Key: 'same.csv', Body: 'the same body' };
    await expectAwsError(asRole.s3.send(new PutObjectCommand(put)), 'AccessDenied');
    await root.s3.send(new PutObjectCommand(put));
    await live.stop();

    const { sandbox, mismatch } = await replaySandbox(await readJournal(dir), blobReader(dir));
    try {
      expect(mismatch).toBeUndefined();
      const object = await clients(sandbox.endpoint).s3.send(
        new GetObjectCommand({ Bucket: 'data', Key: 'same.csv' }),
      );
      expect(await object.Body!.transformToString()).toBe('the same body');
    } finally {
      await sandbox.stop();
    }
  });

  it('carries a small body in its record until a snapshot makes it a file', async () => {
    const dir = newDir();
    const live = await startSandbox({ stateDir: dir, log: quietLog().log });
    const s3 = clients(live.endpoint).s3;
    await s3.send(new CreateBucketCommand({ Bucket: 'data' }));
    const small = 'a,b\n1,2\n'.repeat(100);
    const big = Buffer.alloc(100 * 1024, 7);
    await s3.send(new PutObjectCommand({ Bucket: 'data', Key: 'small.csv', Body: small }));
    await s3.send(new PutObjectCommand({ Bucket: 'data', Key: 'big.bin', Body: big }));
    const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
    const blobFile = (data: string | Buffer) =>
      join(dir, 'blobs', sha(data).slice(0, 2), sha(data));

    // Acknowledged: the small body is in its journal record, the big one in its own file.
    const records = await readJournal(dir);
    const [smallPut, bigPut] = records.filter((r) => r.operation === 'PutObject');
    expect(Buffer.from(smallPut!.inline![sha(small)]!, 'base64').toString()).toBe(small);
    expect(bigPut!.inline).toBeUndefined();
    expect(existsSync(blobFile(small))).toBe(false);
    expect(existsSync(blobFile(big))).toBe(true);
    // The records alone rebuild the small object, as after a crash before any snapshot.
    const noSmallFile = async (id: string) => (id === sha(small) ? undefined : blobReader(dir)(id));
    const replayed = await replaySandbox(records, noSmallFile);
    try {
      expect(replayed.mismatch).toBeUndefined();
      const object = await clients(replayed.sandbox.endpoint).s3.send(
        new GetObjectCommand({ Bucket: 'data', Key: 'small.csv' }),
      );
      expect(await object.Body!.transformToString()).toBe(small);
    } finally {
      await replayed.sandbox.stop();
    }

    // A clean stop takes a snapshot, which the records before it no longer back: now a file.
    await live.stop();
    expect(readFileSync(blobFile(small), 'utf8')).toBe(small);
    const again = await startSandbox({ stateDir: dir, log: quietLog().log });
    try {
      const object = await clients(again.endpoint).s3.send(
        new GetObjectCommand({ Bucket: 'data', Key: 'small.csv' }),
      );
      expect(await object.Body!.transformToString()).toBe(small);
    } finally {
      await again.stop();
    }
  });

  it('snapshots while it serves, and a restart from that moment loses nothing', async () => {
    const dir = newDir();
    const live = await startSandbox({ stateDir: dir, log: quietLog().log });
    try {
      const s3 = clients(live.endpoint).s3;
      await s3.send(new CreateBucketCommand({ Bucket: 'many' }));
      // More calls than a snapshot waits for (1,000 records), 20 at a time.
      const keys = Array.from({ length: 1100 }, (_, i) => `k${i}`);
      for (let i = 0; i < keys.length; i += 20) {
        await Promise.all(
          keys
            .slice(i, i + 20)
            .map((Key) =>
              s3.send(new PutObjectCommand({ Bucket: 'many', Key, Body: `body ${Key}` })),
            ),
        );
      }
      // The snapshot is written off the event loop: wait (bounded) for it to land.
      const statePath = join(dir, 'state.json');
      for (let i = 0; i < 1200 && !existsSync(statePath); i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      const snapshot = JSON.parse(readFileSync(statePath, 'utf8')) as { seq: number };
      const records = await readJournal(dir);
      expect(snapshot.seq).toBeGreaterThanOrEqual(1000);
      expect(snapshot.seq).toBeLessThanOrEqual(records.length);
      // The bodies the records before the snapshot carried are files now.
      const before = records.filter((r) => r.seq <= snapshot.seq && r.operation === 'PutObject');
      for (const record of before.slice(-5)) {
        for (const id of Object.keys(record.inline ?? {})) {
          expect(await blobReader(dir)(id)).toBeDefined();
        }
      }

      // The folder as a crash would leave it now (the sandbox still running), started elsewhere.
      const image = newDir();
      cpSync(dir, image, { recursive: true, filter: (from) => !from.endsWith('.lock') });
      const again = await startSandbox({ stateDir: image, log: quietLog().log });
      try {
        const s3again = clients(again.endpoint).s3;
        for (const Key of [keys[0]!, keys[999]!, keys[1099]!]) {
          const object = await s3again.send(new GetObjectCommand({ Bucket: 'many', Key }));
          expect(await object.Body!.transformToString()).toBe(`body ${Key}`);
        }
      } finally {
        await again.stop();
      }
    } finally {
      await live.stop();
    }
  });

  it('tells an edited record from the one recorded, and replay from a forged outcome', async () => {
    const dir = newDir();
    const live = await startSandbox({ stateDir: dir, log: quietLog().log });
    await doTheLabQuickly(live.endpoint);
    await live.stop();
    const records = await readJournal(dir);
    const index = records.findIndex((r) => r.operation === 'CreateRole');
    const edited: JournalRecord[] = records.map((r, i) =>
      i === index ? { ...r, input: { ...(r.input as object), RoleName: 'Other' } } : r,
    );
    expect(verifyChain(edited)).toMatchObject({ ok: false, seq: index + 1 });

    // A failed call claimed as a success replays as what it was.
    const failed = records.findIndex((r) => r.outcome.error === 'NoSuchEntity');
    const forged = records.map((r, i) => (i === failed ? { ...r, outcome: {} } : r));
    const { sandbox, mismatch } = await replaySandbox(forged, blobReader(dir));
    await sandbox.stop();
    expect(mismatch).toEqual({ seq: failed + 1, expected: 'success', got: 'NoSuchEntity' });
  });
});

async function doTheLabQuickly(endpoint: string): Promise<void> {
  const root = clients(endpoint);
  await root.iam.send(new CreateRoleCommand({ RoleName: 'Exec', AssumeRolePolicyDocument: trust }));
  await root.s3.send(new CreateBucketCommand({ Bucket: 'data' }));
  await expectAwsError(root.iam.send(new GetRoleCommand({ RoleName: 'Nobody' })), 'NoSuchEntity');
}

describe('the state folder', () => {
  const roles = async (sandbox: Sandbox) =>
    (await clients(sandbox.endpoint).iam.send(new ListRolesCommand({}))).Roles?.map(
      (r) => r.RoleName,
    );

  it('is the owner’s alone, and holds no stray files after a clean stop', async () => {
    const dir = newDir();
    const sandbox = await startSandbox({ stateDir: dir, log: quietLog().log });
    await doTheLabQuickly(sandbox.endpoint);
    await sandbox.stop();
    for (const folder of ['', 'blobs', 'trail']) {
      expect(statSync(join(dir, folder)).mode & 0o777, folder).toBe(0o700);
    }
    const segments = readdirSync(join(dir, 'trail')).map((name) => join('trail', name));
    expect(segments).toHaveLength(1);
    for (const name of ['journal.jsonl', 'state.json', ...segments]) {
      expect(statSync(join(dir, name)).mode & 0o777, name).toBe(0o600);
    }
    expect(readdirSync(dir).sort()).toEqual(['blobs', 'journal.jsonl', 'state.json', 'trail']);
  });

  it.each([
    ['garbled', '{"format":1,"seq":'],
    ['null', 'null'],
    ['a service that is not an object', '{"iam":5}'],
    ['an event that is not one', '{"format":1,"seq":0,"hash":"","data":{},"events":[null]}'],
  ])('keeps state.json aside (%s) and recovers the state from the journal', async (_what, text) => {
    const dir = newDir();
    const first = await startSandbox({ stateDir: dir, log: quietLog().log });
    await doTheLabQuickly(first.endpoint);
    await first.stop();
    writeFileSync(join(dir, 'state.json'), text);

    const { lines, log } = quietLog();
    const second = await startSandbox({ stateDir: dir, log });
    try {
      expect(await roles(second)).toEqual(['Exec']);
      const aside = readdirSync(dir).filter((n) => n.startsWith('state.json.damaged-'));
      expect(aside).toHaveLength(1);
      expect(readFileSync(join(dir, aside[0]!), 'utf8')).toBe(text);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(join(dir, 'state.json'));
      expect(lines[0]).toContain(aside[0]);
    } finally {
      await second.stop();
    }
  });

  it('goes on from the intact records of a damaged journal, and keeps the damaged one aside', async () => {
    const dir = newDir();
    const first = await startSandbox({ stateDir: dir, log: quietLog().log });
    await doTheLabQuickly(first.endpoint);
    await first.stop();
    rmSync(join(dir, 'state.json'));
    const file = join(dir, 'journal.jsonl');
    const lines = readFileSync(file, 'utf8').split('\n');
    const createBucket = lines.findIndex((l) => l.includes('"CreateBucket"'));
    lines[createBucket] = lines[createBucket]!.replace('"data"', '"tampered"');
    writeFileSync(file, lines.join('\n'));

    const notices = quietLog();
    const second = await startSandbox({ stateDir: dir, log: notices.log });
    try {
      expect(await roles(second)).toEqual(['Exec']);
      const aside = readdirSync(dir).filter((n) => n.startsWith('journal.jsonl.damaged-'));
      expect(aside).toHaveLength(1);
      expect(notices.lines.join('\n')).toContain(`line ${createBucket + 1}`);
      expect(verifyChain(await readJournal(dir))).toEqual({ ok: true });
    } finally {
      await second.stop();
    }
  });

  it('drops a record cut short by a crash without a word (its call was never answered)', async () => {
    const dir = newDir();
    const first = await startSandbox({ stateDir: dir, log: quietLog().log });
    await doTheLabQuickly(first.endpoint);
    await first.stop();
    appendFileSync(join(dir, 'journal.jsonl'), '{"seq":99,"at":1');
    const notices = quietLog();
    const second = await startSandbox({ stateDir: dir, log: notices.log });
    try {
      expect(await roles(second)).toEqual(['Exec']);
      expect(notices.lines).toEqual([]);
      expect(readdirSync(dir).some((n) => n.includes('damaged'))).toBe(false);
    } finally {
      await second.stop();
    }
  });

  it('takes over the state of a sandbox from before the journal, and its CloudTrail history', async () => {
    const dir = newDir();
    const first = await startSandbox({ stateDir: dir, log: quietLog().log });
    await doTheLabQuickly(first.endpoint);
    const event = first.core.events.all().find((e) => e.eventName === 'CreateRole');
    await first.stop();
    const { data } = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { data: object };
    rmSync(join(dir, 'journal.jsonl'));
    writeFileSync(join(dir, 'state.json'), JSON.stringify(data));
    writeFileSync(join(dir, 'events.jsonl'), `${JSON.stringify(event)}\n{"cut`);

    const second = await startSandbox({ stateDir: dir, log: quietLog().log });
    try {
      expect(second.core.store.legacy).toBe(true);
      expect(await roles(second)).toEqual(['Exec']);
      expect(second.core.events.all()[0]).toEqual(event);
    } finally {
      await second.stop();
    }
    expect(existsSync(join(dir, 'events.jsonl'))).toBe(false);
  });

  it('serves one sandbox at a time, and is free again once it stops', async () => {
    const dir = newDir();
    const first = await startSandbox({ stateDir: dir, log: quietLog().log });
    await expect(startSandbox({ stateDir: dir, log: quietLog().log })).rejects.toMatchObject({
      name: 'SandboxLockedError',
    });
    await first.stop();
    const second = await startSandbox({ stateDir: dir, log: quietLog().log });
    await second.stop();
  });

  it('says plainly when the folder cannot be used at all', async () => {
    const file = join(newDir(), 'not-a-folder');
    writeFileSync(file, 'x');
    await expect(startSandbox({ stateDir: file, log: quietLog().log })).rejects.toMatchObject({
      name: 'SandboxStateError',
      message: expect.stringContaining('labwright sandbox --reset'),
    });
  });

  it('fails a call whose record cannot be written, and says so once', async () => {
    const dir = newDir();
    const { lines, log } = quietLog();
    const sandbox = await startSandbox({ stateDir: dir, log });
    const iam = new IAMClient({
      endpoint: sandbox.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    const real = sandbox.core.journal!;
    // /dev/full answers every write with ENOSPC, as a full disk does.
    sandbox.core.journal = new JournalWriter('/dev/full', 0);
    try {
      await expectAwsError(
        iam.send(new CreateRoleCommand({ RoleName: 'A', AssumeRolePolicyDocument: trust })),
        'InternalFailure',
        500,
      );
      await expectAwsError(
        iam.send(new CreateRoleCommand({ RoleName: 'B', AssumeRolePolicyDocument: trust })),
        'InternalFailure',
        500,
      );
      expect(lines.filter((l) => l.includes('could not write the journal'))).toHaveLength(1);
    } finally {
      sandbox.core.journal = real;
    }
    await sandbox.stop();
    expect(existsSync(join(dir, 'journal.jsonl'))).toBe(true);
  });
});
