/**
 * CloudTrail with the SDK: trails and their status, and LookupEvents over the history the core
 * records for every call — the root's, a role session's, and a service acting as a role.
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
} from '@aws-sdk/client-cloudtrail';
import { CreateRoleCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { expectAwsError, trustRoot, trustSageMaker } from './helpers.js';

/** A CloudTrail record as LookupEvents returns it (CloudTrailEvent, parsed). */
interface TrailRecord {
  userIdentity: Record<string, unknown> & { type: string };
  requestParameters: Record<string, unknown> | null;
  errorCode?: string;
  errorMessage?: string;
  [key: string]: unknown;
}

let sandbox: Sandbox;
let trail: CloudTrailClient;
const root = { accessKeyId: 'test', secretAccessKey: 'test' };
const config = (credentials: typeof root & { sessionToken?: string }) => ({
  endpoint: sandbox.endpoint,
  region: 'us-east-1',
  credentials,
  maxAttempts: 1,
});

beforeAll(async () => {
  sandbox = await startSandbox({ memory: true });
  trail = new CloudTrailClient(config(root));
});
afterAll(() => sandbox.stop());

describe('trails', () => {
  it('creates, describes, starts, stops and deletes a trail', async () => {
    const created = await trail.send(
      new CreateTrailCommand({ Name: 'lab-trail', S3BucketName: 'trail-bucket' }),
    );
    expect(created).toMatchObject({
      Name: 'lab-trail',
      S3BucketName: 'trail-bucket',
      TrailARN: 'arn:aws:cloudtrail:us-east-1:000000000000:trail/lab-trail',
      IsMultiRegionTrail: false,
    });
    await expectAwsError(
      trail.send(new CreateTrailCommand({ Name: 'lab-trail', S3BucketName: 'trail-bucket' })),
      'TrailAlreadyExistsException',
      400,
    );
    expect((await trail.send(new GetTrailCommand({ Name: 'lab-trail' }))).Trail?.HomeRegion).toBe(
      'us-east-1',
    );
    expect((await trail.send(new DescribeTrailsCommand({}))).trailList?.map((t) => t.Name)).toEqual(
      ['lab-trail'],
    );
    expect((await trail.send(new ListTrailsCommand({}))).Trails?.map((t) => t.Name)).toEqual([
      'lab-trail',
    ]);
    expect((await trail.send(new GetTrailStatusCommand({ Name: 'lab-trail' }))).IsLogging).toBe(
      false,
    );
    await trail.send(new StartLoggingCommand({ Name: 'lab-trail' }));
    const status = await trail.send(new GetTrailStatusCommand({ Name: created.TrailARN }));
    expect(status.IsLogging).toBe(true);
    expect(status.StartLoggingTime).toBeInstanceOf(Date);
    await trail.send(new StopLoggingCommand({ Name: 'lab-trail' }));
    expect((await trail.send(new GetTrailStatusCommand({ Name: 'lab-trail' }))).IsLogging).toBe(
      false,
    );
    await trail.send(new DeleteTrailCommand({ Name: 'lab-trail' }));
    await expectAwsError(
      trail.send(new GetTrailCommand({ Name: 'lab-trail' })),
      'TrailNotFoundException',
      400,
      'Unknown trail: arn:aws:cloudtrail:us-east-1:000000000000:trail/lab-trail for the user: 000000000000',
    );
  });
});

