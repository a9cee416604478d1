/**
 * Property-based: generated names built from Object.prototype members (`__proto__/constructor`,
 * `toString-valueOf`, ...) and ordinary characters behave as names, for IAM roles and inline
 * policies, S3 object keys and CloudWatch Logs streams: what is created is found, listed exactly
 * and deleted, others are untouched, nothing answers 500. Real SDK v3 clients over HTTP.
 */
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogStreamsCommand,
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
  UpdateRoleCommand,
} from '@aws-sdk/client-iam';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { expectAwsError, policy, trustRoot } from '../sandbox/helpers.js';
import { clients } from '../sandbox/service-clients.js';
import { expectPristinePrototype, PROTOTYPE_NAMES } from './names-support.js';

const RUNS = 25;
const prototypeSnapshot = Object.getOwnPropertyNames(Object.prototype).sort();
const failures: string[] = [];
let sandbox: Sandbox;
let aws: ReturnType<typeof clients>;

const listBuckets = policy([{ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' }]);

/** Prototype members and plain words joined by `separators`, within `max` characters. */
const hostileName = (separators: string[], max: number) =>
  fc
    .array(fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), fc.stringMatching(/^[A-Za-z0-9]{1,8}$/)), {
      minLength: 1,
      maxLength: 4,
    })
    .chain((parts) =>
      fc
        .array(fc.constantFrom(...separators), {
          minLength: parts.length - 1,
          maxLength: parts.length - 1,
        })
        .map((seps) => parts.map((p, i) => (i === 0 ? p : `${seps[i - 1] ?? ''}${p}`)).join('')),
    )
    .filter((name) => name.length <= max);

beforeAll(async () => {
  sandbox = await startSandbox({ memory: true, log: (m) => failures.push(m) });
  aws = clients(sandbox.endpoint);
  await aws.iam.send(
    new CreateRoleCommand({
      RoleName: 'control-role',
      AssumeRolePolicyDocument: trustRoot,
      Description: 'control',
    }),
  );
  await aws.s3.send(new CreateBucketCommand({ Bucket: 'property-bucket' }));
  await aws.s3.send(new PutObjectCommand({ Bucket: 'property-bucket', Key: 'control', Body: 'c' }));
  await aws.logs.send(new CreateLogGroupCommand({ logGroupName: 'property-group' }));
});
afterAll(async () => {
  await sandbox.stop();
  expect(failures).toEqual([]);
  expectPristinePrototype(prototypeSnapshot);
});

describe('generated hostile names', () => {
  it('are IAM roles and inline policies like any other', async () => {
    await fc.assert(
      fc.asyncProperty(
        hostileName(['', '-', '.', '_', '@', '=', '+', ','], 64),
        hostileName(['', '-', '_'], 128),
        async (roleName, policyName) => {
          await expectAwsError(
            aws.iam.send(new GetRoleCommand({ RoleName: roleName })),
            'NoSuchEntity',
            404,
          );
          await aws.iam.send(
            new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: trustRoot }),
          );
          await aws.iam.send(new UpdateRoleCommand({ RoleName: roleName, Description: 'changed' }));
          await aws.iam.send(
            new PutRolePolicyCommand({
              RoleName: roleName,
              PolicyName: policyName,
              PolicyDocument: listBuckets,
            }),
          );
          const got = await aws.iam.send(
            new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }),
          );
          expect(got.PolicyName).toBe(policyName);
          const { Roles } = await aws.iam.send(new ListRolesCommand({}));
          expect(Roles?.map((r) => r.RoleName).sort()).toEqual(['control-role', roleName].sort());
          const control = await aws.iam.send(new GetRoleCommand({ RoleName: 'control-role' }));
          expect(control.Role?.Description).toBe('control');
          await aws.iam.send(
            new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }),
          );
          await aws.iam.send(new DeleteRoleCommand({ RoleName: roleName }));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('are S3 object keys like any other', async () => {
    await fc.assert(
      fc.asyncProperty(hostileName(['/', '', '-', '.', '_'], 1024), async (key) => {
        await expectAwsError(
          aws.s3.send(new GetObjectCommand({ Bucket: 'property-bucket', Key: key })),
          'NoSuchKey',
          404,
        );
        await aws.s3.send(new PutObjectCommand({ Bucket: 'property-bucket', Key: key, Body: key }));
        const got = await aws.s3.send(
          new GetObjectCommand({ Bucket: 'property-bucket', Key: key }),
        );
        expect(await got.Body?.transformToString()).toBe(key);
        const { Contents } = await aws.s3.send(
          new ListObjectsV2Command({ Bucket: 'property-bucket' }),
        );
        expect(Contents?.map((o) => o.Key).sort()).toEqual(['control', key].sort());
        await aws.s3.send(new DeleteObjectCommand({ Bucket: 'property-bucket', Key: key }));
      }),
      { numRuns: RUNS },
    );
  });

  it('are CloudWatch Logs streams like any other', async () => {
    const created = new Set<string>();
    await fc.assert(
      fc.asyncProperty(hostileName(['/', '', '-', '.', ' ', '#'], 512), async (stream) => {
        if (!created.has(stream)) {
          await expectAwsError(
            aws.logs.send(
              new GetLogEventsCommand({ logGroupName: 'property-group', logStreamName: stream }),
            ),
            'ResourceNotFoundException',
            400,
          );
          await aws.logs.send(
            new CreateLogStreamCommand({ logGroupName: 'property-group', logStreamName: stream }),
          );
          created.add(stream);
        }
        await aws.logs.send(
          new PutLogEventsCommand({
            logGroupName: 'property-group',
            logStreamName: stream,
            logEvents: [{ timestamp: Date.now(), message: stream }],
          }),
        );
        const { events } = await aws.logs.send(
          new GetLogEventsCommand({ logGroupName: 'property-group', logStreamName: stream }),
        );
        expect(events?.every((e) => e.message === stream)).toBe(true);
        const { logStreams } = await aws.logs.send(
          new DescribeLogStreamsCommand({ logGroupName: 'property-group' }),
        );
        expect(new Set(logStreams?.map((s) => s.logStreamName))).toEqual(created);
      }),
      { numRuns: RUNS },
    );
  });
});
