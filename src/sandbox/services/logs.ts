/**
 * CloudWatch Logs: log groups, log streams and their events, with AWS's error codes and messages.
 * SageMaker's training jobs write here through core.invoke as their execution role, so a role
 * without logs permissions leaves no logs, as on AWS.
 */
import { dict, dictOf, has, lookup } from '../dict.js';
import { AwsError, type RequestContext, type SandboxCore, type ServiceHandler } from '../types.js';
import {
  type Input,
  decodeToken,
  encodeToken,
  optBoolean,
  optList,
  optNumber,
  optObject,
  optString,
} from './input.js';
import { compileFilterPattern } from './logs-filter.js';
import { constraint, validationError } from './errors.js';

interface LogEvent {
  timestamp: number;
  message: string;
  ingestionTime: number;
  /** Ingestion order within the group: FilterLogEvents' eventId and the sequence tokens. */
  seq: number;
}

interface LogStream {
  logStreamName: string;
  creationTime: number;
  firstEventTimestamp?: number;
  lastEventTimestamp?: number;
  lastIngestionTime?: number;
  events: LogEvent[];
}

interface LogGroup {
  logGroupName: string;
  creationTime: number;
  retentionInDays?: number;
  kmsKeyId?: string;
  logGroupClass: string;
  tags: Record<string, string>;
  storedBytes: number;
  seq: number;
  streams: Record<string, LogStream>;
}

