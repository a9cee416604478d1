/**
 * CloudWatch Logs through the real AWS SDK v3: groups, streams, PutLogEvents without sequence
 * tokens, GetLogEvents' forward and backward tokens, FilterLogEvents' patterns, AWS's errors.
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import {
  CloudWatchLogsServiceException,
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
import { clients } from './service-clients.js';

let sandbox: Sandbox;
let logs: CloudWatchLogsClient;

beforeAll(async () => {
  sandbox = await startSandbox({ memory: true });
  logs = clients(sandbox.endpoint).logs;
});
afterAll(async () => {
  await sandbox.stop();
});

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CloudWatchLogsServiceException) {
      return { code: error.name, message: error.message };
    }
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('log groups', () => {
  it('creates, describes by prefix, pages and deletes groups', async () => {
    for (const name of ['/app/one', '/app/two', '/other']) {
      await logs.send(new CreateLogGroupCommand({ logGroupName: name }));
    }
    expect(
      await failure(logs.send(new CreateLogGroupCommand({ logGroupName: '/app/one' }))),
    ).toEqual({
      code: 'ResourceAlreadyExistsException',
      message: 'The specified log group already exists',
    });
    const app = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/app/' }));
    expect(app.logGroups?.map((g) => g.logGroupName)).toEqual(['/app/one', '/app/two']);
    expect(app.logGroups?.[0]).toMatchObject({
      arn: 'arn:aws:logs:us-east-1:000000000000:log-group:/app/one:*',
      logGroupArn: 'arn:aws:logs:us-east-1:000000000000:log-group:/app/one',
      storedBytes: 0,
      metricFilterCount: 0,
      logGroupClass: 'STANDARD',
    });
    const first = await logs.send(new DescribeLogGroupsCommand({ limit: 1 }));
    expect(first.logGroups).toHaveLength(1);
    expect(first.nextToken).toBeDefined();
    const second = await logs.send(
      new DescribeLogGroupsCommand({ limit: 1, nextToken: first.nextToken }),
    );
    expect(second.logGroups?.[0]?.logGroupName).not.toBe(first.logGroups?.[0]?.logGroupName);

    await logs.send(new DeleteLogGroupCommand({ logGroupName: '/other' }));
    expect(await failure(logs.send(new DeleteLogGroupCommand({ logGroupName: '/other' })))).toEqual(
      {
        code: 'ResourceNotFoundException',
        message: 'The specified log group does not exist.',
      },
    );
  });

  it('validates names', async () => {
    const bad = await failure(logs.send(new CreateLogGroupCommand({ logGroupName: 'bad name!' })));
    expect(bad.code).toBe('InvalidParameterException');
  });
});

describe('streams and events', () => {
  const group = '/lab/events';
  const base = Date.now() - 60_000;

  beforeAll(async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    await logs.send(
      new CreateLogStreamCommand({ logGroupName: group, logStreamName: 'job/algo-1-1' }),
    );
    await logs.send(
      new CreateLogStreamCommand({ logGroupName: group, logStreamName: 'job/algo-1-2' }),
    );
  });

  it('refuses streams in missing groups and duplicates', async () => {
    expect(
      await failure(
        logs.send(new CreateLogStreamCommand({ logGroupName: '/none', logStreamName: 's' })),
      ),
    ).toEqual({
      code: 'ResourceNotFoundException',
      message: 'The specified log group does not exist.',
    });
    expect(
      await failure(
        logs.send(
          new CreateLogStreamCommand({ logGroupName: group, logStreamName: 'job/algo-1-1' }),
        ),
      ),
    ).toEqual({
      code: 'ResourceAlreadyExistsException',
      message: 'The specified log stream already exists',
    });
    expect(
      await failure(
        logs.send(
          new PutLogEventsCommand({
            logGroupName: group,
            logStreamName: 'nope',
            logEvents: [{ timestamp: base, message: 'x' }],
          }),
        ),
      ),
    ).toEqual({
      code: 'ResourceNotFoundException',
      message: 'The specified log stream does not exist.',
    });
  });

  it('accepts events without sequence tokens and reports rejected ones by index', async () => {
    const put = await logs.send(
      new PutLogEventsCommand({
        logGroupName: group,
        logStreamName: 'job/algo-1-1',
        logEvents: Array.from({ length: 10 }, (_, i) => ({
          timestamp: base + i,
          message:
            i % 2
              ? `[${i}]#011train-rmse:0.${i} epoch done`
              : `INFO step ${i} Training seconds: ${i}`,
        })),
      }),
    );
    expect(put.rejectedLogEventsInfo).toBeUndefined();
    const old = Date.now() - 15 * 24 * 3600 * 1000;
    const tooOld = await logs.send(
      new PutLogEventsCommand({
        logGroupName: group,
        logStreamName: 'job/algo-1-2',
        logEvents: [
          { timestamp: old, message: 'ancient' },
          { timestamp: old + 1, message: 'ancient too' },
        ],
      }),
    );
    expect(tooOld.rejectedLogEventsInfo).toEqual({ tooOldLogEventEndIndex: 1 });
    const tooNew = await logs.send(
      new PutLogEventsCommand({
        logGroupName: group,
        logStreamName: 'job/algo-1-2',
        logEvents: [{ timestamp: Date.now() + 3 * 3600 * 1000, message: 'future' }],
      }),
    );
    expect(tooNew.rejectedLogEventsInfo).toEqual({ tooNewLogEventStartIndex: 0 });
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: group,
        logStreamName: 'job/algo-1-2',
        logEvents: [{ timestamp: base + 100, message: 'ERROR Exception in stream two' }],
      }),
    );
  });

  it('refuses out-of-order and over-24-hour batches', async () => {
    expect(
      await failure(
        logs.send(
          new PutLogEventsCommand({
            logGroupName: group,
            logStreamName: 'job/algo-1-2',
            logEvents: [
              { timestamp: base + 5, message: 'b' },
              { timestamp: base + 1, message: 'a' },
            ],
          }),
        ),
      ),
    ).toEqual({
      code: 'InvalidParameterException',
      message: 'Log events in a single PutLogEvents request must be in chronological order.',
    });
  });

  it('lists streams by name or by last event time', async () => {
    const byName = await logs.send(
      new DescribeLogStreamsCommand({ logGroupName: group, logStreamNamePrefix: 'job/' }),
    );
    expect(byName.logStreams?.map((s) => s.logStreamName)).toEqual([
      'job/algo-1-1',
      'job/algo-1-2',
    ]);
    expect(byName.logStreams?.[0]).toMatchObject({
      firstEventTimestamp: base,
      lastEventTimestamp: base + 9,
      arn: `arn:aws:logs:us-east-1:000000000000:log-group:${group}:log-stream:job/algo-1-1`,
    });
    const latest = await logs.send(
      new DescribeLogStreamsCommand({
        logGroupName: group,
        orderBy: 'LastEventTime',
        descending: true,
        limit: 1,
      }),
    );
    expect(latest.logStreams?.[0]?.logStreamName).toBe('job/algo-1-2');
    expect(
      await failure(
        logs.send(
          new DescribeLogStreamsCommand({
            logGroupName: group,
            orderBy: 'LastEventTime',
            logStreamNamePrefix: 'job',
          }),
        ),
      ),
    ).toEqual({
      code: 'InvalidParameterException',
      message: 'Cannot order by LastEventTime with a logStreamNamePrefix.',
    });
  });

  it('reads a stream from the head with forward tokens, and from the tail', async () => {
    const read = (extra: object) =>
      logs.send(
        new GetLogEventsCommand({ logGroupName: group, logStreamName: 'job/algo-1-1', ...extra }),
      );
    const first = await read({ startFromHead: true, limit: 4 });
    expect(first.events?.map((e) => e.timestamp)).toEqual([base, base + 1, base + 2, base + 3]);
    expect(first.nextForwardToken).toMatch(/^f\/\d+/);
    expect(first.nextBackwardToken).toMatch(/^b\/\d+/);
    const messages: string[] = [];
    let token: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await read({ startFromHead: true, limit: 4, nextToken: token });
      messages.push(...(page.events ?? []).map((e) => e.message ?? ''));
      // At the end AWS returns the token it was given: that is how clients know to stop.
      if (page.nextForwardToken === token) break;
      token = page.nextForwardToken;
    }
    expect(messages).toHaveLength(10);
    const tail = await read({ limit: 3 });
    expect(tail.events?.map((e) => e.timestamp)).toEqual([base + 7, base + 8, base + 9]);
    const before = await read({ limit: 3, nextToken: tail.nextBackwardToken });
    expect(before.events?.map((e) => e.timestamp)).toEqual([base + 4, base + 5, base + 6]);
    expect(tail.events?.[0]?.ingestionTime).toBeGreaterThanOrEqual(base);
  });

  it('filters events by terms, phrases, alternatives, exclusions, streams and time', async () => {
    const filter = async (extra: object) =>
      (await logs.send(new FilterLogEventsCommand({ logGroupName: group, ...extra }))).events ?? [];
    expect((await filter({ filterPattern: 'train-rmse' })).map((e) => e.timestamp)).toEqual([
      base + 1,
      base + 3,
      base + 5,
      base + 7,
      base + 9,
    ]);
    expect(await filter({ filterPattern: '"Training seconds: 4"' })).toHaveLength(1);
    expect(await filter({ filterPattern: 'INFO step' })).toHaveLength(5);
    expect(await filter({ filterPattern: '?ERROR ?rmse:0.9' })).toHaveLength(2);
    expect(await filter({ filterPattern: 'INFO -step' })).toHaveLength(0);
    const second = await filter({ logStreamNames: ['job/algo-1-2'] });
    expect(second.map((e) => e.message)).toEqual(['ERROR Exception in stream two']);
    expect(second[0]).toMatchObject({ logStreamName: 'job/algo-1-2' });
    expect(second[0]?.eventId).toMatch(/^\d+$/);
    const windowed = await filter({ startTime: base + 2, endTime: base + 4 });
    expect(windowed.map((e) => e.timestamp)).toEqual([base + 2, base + 3, base + 4]);
    const response = await logs.send(new FilterLogEventsCommand({ logGroupName: group, limit: 2 }));
    expect(response.events).toHaveLength(2);
    expect(response.nextToken).toBeDefined();
    expect(response.searchedLogStreams?.map((s) => s.logStreamName)).toEqual([
      'job/algo-1-1',
      'job/algo-1-2',
    ]);
  });
});