describe('LookupEvents', () => {
  it('records root calls, role sessions and denials, and filters by lookup attributes', async () => {
    const iam = new IAMClient(config(root));
    await iam.send(
      new CreateRoleCommand({ RoleName: 'audited', AssumeRolePolicyDocument: trustRoot }),
    );
    const assumed = await new STSClient(config(root)).send(
      new AssumeRoleCommand({
        RoleArn: 'arn:aws:iam::000000000000:role/audited',
        RoleSessionName: 'alice',
      }),
    );
    const session = {
      accessKeyId: assumed.Credentials!.AccessKeyId!,
      secretAccessKey: assumed.Credentials!.SecretAccessKey!,
      sessionToken: assumed.Credentials!.SessionToken!,
    };
    await expectAwsError(
      new IAMClient(config(session)).send(new GetRoleCommand({ RoleName: 'audited' })),
      'AccessDenied',
    );

    const created = await trail.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateRole' }],
      }),
    );
    expect(created.Events).toHaveLength(1);
    const event = created.Events![0]!;
    expect(event).toMatchObject({
      EventName: 'CreateRole',
      EventSource: 'iam.amazonaws.com',
      Username: 'root',
      ReadOnly: 'false',
    });
    const record = JSON.parse(event.CloudTrailEvent!) as TrailRecord;
    expect(record.userIdentity).toMatchObject({
      type: 'Root',
      arn: 'arn:aws:iam::000000000000:root',
      accountId: '000000000000',
    });
    expect(record.requestParameters).toMatchObject({ roleName: 'audited' });
    expect(record).toMatchObject({
      eventCategory: 'Management',
      managementEvent: true,
      recipientAccountId: '000000000000',
    });

    const byUser = await trail.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'alice' }],
      }),
    );
    const denied = byUser.Events?.find((e) => e.EventName === 'GetRole');
    expect(denied).toBeDefined();
    const deniedRecord = JSON.parse(denied!.CloudTrailEvent!) as TrailRecord;
    expect(deniedRecord.errorCode).toBe('AccessDenied');
    expect(deniedRecord.errorMessage).toContain('is not authorized to perform: iam:GetRole');
    expect(deniedRecord.userIdentity).toMatchObject({
      type: 'AssumedRole',
      arn: 'arn:aws:sts::000000000000:assumed-role/audited/alice',
      accessKeyId: session.accessKeyId,
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          userName: 'audited',
          arn: 'arn:aws:iam::000000000000:role/audited',
        },
      },
    });

    const byKey = await trail.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: session.accessKeyId }],
      }),
    );
    expect(byKey.Events?.map((e) => e.EventName)).toEqual(['GetRole']);
    const byResource = await trail.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: 'audited' }],
      }),
    );
    expect(byResource.Events?.map((e) => e.EventName)).toEqual(
      expect.arrayContaining(['CreateRole', 'AssumeRole']),
    );
    const readOnly = await trail.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'ReadOnly', AttributeValue: 'false' }],
      }),
    );
    expect(readOnly.Events?.every((e) => e.ReadOnly === 'false')).toBe(true);
    const bySource = await trail.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 'sts.amazonaws.com' }],
      }),
    );
    expect(bySource.Events?.map((e) => e.EventName)).toContain('AssumeRole');
    const byId = await trail.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'EventId', AttributeValue: event.EventId! }],
      }),
    );
    expect(byId.Events?.map((e) => e.EventId)).toEqual([event.EventId]);
    const future = await trail.send(
      new LookupEventsCommand({ StartTime: new Date(Date.now() + 3_600_000) }),
    );
    expect(future.Events).toEqual([]);
  });

  it('pages with MaxResults and NextToken, newest first', async () => {
    const first = await trail.send(new LookupEventsCommand({ MaxResults: 2 }));
    expect(first.Events).toHaveLength(2);
    expect(first.NextToken).toBeDefined();
    const second = await trail.send(
      new LookupEventsCommand({ MaxResults: 2, NextToken: first.NextToken }),
    );
    expect(second.Events?.[0]?.EventId).not.toBe(first.Events?.[0]?.EventId);
    const times = [...first.Events!, ...second.Events!].map((e) => e.EventTime!.getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    await expectAwsError(
      trail.send(
        new LookupEventsCommand({
          LookupAttributes: [
            { AttributeKey: 'EventName', AttributeValue: 'a' },
            { AttributeKey: 'Username', AttributeValue: 'b' },
          ],
        }),
      ),
      'InvalidLookupAttributesException',
    );
  });

  it('records a service assuming a role, and its calls made through core.invoke', async () => {
    const iam = new IAMClient(config(root));
    await iam.send(
      new CreateRoleCommand({ RoleName: 'sm-exec', AssumeRolePolicyDocument: trustSageMaker }),
    );
    const caller = await sandbox.core.assumeRoleAsService(
      'sagemaker.amazonaws.com',
      'arn:aws:iam::000000000000:role/sm-exec',
      'SageMaker',
    );
    expect(caller).toMatchObject({
      kind: 'assumed-role',
      invokedBy: 'sagemaker.amazonaws.com',
      roleName: 'sm-exec',
    });
    await expect(
      sandbox.core.invoke('iam', 'GetRole', { RoleName: 'sm-exec' }, caller),
    ).rejects.toMatchObject({
      code: 'AccessDenied',
    });
    await expect(
      sandbox.core.assumeRoleAsService(
        'sagemaker.amazonaws.com',
        'arn:aws:iam::000000000000:role/audited',
        'SageMaker',
      ),
    ).rejects.toMatchObject({ code: 'AccessDenied' });
    await expect(
      sandbox.core.assumeRoleAsService(
        'sagemaker.amazonaws.com',
        'arn:aws:iam::000000000000:role/none',
        'SageMaker',
      ),
    ).rejects.toMatchObject({ code: 'NoSuchEntity' });

    const assumes = await trail.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'AssumeRole' }],
      }),
    );
    const records = assumes.Events!.map((e) => JSON.parse(e.CloudTrailEvent!) as TrailRecord);
    const byService = records.filter((r) => r.userIdentity.type === 'AWSService');
    expect(byService).toHaveLength(3);
    expect(byService[2]).toMatchObject({
      userIdentity: { invokedBy: 'sagemaker.amazonaws.com' },
      sourceIPAddress: 'sagemaker.amazonaws.com',
      requestParameters: {
        roleArn: 'arn:aws:iam::000000000000:role/sm-exec',
        roleSessionName: 'SageMaker',
      },
    });
    expect(byService.map((r) => r.errorCode)).toEqual(['NoSuchEntity', 'AccessDenied', undefined]);

    const invoked = sandbox.core.events.newestFirst().find((e) => e.eventName === 'GetRole')!;
    expect(invoked).toMatchObject({
      eventName: 'GetRole',
      errorCode: 'AccessDenied',
      sourceIPAddress: 'sagemaker.amazonaws.com',
    });
    expect(invoked.userIdentity).toMatchObject({
      type: 'AssumedRole',
      invokedBy: 'sagemaker.amazonaws.com',
    });
  });
});
