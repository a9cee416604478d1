/**
 * CloudTrail: trails (create/get/describe/list/delete, start/stop logging, status) and
 * LookupEvents over the event history the core records for every call. As on AWS, the history
 * exists whether or not a trail does; a trail only says where logs would be delivered.
 */
import { internalCore } from '../core.js';
import type { TrailEvent } from '../trail.js';
import {
  AwsError,
  SANDBOX_ACCOUNT,
  SANDBOX_REGION,
  type SandboxCore,
  type ServiceHandler,
} from '../types.js';

interface TrailRecord {
  Name: string;
  S3BucketName: string;
  S3KeyPrefix?: string;
  IncludeGlobalServiceEvents: boolean;
  IsMultiRegionTrail: boolean;
  LogFileValidationEnabled: boolean;
  CloudWatchLogsLogGroupArn?: string;
  CloudWatchLogsRoleArn?: string;
  KmsKeyId?: string;
  IsLogging: boolean;
  StartLoggingTime?: string;
  StopLoggingTime?: string;
}

interface CloudTrailState {
  trails: Record<string, TrailRecord>;
}

const TRAIL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$/;
const LOOKUP_KEYS = [
  'EventId',
  'EventName',
  'ReadOnly',
  'Username',
  'ResourceType',
  'ResourceName',
  'EventSource',
  'AccessKeyId',
] as const;

const trailArn = (name: string) =>
  `arn:aws:cloudtrail:${SANDBOX_REGION}:${SANDBOX_ACCOUNT}:trail/${name}`;

/** The user name LookupEvents shows: `root`, the role session's name, or nothing for services. */
function username(event: TrailEvent): string | undefined {
  const identity = event.userIdentity;
  if (identity.type === 'Root') return 'root';
  if (identity.type === 'AssumedRole') return String(identity.arn).split('/').pop();
  return undefined;
}

function matches(event: TrailEvent, key: string, value: string): boolean {
  switch (key) {
    case 'EventId':
      return event.eventID === value;
    case 'EventName':
      return event.eventName === value;
    case 'ReadOnly':
      return String(event.readOnly) === value;
    case 'Username':
      return username(event) === value;
    case 'EventSource':
      return event.eventSource === value;
    case 'AccessKeyId':
      return event.userIdentity.accessKeyId === value;
    case 'ResourceType':
      return (event.resources ?? []).some((r) => r.type === value);
    case 'ResourceName':
      return (event.resources ?? []).some(
        (r) => r.ARN === value || r.ARN.endsWith(`/${value}`) || r.ARN.endsWith(`:${value}`),
      );
    default:
      return false;
  }
}

function lookupView(event: TrailEvent) {
  const view: Record<string, unknown> = {
    EventId: event.eventID,
    EventName: event.eventName,
    ReadOnly: String(event.readOnly),
    EventTime: new Date(event.eventTime),
    EventSource: event.eventSource,
    Resources: (event.resources ?? []).map((r) => ({ ResourceType: r.type, ResourceName: r.ARN })),
    CloudTrailEvent: JSON.stringify(event),
  };
  const key = event.userIdentity.accessKeyId;
  if (typeof key === 'string') view.AccessKeyId = key;
  const user = username(event);
  if (user) view.Username = user;
  return view;
}

