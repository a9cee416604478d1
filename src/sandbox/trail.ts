/**
 * CloudTrail's event history: every call, over the wire or through core.invoke, becomes a
 * management event shaped like CloudTrail's record, kept in memory (the last MAX_EVENTS). Replaying
 * the journal records the same events again; a snapshot saves what it gained (trail-files.ts).
 */
import { dict } from './dict.js';
import { servicePrincipalOf } from './services/service-keys.js';
import type { Caller, EventDetails, RequestContext, ServiceName } from './types.js';

export const MAX_EVENTS = 10_000;
/** Events past MAX_EVENTS are dropped this many at a time. */
const DROP_BATCH = 1_000;

/** The CloudTrail record (what LookupEvents returns as the CloudTrailEvent JSON string). */
export interface TrailEvent {
  eventVersion: string;
  userIdentity: Record<string, unknown>;
  eventTime: string;
  eventSource: string;
  eventName: string;
  awsRegion: string;
  sourceIPAddress: string;
  userAgent: string;
  errorCode?: string;
  errorMessage?: string;
  requestParameters: Record<string, unknown> | null;
  responseElements: Record<string, unknown> | null;
  requestID: string;
  eventID: string;
  readOnly: boolean;
  resources?: { accountId: string; type: string; ARN: string }[];
  eventType: 'AwsApiCall';
  managementEvent: boolean;
  recipientAccountId: string;
  eventCategory: 'Management';
}

/** KMS's cryptographic operations change no state: CloudTrail marks them read-only too. */
const READ_ONLY =
  /^(Get|List|Describe|Head|Lookup|Simulate|Filter|Encrypt$|Decrypt$|GenerateDataKey)/;

/**
 * Whether CloudTrail counts an operation as read-only, by AWS's naming. The journal relies on it
 * too: a read-only call is answered without waiting for its record to reach the disk.
 */
export function isReadOnlyOperation(operation: string): boolean {
  return READ_ONLY.test(operation);
}

/** CloudTrail's eventTime: seconds, no milliseconds. */
export function eventTime(at: number): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Input keys that name a resource, for the event's resources (LookupEvents' ResourceName). */
const RESOURCE_KEYS: [
  string,
  string,
  (value: string, region: string, account: string) => string,
][] = [
  ['RoleName', 'AWS::IAM::Role', (v, _r, a) => `arn:aws:iam::${a}:role/${v}`],
  ['PolicyArn', 'AWS::IAM::ManagedPolicy', (v) => v],
  ['RoleArn', 'AWS::IAM::Role', (v) => v],
  ['Bucket', 'AWS::S3::Bucket', (v) => `arn:aws:s3:::${v}`],
  [
    'NotebookInstanceName',
    'AWS::SageMaker::NotebookInstance',
    (v, r, a) => `arn:aws:sagemaker:${r}:${a}:notebook-instance/${v.toLowerCase()}`,
  ],
  [
    'TrainingJobName',
    'AWS::SageMaker::TrainingJob',
    (v, r, a) => `arn:aws:sagemaker:${r}:${a}:training-job/${v.toLowerCase()}`,
  ],
  ['logGroupName', 'AWS::Logs::LogGroup', (v, r, a) => `arn:aws:logs:${r}:${a}:log-group:${v}`],
];

export function eventSource(service: ServiceName): string {
  return `${service}.amazonaws.com`;
}

export function userIdentity(caller: Caller): Record<string, unknown> {
  // labwright's service key (services/service-keys.ts): the service itself made the call.
  const service = servicePrincipalOf(caller.accessKeyId);
  if (service) return { type: 'AWSService', invokedBy: service };
  if (caller.kind === 'root') {
    return {
      type: 'Root',
      principalId: caller.principalId,
      arn: caller.arn,
      accountId: caller.accountId,
      accessKeyId: caller.accessKeyId,
    };
  }
  const identity: Record<string, unknown> = {
    type: 'AssumedRole',
    principalId: caller.principalId,
    arn: caller.arn,
    accountId: caller.accountId,
    accessKeyId: caller.accessKeyId,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: caller.principalId.split(':')[0],
        arn: caller.roleArn,
        accountId: caller.accountId,
        userName: caller.roleName,
      },
      attributes: { mfaAuthenticated: 'false' },
    },
  };
  if (caller.invokedBy) identity.invokedBy = caller.invokedBy;
  return identity;
}

/** `RoleName` -> `roleName`, as CloudTrail writes request parameters; bodies left out. */
function trimParameters(input: Record<string, unknown>): Record<string, unknown> | null {
  // Keyed by the input's member names, which a map-shaped input (tags) lets a caller choose.
  const out = dict<unknown>();
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined || value instanceof Uint8Array) continue;
    const name = key.charAt(0).toLowerCase() + key.slice(1);
    out[name] =
      typeof value === 'string' && value.length > 4096 ? `${value.slice(0, 4096)}...` : value;
  }
  return Object.keys(out).length > 0 ? out : null;
}

