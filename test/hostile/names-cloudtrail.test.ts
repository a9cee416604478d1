/**
 * Trail names that are members of every JavaScript object (`constructor`, `toString`, ...)
 * through every CloudTrail operation, and such names as LookupEvents attributes: they are names
 * like any other, and nothing answers 500. Real SDK v3 clients against the real sandbox over HTTP.
 */
import {
  CloudTrailClient,
  CreateTrailCommand,
  DeleteTrailCommand,
  DescribeTrailsCommand,
  GetTrailCommand,
  GetTrailStatusCommand,
  ListTrailsCommand,
  LookupEventsCommand,
  StartLoggingCommand,
  StopLoggingCommand,
  type LookupAttributeKey,
} from '@aws-sdk/client-cloudtrail';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { expectAwsError } from '../sandbox/helpers.js';
import { expectPristinePrototype, PROTOTYPE_NAMES, TRAIL_NAMES } from './names-support.js';

const ACCOUNT = '000000000000';
const prototypeSnapshot = Object.getOwnPropertyNames(Object.prototype).sort();
const failures: string[] = [];
let sandbox: Sandbox;
let cloudtrail: CloudTrailClient;

beforeAll(async () => {
  sandbox = await startSandbox({ memory: true, log: (m) => failures.push(m) });
  cloudtrail = new CloudTrailClient({
    endpoint: sandbox.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 3,
  });
});
afterAll(async () => {
  await sandbox.stop();
  expect(failures).toEqual([]);
  expectPristinePrototype(prototypeSnapshot);
});

const arn = (name: string) => `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/${name}`;

describe('trails named like Object.prototype members', () => {
  it('do not exist before they are created', async () => {
    for (const name of TRAIL_NAMES) {
      await expectAwsError(
        cloudtrail.send(new GetTrailCommand({ Name: name })),
        'TrailNotFoundException',
        400,
        `Unknown trail: ${arn(name)} for the user: ${ACCOUNT}`,
      );
      await expectAwsError(
        cloudtrail.send(new StartLoggingCommand({ Name: name })),
        'TrailNotFoundException',
        400,
      );
      await expectAwsError(
        cloudtrail.send(new DeleteTrailCommand({ Name: arn(name) })),
        'TrailNotFoundException',
        400,
      );
    }
    const { Trails } = await cloudtrail.send(new ListTrailsCommand({}));
    expect(Trails).toEqual([]);
  });

  it('are created, read, started, stopped, listed and deleted like any trail', async () => {
    for (const name of TRAIL_NAMES) {
      const created = await cloudtrail.send(
        new CreateTrailCommand({ Name: name, S3BucketName: 'trail-bucket' }),
      );
      expect(created.TrailARN).toBe(arn(name));
    }
    await expectAwsError(
      cloudtrail.send(new CreateTrailCommand({ Name: 'constructor', S3BucketName: 'b' })),
      'TrailAlreadyExistsException',
      400,
    );
    const listed = await cloudtrail.send(new ListTrailsCommand({}));
    expect(listed.Trails?.map((t) => t.Name)).toEqual(TRAIL_NAMES);
    const described = await cloudtrail.send(
      new DescribeTrailsCommand({ trailNameList: ['toString', arn('valueOf')] }),
    );
    expect(described.trailList?.map((t) => t.Name)).toEqual(['toString', 'valueOf']);

    await cloudtrail.send(new StartLoggingCommand({ Name: 'toString' }));
    expect((await cloudtrail.send(new GetTrailStatusCommand({ Name: 'toString' }))).IsLogging).toBe(
      true,
    );
    expect(
      (await cloudtrail.send(new GetTrailStatusCommand({ Name: 'constructor' }))).IsLogging,
    ).toBe(false);
    await cloudtrail.send(new StopLoggingCommand({ Name: 'toString' }));

    for (const name of TRAIL_NAMES) {
      const got = await cloudtrail.send(new GetTrailCommand({ Name: name }));
      expect(got.Trail?.Name).toBe(name);
      await cloudtrail.send(new DeleteTrailCommand({ Name: name }));
    }
    const none = await cloudtrail.send(new ListTrailsCommand({}));
    expect(none.Trails).toEqual([]);
  });

  it('look events up by such names, and refuse them as attribute keys', async () => {
    const found = await cloudtrail.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: 'constructor' }],
      }),
    );
    expect(found.Events?.map((e) => e.EventName)).toContain('CreateTrail');
    for (const value of PROTOTYPE_NAMES) {
      const byName = await cloudtrail.send(
        new LookupEventsCommand({
          LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: value }],
        }),
      );
      expect(byName.Events).toEqual([]);
      await expectAwsError(
        cloudtrail.send(
          new LookupEventsCommand({
            LookupAttributes: [{ AttributeKey: value as LookupAttributeKey, AttributeValue: 'x' }],
          }),
        ),
        'InvalidLookupAttributesException',
        400,
      );
    }
  });
});