export function cloudtrailService(sandboxCore: SandboxCore): ServiceHandler {
  const core = internalCore(sandboxCore);
  const state = () => core.store.get<CloudTrailState>('cloudtrail', () => ({ trails: {} }));

  function find(nameOrArn: unknown): TrailRecord {
    const text = String(nameOrArn ?? '');
    const name = text.startsWith('arn:') ? text.slice(text.lastIndexOf('/') + 1) : text;
    const trail = state().trails[name];
    if (!trail) {
      throw new AwsError(
        'TrailNotFoundException',
        `Unknown trail: ${trailArn(name)} for the user: ${SANDBOX_ACCOUNT}`,
      );
    }
    return trail;
  }

  function view(trail: TrailRecord): Record<string, unknown> {
    const { IsLogging: _l, StartLoggingTime: _s, StopLoggingTime: _t, ...rest } = trail;
    return {
      ...rest,
      TrailARN: trailArn(trail.Name),
      HomeRegion: SANDBOX_REGION,
      IsOrganizationTrail: false,
      HasCustomEventSelectors: false,
      HasInsightSelectors: false,
    };
  }

  return {
    name: 'cloudtrail',
    operations: {
      async CreateTrail(input, ctx) {
        const name = String(input.Name ?? '');
        await core.authorize(ctx, 'cloudtrail:CreateTrail', trailArn(name));
        if (!TRAIL_NAME.test(name) || /[._-]{2}/.test(name)) {
          throw new AwsError(
            'InvalidTrailNameException',
            'Trail name must starts with a letter or number, end with a letter or number, be between 3 and 128 characters, have no adjacent periods, underscores or dashes, and only contain letters, numbers, periods, underscores and dashes.',
          );
        }
        if (state().trails[name]) {
          throw new AwsError(
            'TrailAlreadyExistsException',
            `Trail ${name} already exists for customer: ${SANDBOX_ACCOUNT}`,
          );
        }
        if (!input.S3BucketName) {
          throw new AwsError('InvalidS3BucketNameException', 'S3 bucket name is required.');
        }
        const trail: TrailRecord = {
          Name: name,
          S3BucketName: String(input.S3BucketName),
          IncludeGlobalServiceEvents: input.IncludeGlobalServiceEvents !== false,
          IsMultiRegionTrail: input.IsMultiRegionTrail === true,
          LogFileValidationEnabled: input.EnableLogFileValidation === true,
          IsLogging: false,
        };
        for (const key of [
          'S3KeyPrefix',
          'CloudWatchLogsLogGroupArn',
          'CloudWatchLogsRoleArn',
          'KmsKeyId',
        ] as const) {
          if (typeof input[key] === 'string') trail[key] = input[key] as string;
        }
        state().trails[name] = trail;
        core.store.changed();
        const {
          HomeRegion: _h,
          HasCustomEventSelectors: _c,
          HasInsightSelectors: _i,
          ...out
        } = view(trail);
        return out;
      },

      async GetTrail(input, ctx) {
        const trail = find(input.Name);
        await core.authorize(ctx, 'cloudtrail:GetTrail', trailArn(trail.Name));
        return { Trail: view(trail) };
      },

      async DescribeTrails(input, ctx) {
        await core.authorize(ctx, 'cloudtrail:DescribeTrails', '*');
        const names = input.trailNameList as string[] | undefined;
        const trails = Object.values(state().trails).filter(
          (t) =>
            !names ||
            names.length === 0 ||
            names.some((n) => n === t.Name || n === trailArn(t.Name)),
        );
        return { trailList: trails.map(view) };
      },

      async ListTrails(_input, ctx) {
        await core.authorize(ctx, 'cloudtrail:ListTrails', '*');
        return {
          Trails: Object.values(state().trails).map((t) => ({
            TrailARN: trailArn(t.Name),
            Name: t.Name,
            HomeRegion: SANDBOX_REGION,
          })),
        };
      },

      async DeleteTrail(input, ctx) {
        const trail = find(input.Name);
        await core.authorize(ctx, 'cloudtrail:DeleteTrail', trailArn(trail.Name));
        delete state().trails[trail.Name];
        core.store.changed();
        return {};
      },

      async StartLogging(input, ctx) {
        const trail = find(input.Name);
        await core.authorize(ctx, 'cloudtrail:StartLogging', trailArn(trail.Name));
        trail.IsLogging = true;
        trail.StartLoggingTime = new Date(core.now()).toISOString();
        core.store.changed();
        return {};
      },

      async StopLogging(input, ctx) {
        const trail = find(input.Name);
        await core.authorize(ctx, 'cloudtrail:StopLogging', trailArn(trail.Name));
        trail.IsLogging = false;
        trail.StopLoggingTime = new Date(core.now()).toISOString();
        core.store.changed();
        return {};
      },

      async GetTrailStatus(input, ctx) {
        const trail = find(input.Name);
        await core.authorize(ctx, 'cloudtrail:GetTrailStatus', trailArn(trail.Name));
        const status: Record<string, unknown> = { IsLogging: trail.IsLogging };
        if (trail.StartLoggingTime) {
          status.StartLoggingTime = new Date(trail.StartLoggingTime);
          status.TimeLoggingStarted = trail.StartLoggingTime;
        }
        if (trail.StopLoggingTime) {
          status.StopLoggingTime = new Date(trail.StopLoggingTime);
          status.TimeLoggingStopped = trail.StopLoggingTime;
        }
        return status;
      },

      async LookupEvents(input, ctx) {
        await core.authorize(ctx, 'cloudtrail:LookupEvents', '*');
        const attributes =
          (input.LookupAttributes as
            { AttributeKey: string; AttributeValue: string }[] | undefined) ?? [];
        if (attributes.length > 1) {
          throw new AwsError(
            'InvalidLookupAttributesException',
            'You cannot specify more than one lookup attribute.',
          );
        }
        for (const a of attributes) {
          if (!(LOOKUP_KEYS as readonly string[]).includes(a.AttributeKey)) {
            throw new AwsError(
              'InvalidLookupAttributesException',
              `Invalid AttributeKey: ${a.AttributeKey}. Valid keys are: ${LOOKUP_KEYS.join(', ')}.`,
            );
          }
        }
        const max = typeof input.MaxResults === 'number' ? input.MaxResults : 50;
        if (max < 1 || max > 50) {
          throw new AwsError('InvalidMaxResultsException', 'MaxResults must be between 1 and 50.');
        }
        const start = input.StartTime instanceof Date ? input.StartTime.getTime() : -Infinity;
        const end = input.EndTime instanceof Date ? input.EndTime.getTime() : Infinity;
        if (start > end) {
          throw new AwsError('InvalidTimeRangeException', 'Start time must be before end time.');
        }
        const selected = core.events.newestFirst().filter((e) => {
          const time = Date.parse(e.eventTime);
          // Event times have second precision: an end time within the same second includes it.
          return (
            time >= Math.floor(start / 1000) * 1000 &&
            time <= end &&
            attributes.every((a) => matches(e, a.AttributeKey, a.AttributeValue))
          );
        });
        const offset = input.NextToken
          ? Number(Buffer.from(String(input.NextToken), 'base64').toString())
          : 0;
        if (!Number.isInteger(offset) || offset < 0) {
          throw new AwsError('InvalidNextTokenException', 'Invalid NextToken.');
        }
        const page = selected.slice(offset, offset + max);
        const out: Record<string, unknown> = { Events: page.map(lookupView) };
        if (offset + max < selected.length)
          out.NextToken = Buffer.from(String(offset + max)).toString('base64');
        return out;
      },
    },
    describeEvent(operation, input) {
      if (
        operation === 'LookupEvents' ||
        operation.startsWith('Describe') ||
        operation === 'ListTrails'
      )
        return {};
      const name = String(input.Name ?? '');
      const arn = name.startsWith('arn:') ? name : trailArn(name);
      return { resources: [{ ARN: arn, ResourceType: 'AWS::CloudTrail::Trail' }] };
    },
  };
}