function defaultResources(input: Record<string, unknown>, region: string, accountId: string) {
  const out: { accountId: string; type: string; ARN: string }[] = [];
  for (const [key, type, arn] of RESOURCE_KEYS) {
    const value = input[key];
    if (typeof value === 'string' && value) {
      out.push({ accountId, type, ARN: arn(value, region, accountId) });
    }
  }
  return out;
}

/**
 * Whether a value read back from a state folder can stand as an event: an object with the
 * fields LookupEvents filters on. What fails this is damage, never served.
 */
export function isTrailEvent(value: unknown): value is TrailEvent {
  const event = value as Partial<TrailEvent> | null;
  return (
    !!event &&
    typeof event === 'object' &&
    !Array.isArray(event) &&
    typeof event.eventName === 'string' &&
    typeof event.eventTime === 'string' &&
    typeof event.eventSource === 'string' &&
    !!event.userIdentity &&
    typeof event.userIdentity === 'object'
  );
}

/**
 * Where the trail stood when a snapshot saved it: how many events had been appended, and which
 * revision of the kept events (a removal makes a new one) they belong to.
 */
export interface TrailMark {
  appended: number;
  revision: number;
}

export class EventLog {
  private events: TrailEvent[] = [];
  /** Events appended since the log began, dropped or not. */
  private appended: number;
  /** Changes when events are taken out of the middle (a removal, a clear). */
  private revision = 0;

  /** Starts from the events a snapshot kept. */
  constructor(initial: readonly TrailEvent[] = []) {
    this.events = initial.slice(-MAX_EVENTS);
    this.appended = this.events.length;
  }

  record(
    ctx: RequestContext,
    input: Record<string, unknown>,
    outcome: {
      at: number;
      eventId: string;
      error?: { code: string; message: string };
      details?: EventDetails;
    },
  ): TrailEvent {
    const { caller } = ctx;
    const asService = servicePrincipalOf(caller.accessKeyId);
    const details = outcome.details ?? {};
    const readOnly = details.readOnly ?? READ_ONLY.test(ctx.operation);
    const resources = details.resources
      ? details.resources.map((r) => ({
          accountId: caller.accountId,
          type: r.ResourceType,
          ARN: r.ARN,
        }))
      : defaultResources(input, ctx.region, caller.accountId);
    const event: TrailEvent = {
      eventVersion: '1.08',
      userIdentity: userIdentity(caller),
      eventTime: eventTime(outcome.at),
      eventSource: eventSource(ctx.service),
      eventName: ctx.operation,
      awsRegion: ctx.region,
      sourceIPAddress: asService ?? ctx.sourceIp,
      userAgent: asService ?? ctx.userAgent,
      requestParameters:
        details.requestParameters !== undefined ? details.requestParameters : trimParameters(input),
      responseElements: outcome.error ? null : (details.responseElements ?? null),
      requestID: ctx.requestId,
      eventID: outcome.eventId,
      readOnly,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: caller.accountId,
      eventCategory: 'Management',
    };
    if (resources.length > 0) event.resources = resources;
    if (outcome.error) {
      event.errorCode = outcome.error.code;
      event.errorMessage = outcome.error.message;
    }
    this.append(event);
    return event;
  }

  /** Records an event built elsewhere (a service principal's AssumeRole). */
  append(event: TrailEvent): void {
    this.events.push(event);
    this.appended++;
    // Dropping the oldest one at a time moves the whole array on every call once the trail is
    // full; dropping them a batch at a time moves it once per batch.
    if (this.events.length >= MAX_EVENTS + DROP_BATCH) this.kept();
  }

  /** The newest MAX_EVENTS, the ones the trail keeps; older ones are dropped here. */
  private kept(): TrailEvent[] {
    if (this.events.length > MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS);
    return this.events;
  }

  /** Newest first, as LookupEvents returns them. */
  newestFirst(): TrailEvent[] {
    return [...this.kept()].reverse();
  }

  all(): readonly TrailEvent[] {
    return this.kept();
  }

  /** Where the trail stands now: what a snapshot taken now saves up to. */
  mark(): TrailMark {
    return { appended: this.appended, revision: this.revision };
  }

  /**
   * The kept events recorded after `mark`; all of them, as `whole`, when there is no mark or events
   * were removed since (what was saved before no longer matches).
   */
  since(mark: TrailMark | undefined): { events: TrailEvent[]; whole: boolean } {
    const kept = this.kept();
    if (!mark || mark.revision !== this.revision) return { events: [...kept], whole: true };
    const added = Math.min(this.appended - mark.appended, kept.length);
    return { events: kept.slice(kept.length - added), whole: false };
  }

  clear(): void {
    this.events = [];
    this.revision++;
  }

  /** Removes the events `match` picks (labwright's reset forgetting an attempt); returns how many. */
  remove(match: (event: TrailEvent) => boolean): number {
    const before = this.kept().length;
    this.events = this.events.filter((event) => !match(event));
    const removed = before - this.events.length;
    if (removed > 0) this.revision++;
    return removed;
  }
}
