/**
 * Input AWS refuses is refused here too, with AWS's codes and texts: bucket names outside S3's
 * naming rules, and IAM list calls with a MaxItems outside 1..1000 or a Marker IAM never issued.
 * Real SDK v3 clients against the real sandbox over HTTP.
 */
import { CreateRoleCommand, ListRolesCommand } from '@aws-sdk/client-iam';
import { CreateBucketCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { expectAwsError, trustRoot } from '../sandbox/helpers.js';
import { clients } from '../sandbox/service-clients.js';

const failures: string[] = [];
let sandbox: Sandbox;
let aws: ReturnType<typeof clients>;

beforeAll(async () => {
  sandbox = await startSandbox({ memory: true, log: (m) => failures.push(m) });
  aws = clients(sandbox.endpoint);
});
afterAll(async () => {
  await sandbox.stop();
  expect(failures).toEqual([]);
});

describe('bucket names S3 refuses', () => {
  const refused = [
    'xn--foo',
    'sthree-foo',
    'sthree-configurator-foo',
    'amzn-s3-demo-bucket',
    'foo-s3alias',
    'foo--ol-s3',
    'foo.mrap',
    // (`--x-s3` is refused too, but the SDK sends such names to S3 Express, not here.)
    'foo--table-s3',
    'a.-b',
    'a-.b',
    'a..b',
    '192.168.5.4',
    'ab',
    'a'.repeat(64),
    'Uppercase',
    'under_score',
    '-starts-with-dash',
    'ends-with-dash-',
    '.starts-with-dot',
    'ends-with-dot.',
    'spa ce',
    'ünï',
  ];

  it('are InvalidBucketName, and no bucket is created', async () => {
    for (const name of refused) {
      const error = await expectAwsError(
        aws.s3.send(new CreateBucketCommand({ Bucket: name })),
        'InvalidBucketName',
        400,
        'The specified bucket is not valid.',
      );
      expect((error as { BucketName?: string }).BucketName, name).toBe(name);
    }
    const { Buckets } = await aws.s3.send(new ListBucketsCommand({}));
    expect(Buckets ?? []).toEqual([]);
  });

  it('leave every name the rules allow', async () => {
    const accepted = [
      'abc',
      'a'.repeat(63),
      'a.b-c',
      'my-xn--bucket',
      '1.2.3',
      'sthree',
      'a-s3alias-b',
    ];
    for (const name of accepted) await aws.s3.send(new CreateBucketCommand({ Bucket: name }));
    const { Buckets } = await aws.s3.send(new ListBucketsCommand({}));
    expect(Buckets?.map((b) => b.Name).sort()).toEqual([...accepted].sort());
  });
});

describe('IAM pagination input', () => {
  beforeAll(async () => {
    for (const name of ['r1', 'r2', 'r3']) {
      await aws.iam.send(
        new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trustRoot }),
      );
    }
  });

  it('refuses a MaxItems outside 1..1000 as IAM words it', async () => {
    for (const [value, bound] of [
      [-5, 'greater than or equal to 1'],
      [0, 'greater than or equal to 1'],
      [1001, 'less than or equal to 1000'],
    ] as const) {
      await expectAwsError(
        aws.iam.send(new ListRolesCommand({ MaxItems: value })),
        'ValidationError',
        400,
        `1 validation error detected: Value '${value}' at 'maxItems' failed to satisfy constraint: Member must have value ${bound}`,
      );
    }
    const all = await aws.iam.send(new ListRolesCommand({ MaxItems: 1000 }));
    expect(all.Roles?.map((r) => r.RoleName)).toEqual(['r1', 'r2', 'r3']);
  });

  it('refuses a Marker it did not issue, and follows the ones it did', async () => {
    for (const marker of ['garbage', '!!!', 'LTE=', 'NWFiYw==', '__proto__', 'constructor']) {
      await expectAwsError(
        aws.iam.send(new ListRolesCommand({ Marker: marker })),
        'ValidationError',
        400,
        'Invalid Marker.',
      );
    }
    const names: string[] = [];
    let marker: string | undefined;
    do {
      const page = await aws.iam.send(new ListRolesCommand({ MaxItems: 1, Marker: marker }));
      names.push(...(page.Roles ?? []).map((r) => r.RoleName ?? ''));
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    expect(names).toEqual(['r1', 'r2', 'r3']);
  });
});