interface LogsState {
  /** account/region -> log group name -> group */
  groups: Record<string, Record<string, LogGroup>>;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const STREAM_NAME = /^[^:*]{1,512}$/;

const notFoundGroup = () =>
  new AwsError('ResourceNotFoundException', 'The specified log group does not exist.');
const notFoundStream = () =>
  new AwsError('ResourceNotFoundException', 'The specified log stream does not exist.');
const invalid = (message: string) => new AwsError('InvalidParameterException', message);

export function logsService(core: SandboxCore): ServiceHandler {
  const state = () => core.store.get<LogsState>('logs', () => ({ groups: dict() }));
  const groupsOf = (ctx: RequestContext) => {
    const key = `${ctx.caller.accountId}/${ctx.region}`;
    const all = state().groups;
    let groups = lookup(all, key);
    if (!groups) {
      groups = dict();
      all[key] = groups;
    }
    return groups;
  };
  const groupArn = (ctx: RequestContext, name: string) =>
    `arn:aws:logs:${ctx.region}:${ctx.caller.accountId}:log-group:${name}`;
  // IAM sees group-level actions on "log-group:NAME:log-stream:" (AWS's own denial messages say so).
  const streamArn = (ctx: RequestContext, group: string, stream = '') =>
    `${groupArn(ctx, group)}:log-stream:${stream}`;

  const requireGroup = (ctx: RequestContext, name: string): LogGroup => {
    const group = lookup(groupsOf(ctx), name);
    if (!group) throw notFoundGroup();
    return group;
  };
  const requireStream = (group: LogGroup, name: string): LogStream => {
    const stream = lookup(group.streams, name);
    if (!stream) throw notFoundStream();
    return stream;
  };

  return {
    name: 'logs',
    operations: {
      async CreateLogGroup(input, ctx) {
        const name = requiredName(input, 'logGroupName');
        if (!GROUP_NAME.test(name))
          throw validationPattern('logGroupName', name, '[\\.\\-_/#A-Za-z0-9]+');
        await core.authorize(ctx, 'logs:CreateLogGroup', streamArn(ctx, name));
        const groups = groupsOf(ctx);
        if (has(groups, name)) {
          throw new AwsError(
            'ResourceAlreadyExistsException',
            'The specified log group already exists',
          );
        }
        groups[name] = {
          logGroupName: name,
          creationTime: core.now(),
          kmsKeyId: optString(input, 'kmsKeyId'),
          logGroupClass: optString(input, 'logGroupClass') ?? 'STANDARD',
          tags: dictOf(optObject(input, 'tags') as Record<string, string> | undefined),
          storedBytes: 0,
          seq: 0,
          streams: dict(),
        };
        core.store.changed();
        return {};
      },

      async DeleteLogGroup(input, ctx) {
        const name = requiredName(input, 'logGroupName');
        await core.authorize(ctx, 'logs:DeleteLogGroup', streamArn(ctx, name));
        requireGroup(ctx, name);
        delete groupsOf(ctx)[name];
        core.store.changed();
        return {};
      },

      async DeleteLogStream(input, ctx) {
        const [groupName, streamName] = [
          requiredName(input, 'logGroupName'),
          requiredName(input, 'logStreamName'),
        ];
        await core.authorize(ctx, 'logs:DeleteLogStream', streamArn(ctx, groupName, streamName));
        const group = requireGroup(ctx, groupName);
        requireStream(group, streamName);
        delete group.streams[streamName];
        return {};
      },

      async DescribeLogGroups(input, ctx) {
        await core.authorize(ctx, 'logs:DescribeLogGroups', streamArn(ctx, ''));
        const prefix = optString(input, 'logGroupNamePrefix');
        const pattern = optString(input, 'logGroupNamePattern');
        if (prefix !== undefined && pattern !== undefined) {
          throw invalid(
            'LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.',
          );
        }
        const limit = pageLimit(input, 50);
        const after = nextTokenOf(input);
        const names = Object.keys(groupsOf(ctx))
          .filter((n) => prefix === undefined || n.startsWith(prefix))
          .filter((n) => pattern === undefined || n.toLowerCase().includes(pattern.toLowerCase()))
          .filter((n) => after === undefined || n > after)
          .sort();
        const page = names.slice(0, limit);
        return {
          logGroups: page.map((n) => {
            const g = requireGroup(ctx, n);
            return {
              logGroupName: g.logGroupName,
              creationTime: g.creationTime,
              retentionInDays: g.retentionInDays,
              metricFilterCount: 0,
              arn: `${groupArn(ctx, n)}:*`,
              storedBytes: g.storedBytes,
              kmsKeyId: g.kmsKeyId,
              logGroupClass: g.logGroupClass,
              logGroupArn: groupArn(ctx, n),
            };
          }),
          nextToken: names.length > limit ? encodeToken(page[page.length - 1] ?? '') : undefined,
        };
      },

      async CreateLogStream(input, ctx) {
        const groupName = requiredName(input, 'logGroupName');
        const streamName = requiredName(input, 'logStreamName');
        if (!STREAM_NAME.test(streamName)) {
          throw validationPattern('logStreamName', streamName, '[^:*]*');
        }
        await core.authorize(ctx, 'logs:CreateLogStream', streamArn(ctx, groupName, streamName));
        const group = requireGroup(ctx, groupName);
        if (has(group.streams, streamName)) {
          throw new AwsError(
            'ResourceAlreadyExistsException',
            'The specified log stream already exists',
          );
        }
        group.streams[streamName] = {
          logStreamName: streamName,
          creationTime: core.now(),
          events: [],
        };
        core.store.changed();
        return {};
      },

      async DescribeLogStreams(input, ctx) {
        const groupName = groupNameOf(input);
        await core.authorize(ctx, 'logs:DescribeLogStreams', streamArn(ctx, groupName));
        const group = requireGroup(ctx, groupName);
        const prefix = optString(input, 'logStreamNamePrefix');
        const orderBy = optString(input, 'orderBy') ?? 'LogStreamName';
        if (orderBy !== 'LogStreamName' && orderBy !== 'LastEventTime') {
          throw validationEnum('orderBy', orderBy, ['LogStreamName', 'LastEventTime']);
        }
        if (orderBy === 'LastEventTime' && prefix !== undefined) {
          throw invalid('Cannot order by LastEventTime with a logStreamNamePrefix.');
        }
        const descending = optBoolean(input, 'descending') ?? false;
        const limit = pageLimit(input, 50);
        const offset = Number(nextTokenOf(input) ?? '0');
        const streams = Object.values(group.streams)
          .filter((s) => prefix === undefined || s.logStreamName.startsWith(prefix))
          .sort((a, b) =>
            orderBy === 'LogStreamName'
              ? compare(a.logStreamName, b.logStreamName)
              : (a.lastEventTimestamp ?? 0) - (b.lastEventTimestamp ?? 0) ||
                compare(a.logStreamName, b.logStreamName),
          );
        if (descending) streams.reverse();
        const page = streams.slice(offset, offset + limit);
        return {
          logStreams: page.map((s) => ({
            logStreamName: s.logStreamName,
            creationTime: s.creationTime,
            firstEventTimestamp: s.firstEventTimestamp,
            lastEventTimestamp: s.lastEventTimestamp,
            lastIngestionTime: s.lastIngestionTime,
            arn: streamArn(ctx, groupName, s.logStreamName),
            storedBytes: 0,
          })),
          nextToken:
            offset + limit < streams.length ? encodeToken(String(offset + limit)) : undefined,
        };
      },

      async PutLogEvents(input, ctx) {
        const groupName = requiredName(input, 'logGroupName');
        const streamName = requiredName(input, 'logStreamName');
        const events = optList<Input>(input, 'logEvents') ?? [];
        if (events.length === 0) {
          throw validationError(
            'logEvents',
            '[]',
            constraint.lengthAtLeast(1),
            'InvalidParameterException',
          );
        }
        if (events.length > 10_000) {
          throw invalid('The batch of log events in a single PutLogEvents request is too large.');
        }
        await core.authorize(ctx, 'logs:PutLogEvents', streamArn(ctx, groupName, streamName));
        const group = requireGroup(ctx, groupName);
        const stream = requireStream(group, streamName);
        const parsed = events.map((e) => ({
          timestamp: optNumber(e, 'timestamp') ?? NaN,
          message: optString(e, 'message') ?? '',
        }));
        if (parsed.some((e) => !Number.isFinite(e.timestamp))) {
          throw invalid('Log event timestamp must be a number of milliseconds since the epoch.');
        }
        for (let i = 1; i < parsed.length; i++) {
          if ((parsed[i]?.timestamp ?? 0) < (parsed[i - 1]?.timestamp ?? 0)) {
            throw invalid(
              'Log events in a single PutLogEvents request must be in chronological order.',
            );
          }
        }
        const first = parsed[0]?.timestamp ?? 0;
        const last = parsed[parsed.length - 1]?.timestamp ?? 0;
        if (last - first > DAY_MS) {
          throw invalid(
            'The batch of log events in a single PutLogEvents request cannot span more than 24 hours.',
          );
        }

        // AWS accepts what it can and reports the rest by index instead of failing the batch.
        const now = core.now();
        const rejected: Record<string, number> = {};
        const expiredBefore = group.retentionInDays ? now - group.retentionInDays * DAY_MS : -1;
        parsed.forEach((e, i) => {
          if (e.timestamp > now + 2 * 60 * 60 * 1000) {
            rejected.tooNewLogEventStartIndex ??= i;
          } else if (e.timestamp < expiredBefore) {
            rejected.expiredLogEventEndIndex = i;
          } else if (e.timestamp < now - 14 * DAY_MS) {
            rejected.tooOldLogEventEndIndex = i;
          } else {
            insertSorted(stream.events, {
              timestamp: e.timestamp,
              message: e.message,
              ingestionTime: now,
              seq: ++group.seq,
            });
            group.storedBytes += Buffer.byteLength(e.message) + 26;
            stream.firstEventTimestamp = Math.min(
              stream.firstEventTimestamp ?? e.timestamp,
              e.timestamp,
            );
            stream.lastEventTimestamp = Math.max(
              stream.lastEventTimestamp ?? e.timestamp,
              e.timestamp,
            );
            stream.lastIngestionTime = now;
          }
        });
        core.store.changed();
        return {
          nextSequenceToken: digits(group.seq, 56),
          rejectedLogEventsInfo: Object.keys(rejected).length ? rejected : undefined,
        };
      },

      async GetLogEvents(input, ctx) {
        const groupName = groupNameOf(input);
        const streamName = requiredName(input, 'logStreamName');
        await core.authorize(ctx, 'logs:GetLogEvents', streamArn(ctx, groupName, streamName));
        const stream = requireStream(requireGroup(ctx, groupName), streamName);
        const events = inWindow(stream.events, input);
        const limit = pageLimit(input, 10_000);
        const token = optString(input, 'nextToken');
        let start: number;
        let end: number;
        if (token !== undefined) {
          const match = /^([fb])\/(\d+)(?:\/s)?$/.exec(token);
          if (!match) throw invalid('The specified nextToken is invalid.');
          const position = Math.min(Number(match[2]), events.length);
          if (match[1] === 'f') {
            start = position;
            end = Math.min(events.length, position + limit);
          } else {
            end = position;
            start = Math.max(0, position - limit);
          }
        } else if (optBoolean(input, 'startFromHead')) {
          start = 0;
          end = Math.min(events.length, limit);
        } else {
          end = events.length;
          start = Math.max(0, end - limit);
        }
        return {
          events: events.slice(start, end).map((e) => ({
            timestamp: e.timestamp,
            message: e.message,
            ingestionTime: e.ingestionTime,
          })),
          // At the end of the stream AWS hands back the token it was given: clients stop on that.
          nextForwardToken: `f/${digits(end, 56)}/s`,
          nextBackwardToken: `b/${digits(start, 56)}/s`,
        };
      },

      async FilterLogEvents(input, ctx) {
        const groupName = groupNameOf(input);
        await core.authorize(ctx, 'logs:FilterLogEvents', streamArn(ctx, groupName));
        const group = requireGroup(ctx, groupName);
        const names = optList<string>(input, 'logStreamNames');
        const prefix = optString(input, 'logStreamNamePrefix');
        if (names && prefix !== undefined) {
          throw invalid(
            'logStreamNames and logStreamNamePrefix are mutually exclusive parameters.',
          );
        }
        const matches = compileFilterPattern(optString(input, 'filterPattern'));
        const streams = Object.values(group.streams)
          .filter((s) => !names || names.includes(s.logStreamName))
          .filter((s) => prefix === undefined || s.logStreamName.startsWith(prefix))
          .sort((a, b) => compare(a.logStreamName, b.logStreamName));
        if (names && names.some((n) => !has(group.streams, n))) throw notFoundStream();
        const found = streams
          .flatMap((s) =>
            inWindow(s.events, input)
              .filter((e) => matches(e.message))
              .map((e) => ({ stream: s.logStreamName, event: e })),
          )
          .sort((a, b) => a.event.timestamp - b.event.timestamp || a.event.seq - b.event.seq);
        const limit = pageLimit(input, 10_000);
        const offset = Number(nextTokenOf(input) ?? '0');
        const page = found.slice(offset, offset + limit);
        return {
          events: page.map(({ stream, event }) => ({
            logStreamName: stream,
            timestamp: event.timestamp,
            message: event.message,
            ingestionTime: event.ingestionTime,
            eventId: digits(event.seq, 56),
          })),
          searchedLogStreams: streams.map((s) => ({
            logStreamName: s.logStreamName,
            searchedCompletely: true,
          })),
          nextToken:
            offset + limit < found.length ? encodeToken(String(offset + limit)) : undefined,
        };
      },
    },
  };
}

function requiredName(input: Input, member: string): string {
  const value = optString(input, member);
  if (value === undefined) {
    throw validationError(member, null, constraint.notNull, 'InvalidParameterException');
  }
  return value;
}

/** logGroupName, or logGroupIdentifier (a name or an ARN), as the newer read APIs accept. */
function groupNameOf(input: Input): string {
  const name = optString(input, 'logGroupName');
  const identifier = optString(input, 'logGroupIdentifier');
  if (name !== undefined && identifier !== undefined) {
    throw invalid('LogGroup name and LogGroup ARN are mutually exclusive parameters.');
  }
  const value = name ?? identifier;
  if (value === undefined) {
    throw invalid('Should provide either name or identifier.');
  }
  const arn = /^arn:[^:]+:logs:[^:]*:[^:]*:log-group:([^:]+)(?::\*)?$/.exec(value);
  return arn?.[1] ?? value;
}

/** The position a Logs `nextToken` encodes; a token Logs did not issue is refused as AWS does. */
function nextTokenOf(input: Input): string | undefined {
  return decodeToken(
    optString(input, 'nextToken'),
    'InvalidParameterException',
    'The specified nextToken is invalid.',
  );
}

function pageLimit(input: Input, max: number): number {
  const limit = optNumber(input, 'limit');
  if (limit === undefined) return max;
  if (limit < 1 || limit > max || !Number.isInteger(limit)) {
    throw validationError(
      'limit',
      limit,
      constraint.inRange(limit, 1, max),
      'InvalidParameterException',
    );
  }
  return limit;
}

function inWindow(events: LogEvent[], input: Input): LogEvent[] {
  const startTime = optNumber(input, 'startTime');
  const endTime = optNumber(input, 'endTime');
  return events.filter(
    (e) =>
      (startTime === undefined || e.timestamp >= startTime) &&
      (endTime === undefined || e.timestamp <= endTime),
  );
}

/** Keeps a stream ordered by timestamp while batches may arrive out of order. */
function insertSorted(events: LogEvent[], event: LogEvent): void {
  let i = events.length;
  while (i > 0 && (events[i - 1]?.timestamp ?? 0) > event.timestamp) i--;
  events.splice(i, 0, event);
}

function digits(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function validationPattern(member: string, value: string, pattern: string): AwsError {
  return validationError(member, value, constraint.pattern(pattern), 'InvalidParameterException');
}

function validationEnum(member: string, value: string, allowed: string[]): AwsError {
  return validationError(member, value, constraint.enum(allowed), 'InvalidParameterException');
}
