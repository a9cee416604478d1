/**
 * Log group and stream names that are members of every JavaScript object (`__proto__`,
 * `constructor`, ...) through every CloudWatch Logs operation: they are names like any other,
 * and nothing answers 500. Real SDK v3 clients against the real sandbox over HTTP.
 */
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { expectAwsError } from '../sandbox/helpers.js';
import { clients } from '../sandbox/service-clients.js';
import {
  expectPristinePrototype,
  LOG_GROUP_NAMES,
  LOG_STREAM_NAMES,
  PROTOTYPE_NAMES,
  sorted,
} from './names-support.js';

const prototypeSnapshot = Object.getOwnPropertyNames(Object.prototype).sort();
const failures: string[] = [];
let sandbox: Sandbox;
let aws: ReturnType<typeof clients>;

beforeAll(async () => {
  sandbox = await startSandbox({ memory: true, log: (m) => failures.push(m) });
  aws = clients(sandbox.endpoint);
  await aws.logs.send(new CreateLogGroupCommand({ logGroupName: 'control-group' }));
});
afterAll(async () => {
  await sandbox.stop();
  expect(failures).toEqual([]);
  expectPristinePrototype(prototypeSnapshot);
});

async function groupNames(): Promise<string[]> {
  const { logGroups } = await aws.logs.send(new DescribeLogGroupsCommand({}));
  return (logGroups ?? []).map((g) => g.logGroupName ?? '');
}

describe('log groups and streams named like Object.prototype members', () => {
  it('do not exist before they are created', async () => {
    for (const name of LOG_GROUP_NAMES) {
      await expectAwsError(
        aws.logs.send(new CreateLogStreamCommand({ logGroupName: name, logStreamName: 's' })),
        'ResourceNotFoundException',
        400,
        'The specified log group does not exist.',
      );
      await expectAwsError(
        aws.logs.send(new DeleteLogGroupCommand({ logGroupName: name })),
        'ResourceNotFoundException',
        400,
      );
      await expectAwsError(
        aws.logs.send(new DescribeLogStreamsCommand({ logGroupName: name })),
        'ResourceNotFoundException',
        400,
      );
    }
    for (const stream of LOG_STREAM_NAMES) {
      await expectAwsError(
        aws.logs.send(
          new GetLogEventsCommand({ logGroupName: 'control-group', logStreamName: stream }),
        ),
        'ResourceNotFoundException',
        400,
        'The specified log stream does not exist.',
      );
      await expectAwsError(
        aws.logs.send(
          new PutLogEventsCommand({
            logGroupName: 'control-group',
            logStreamName: stream,
            logEvents: [{ timestamp: Date.now(), message: 'm' }],
          }),
        ),
        'ResourceNotFoundException',
        400,
      );
    }
    expect(await groupNames()).toEqual(['control-group']);
  });

  it('are created, written, read, filtered, listed and deleted like any other', async () => {
    const tags = Object.fromEntries(PROTOTYPE_NAMES.map((k) => [k, `v-${k}`]));
    for (const name of LOG_GROUP_NAMES) {
      await aws.logs.send(new CreateLogGroupCommand({ logGroupName: name, tags }));
    }
    await expectAwsError(
      aws.logs.send(new CreateLogGroupCommand({ logGroupName: 'constructor' })),
      'ResourceAlreadyExistsException',
      400,
      'The specified log group already exists',
    );
    expect(await groupNames()).toEqual(sorted([...LOG_GROUP_NAMES, 'control-group']));

    const group = '__proto__';
    const now = Date.now();
    for (const stream of LOG_STREAM_NAMES) {
      await aws.logs.send(
        new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }),
      );
      await aws.logs.send(
        new PutLogEventsCommand({
          logGroupName: group,
          logStreamName: stream,
          logEvents: [{ timestamp: now, message: `event in ${stream}` }],
        }),
      );
    }
    const { logStreams } = await aws.logs.send(
      new DescribeLogStreamsCommand({ logGroupName: group }),
    );
    expect(logStreams?.map((s) => s.logStreamName)).toEqual(sorted(LOG_STREAM_NAMES));
    for (const stream of LOG_STREAM_NAMES) {
      const { events } = await aws.logs.send(
        new GetLogEventsCommand({
          logGroupName: group,
          logStreamName: stream,
          startFromHead: true,
        }),
      );
      expect(events?.map((e) => e.message)).toEqual([`event in ${stream}`]);
    }
    const filtered = await aws.logs.send(
      new FilterLogEventsCommand({
        logGroupName: group,
        logStreamNames: ['constructor', 'toString'],
      }),
    );
    expect(filtered.events?.map((e) => e.logStreamName).sort()).toEqual([
      'constructor',
      'toString',
    ]);
    const elsewhere = await aws.logs.send(
      new DescribeLogStreamsCommand({ logGroupName: 'constructor' }),
    );
    expect(elsewhere.logStreams).toEqual([]);

    for (const name of LOG_GROUP_NAMES) {
      await aws.logs.send(new DeleteLogGroupCommand({ logGroupName: name }));
    }
    expect(await groupNames()).toEqual(['control-group']);
  });
});
