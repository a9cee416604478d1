/**
 * kill -9 at random moments under load: no call the sandbox answered with success is lost, and the
 * next start needs no help (a stale lock, a record cut short, a half-written snapshot).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { CreateRoleCommand, IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import {
  CreateBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { trustRoot } from './helpers.js';

const bin = resolve(__dirname, '../../bin/labwright.js');
const ROUNDS = 20;
const WORKERS = 6;
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

interface Child {
  process: ChildProcess;
  endpoint: string;
}

/** `labwright sandbox` on any free port, as a student runs it. */
function startChild(stateDir: string): Promise<Child> {
  const child = spawn(process.execPath, [bin, 'sandbox', '--state', stateDir, '--port', '0'], {
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolvePromise, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (match) resolvePromise({ process: child, endpoint: match[1]! });
    });
    child.once('exit', (code) => reject(new Error(`the sandbox exited (${code}): ${err}`)));
  });
}

const exited = (child: ChildProcess) =>
  new Promise<void>((done) =>
    child.exitCode !== null ? done() : child.once('exit', () => done()),
  );

describe('kill -9', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'labwright-crash-'));
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it(`loses no acknowledged call over ${ROUNDS} rounds`, { timeout: 240_000 }, async () => {
    const acknowledgedRoles = new Set<string>();
    const acknowledgedKeys = new Set<string>();
    let bucketMade = false;
    for (let round = 0; round < ROUNDS; round++) {
      const child = await startChild(stateDir);
      const common = { endpoint: child.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 };
      const iam = new IAMClient(common);
      const s3 = new S3Client({ ...common, forcePathStyle: true });

      // What the last rounds acknowledged is all there.
      const roles = new Set<string>();
      let marker: string | undefined;
      do {
        const page = await iam.send(new ListRolesCommand({ Marker: marker, MaxItems: 1000 }));
        for (const r of page.Roles ?? []) roles.add(r.RoleName!);
        marker = page.IsTruncated ? page.Marker : undefined;
      } while (marker);
      for (const name of acknowledgedRoles) expect(roles.has(name), `role ${name}`).toBe(true);
      if (!bucketMade) {
        await s3.send(new CreateBucketCommand({ Bucket: 'crash' }));
        bucketMade = true;
      }
      const keys = new Set<string>();
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({ Bucket: 'crash', ContinuationToken: token }),
        );
        for (const o of page.Contents ?? []) keys.add(o.Key!);
        token = page.NextContinuationToken;
      } while (token);
      for (const key of acknowledgedKeys) expect(keys.has(key), `object ${key}`).toBe(true);
      expect(readdirSync(stateDir).filter((n) => n.endsWith('.tmp'))).toEqual([]);

      // Load from several clients, then kill -9 at a random moment.
      let stop = false;
      const worker = async (w: number) => {
        for (let i = 0; !stop; i++) {
          const name = `r${round}-${w}-${i}`;
          try {
            if (i % 2 === 0) {
              await iam.send(
                new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trustRoot }),
              );
              acknowledgedRoles.add(name);
            } else {
              await s3.send(
                new PutObjectCommand({ Bucket: 'crash', Key: name, Body: name.repeat(50) }),
              );
              acknowledgedKeys.add(name);
            }
          } catch {
            return; // the sandbox is gone
          }
        }
      };
      const load = Array.from({ length: WORKERS }, (_, w) => worker(w));
      await new Promise((r) => setTimeout(r, 100 + Math.floor(Math.random() * 500)));
      child.process.kill('SIGKILL');
      stop = true;
      await Promise.all(load);
      await exited(child.process);
      iam.destroy();
      s3.destroy();
    }
    expect(acknowledgedRoles.size).toBeGreaterThan(ROUNDS);
  });
});
