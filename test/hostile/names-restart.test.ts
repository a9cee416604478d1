/**
 * Resources named like Object.prototype members survive a restart: the saved state holds them as
 * ordinary entries, and the next sandbox finds, lists and deletes them like any other. Real SDK
 * v3 clients against the real sandbox over HTTP, with state on disk.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogGroupsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListRolesCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/server.js';
import { expectAwsError, policy, trustRoot } from '../sandbox/helpers.js';
import { clients } from '../sandbox/service-clients.js';
import { expectPristinePrototype } from './names-support.js';

const prototypeSnapshot = Object.getOwnPropertyNames(Object.prototype).sort();
const dir = mkdtempSync(join(tmpdir(), 'labwright-hostile-'));
const failures: string[] = [];
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  expect(failures).toEqual([]);
  expectPristinePrototype(prototypeSnapshot);
});

const listBuckets = policy([{ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' }]);

describe('hostile names across a restart', () => {
  it('are saved as ordinary entries and found again', async () => {
    const first = await startSandbox({ stateDir: dir, log: (m) => failures.push(m) });
    const aws = clients(first.endpoint);
    for (const name of ['__proto__', 'constructor']) {
      await aws.iam.send(
        new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trustRoot }),
      );
      await aws.iam.send(
        new PutRolePolicyCommand({ RoleName: name, PolicyName: name, PolicyDocument: listBuckets }),
      );
    }
    await aws.s3.send(new CreateBucketCommand({ Bucket: 'constructor' }));
    for (const key of ['__proto__', 'constructor', 'toString']) {
      await aws.s3.send(new PutObjectCommand({ Bucket: 'constructor', Key: key, Body: key }));
    }
    await aws.logs.send(new CreateLogGroupCommand({ logGroupName: '__proto__' }));
    await aws.logs.send(
      new CreateLogStreamCommand({ logGroupName: '__proto__', logStreamName: 'constructor' }),
    );
    await aws.logs.send(
      new PutLogEventsCommand({
        logGroupName: '__proto__',
        logStreamName: 'constructor',
        logEvents: [{ timestamp: Date.now(), message: 'kept' }],
      }),
    );
    await first.stop();

    const { data: saved } = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as {
      data: {
        iam: { roles: object };
        s3: { buckets: Record<string, { objects: object }> };
      };
    };
    expect(Object.keys(saved.iam.roles).sort()).toEqual(['__proto__', 'constructor']);
    const bucket = Object.getOwnPropertyDescriptor(saved.s3.buckets, 'constructor')?.value as {
      objects: object;
    };
    expect(Object.keys(bucket.objects).sort()).toEqual(['__proto__', 'constructor', 'toString']);

    const second = await startSandbox({ stateDir: dir, log: (m) => failures.push(m) });
    const again = clients(second.endpoint);
    const { Roles } = await again.iam.send(new ListRolesCommand({}));
    expect(Roles?.map((r) => r.RoleName)).toEqual(['__proto__', 'constructor']);
    for (const name of ['__proto__', 'constructor']) {
      const role = await again.iam.send(new GetRoleCommand({ RoleName: name }));
      expect(role.Role?.RoleName).toBe(name);
      const inline = await again.iam.send(
        new GetRolePolicyCommand({ RoleName: name, PolicyName: name }),
      );
      expect(inline.PolicyName).toBe(name);
    }
    await expectAwsError(
      again.iam.send(new GetRoleCommand({ RoleName: 'toString' })),
      'NoSuchEntity',
      404,
    );
    const objects = await again.s3.send(new ListObjectsV2Command({ Bucket: 'constructor' }));
    expect(objects.Contents?.map((o) => o.Key)).toEqual(['__proto__', 'constructor', 'toString']);
    for (const key of ['__proto__', 'constructor', 'toString']) {
      const got = await again.s3.send(new GetObjectCommand({ Bucket: 'constructor', Key: key }));
      expect(await got.Body?.transformToString()).toBe(key);
    }
    const groups = await again.logs.send(new DescribeLogGroupsCommand({}));
    expect(groups.logGroups?.map((g) => g.logGroupName)).toEqual(['__proto__']);
    const events = await again.logs.send(
      new GetLogEventsCommand({ logGroupName: '__proto__', logStreamName: 'constructor' }),
    );
    expect(events.events?.map((e) => e.message)).toEqual(['kept']);

    for (const name of ['__proto__', 'constructor']) {
      await again.iam.send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: name }));
      await again.iam.send(new DeleteRoleCommand({ RoleName: name }));
    }
    await again.s3.send(new DeleteObjectCommand({ Bucket: 'constructor', Key: '__proto__' }));
    const left = await again.s3.send(new ListObjectsV2Command({ Bucket: 'constructor' }));
    expect(left.Contents?.map((o) => o.Key)).toEqual(['constructor', 'toString']);
    const none = await again.iam.send(new ListRolesCommand({}));
    expect(none.Roles).toEqual([]);
    // Made again in a state loaded from disk: a new entry, not a write to a prototype.
    await again.iam.send(
      new CreateRoleCommand({ RoleName: '__proto__', AssumeRolePolicyDocument: trustRoot }),
    );
    await second.stop();

    const third = await startSandbox({ stateDir: dir, log: (m) => failures.push(m) });
    const last = await clients(third.endpoint).iam.send(new ListRolesCommand({}));
    expect(last.Roles?.map((r) => r.RoleName)).toEqual(['__proto__']);
    await third.stop();
  });
});
