import * as z from 'zod';
import { defineCheckSpec, type CheckContext, type CheckType } from './define.js';
import { failed, passed } from './support/outcome.js';
import { callTarget, onTarget } from './support/target.js';

const lookupAttribute = z.enum([
  'EventId',
  'EventName',
  'ReadOnly',
  'Username',
  'ResourceType',
  'ResourceName',
  'EventSource',
  'AccessKeyId',
]);

export const cloudtrailEvents = defineCheckSpec({
  type: 'cloudtrail.events',
  summary:
    'CloudTrail event history holds matching events, e.g. SageMaker assuming the execution role.',
  docs: {
    judges:
      'Searches CloudTrail event history (LookupEvents) by one lookup attribute, keeps events of the given name, made by the given service and within the time window, and passes when at least `minEvents` remain. On AWS events take up to 15 minutes to appear: give the check a long `retry`.',
    calls: ['cloudtrail:LookupEvents'],
    example: {
      lookup: {
        attribute: 'ResourceName',
        value: 'arn:${partition}:iam::${account}:role/${roleName}',
      },
      eventName: 'AssumeRole',
      minEvents: 1,
    },
  },
  with: z.strictObject({
    lookup: z
      .strictObject({ attribute: lookupAttribute, value: z.string().min(1) })
      .describe('The LookupEvents attribute to search by'),
    eventName: z.string().optional().describe('Keep only events with this name'),
    invokedBy: z
      .string()
      .optional()
      .describe('Keep only events a service made, e.g. sagemaker.amazonaws.com'),
    withinMinutes: z.number().int().min(1).default(1440).describe('How far back to look'),
    minEvents: z.number().int().min(1).default(1),
  }),
});

interface TrailEvent {
  EventId?: string;
  EventName?: string;
  EventTime?: Date;
  Username?: string;
  EventSource?: string;
  AccessKeyId?: string;
  ReadOnly?: string;
  Resources?: { ResourceType?: string; ResourceName?: string }[];
  CloudTrailEvent?: string;
}

interface EventRecord {
  userIdentity?: { invokedBy?: string; type?: string; principalId?: string };
  sourceIPAddress?: string;
  errorCode?: string;
}

type Input = z.output<typeof cloudtrailEvents.with>;
type Lookup = Input['lookup'];

/** Pages of LookupEvents (50 events each) to read in one search before concluding. */
const MAX_PAGES = 5;

function recordOf(event: TrailEvent): EventRecord {
  try {
    return JSON.parse(event.CloudTrailEvent ?? '{}') as EventRecord;
  } catch {
    return {};
  }
}

/** The service that made the call on the student's behalf, from the event record. */
function invokedByOf(event: TrailEvent): string | undefined {
  const record = recordOf(event);
  const identity = record.userIdentity;
  if (identity?.invokedBy) return identity.invokedBy;
  // AssumeRole by a service records the service as the identity and the source address.
  if (identity?.type === 'AWSService') return identity.principalId ?? record.sourceIPAddress;
  return /\.amazonaws\.com$/.test(record.sourceIPAddress ?? '')
    ? record.sourceIPAddress
    : undefined;
}

/** Whether the event happened at or after `since`: an event without a time cannot show it did. */
function inWindow(event: TrailEvent, since: Date): boolean {
  if (!event.EventTime) return false;
  const time = new Date(event.EventTime).getTime();
  return !Number.isNaN(time) && time >= since.getTime();
}

/** Whether an event matches a lookup attribute, as LookupEvents matches it. */
function eventMatches(event: TrailEvent, { attribute, value }: Lookup): boolean {
  switch (attribute) {
    case 'EventId':
      return event.EventId === value;
    case 'EventName':
      return event.EventName === value;
    case 'ReadOnly':
      return event.ReadOnly === value;
    case 'Username':
      return event.Username === value;
    case 'EventSource':
      return event.EventSource === value;
    case 'AccessKeyId':
      return event.AccessKeyId === value;
    case 'ResourceType':
      return (event.Resources ?? []).some((r) => r.ResourceType === value);
    case 'ResourceName':
      return (event.Resources ?? []).some(
        (r) =>
          r.ResourceName === value ||
          !!r.ResourceName?.endsWith(`/${value}`) ||
          !!r.ResourceName?.endsWith(`:${value}`),
      );
  }
}

/**
 * Up to MAX_PAGES pages of LookupEvents for one attribute since `startTime`; `complete` when
 * nothing older was left unread. Only the events that match the attribute and the time window
 * are kept: the target may have ignored either, and another role's or last week's events are not
 * the student's.
 */
async function searchEvents(
  ctx: CheckContext,
  lookup: Lookup,
  startTime: Date,
): Promise<{ events: TrailEvent[]; complete: boolean }> {
  const events: TrailEvent[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await callTarget<{ Events?: TrailEvent[]; NextToken?: string }>(
      ctx,
      'cloudtrail',
      'LookupEvents',
      {
        LookupAttributes: [{ AttributeKey: lookup.attribute, AttributeValue: lookup.value }],
        StartTime: startTime,
        MaxResults: 50,
        ...(token ? { NextToken: token } : {}),
      },
    );
    events.push(
      ...(page.Events ?? []).filter((e) => eventMatches(e, lookup) && inWindow(e, startTime)),
    );
    token = page.NextToken;
    pages++;
  } while (token && pages < MAX_PAGES);
  return { events, complete: !token };
}

/**
 * The events of the right name (and service, when asked); of those, the ones that succeeded
 * and the ones refused: a refused call is recorded too, with its errorCode, and a failed
 * AssumeRole is not the role in use.
 */
function sortEvents(found: TrailEvent[], input: Input) {
  const named = found.filter(
    (e) =>
      (!input.eventName || e.EventName === input.eventName) &&
      (!input.invokedBy || invokedByOf(e) === input.invokedBy),
  );
  return {
    named,
    matching: named.filter((e) => !recordOf(e).errorCode),
    refused: named.filter((e) => recordOf(e).errorCode),
  };
}

/** Both searches' events, each once. */
function union(first: TrailEvent[], second: TrailEvent[]): TrailEvent[] {
  const seen = new Set(first.map((e) => e.EventId));
  return [...first, ...second.filter((e) => !e.EventId || !seen.has(e.EventId))];
}

export const cloudtrailEventsCheck: CheckType<typeof cloudtrailEvents.with> = onTarget({
  ...cloudtrailEvents,
  async run(input, ctx) {
    // On AWS, an earlier attempt's events stay in the history for 90 days: they do not count.
    const window = new Date(Date.now() - input.withinMinutes * 60_000);
    const sinceAttempt = !!ctx.since && ctx.since.getTime() > window.getTime();
    const startTime = sinceAttempt ? ctx.since! : window;
    const period = sinceAttempt
      ? `since this attempt began at ${startTime.toISOString()}`
      : `in the last ${input.withinMinutes} minutes`;
    // With an event name, search by it and match the attribute here: every check run adds
    // read events that name the role (GetRole, ...), which soon bury the few AssumeRole events
    // a search by resource would have to page through. Search by the attribute too only when
    // the search by name was cut short.
    const byEventName = !!input.eventName && input.lookup.attribute !== 'EventName';
    const first = await searchEvents(
      ctx,
      byEventName ? { attribute: 'EventName', value: input.eventName! } : input.lookup,
      startTime,
    );
    let found = byEventName
      ? first.events.filter((e) => eventMatches(e, input.lookup))
      : first.events;
    const elsewhere = byEventName ? first.events.length - found.length : 0;
    if (
      byEventName &&
      !first.complete &&
      sortEvents(found, input).matching.length < input.minEvents
    ) {
      const second = await searchEvents(ctx, input.lookup, startTime);
      found = union(found, second.events);
    }
    const { named, matching, refused } = sortEvents(found, input);
    const what = [
      input.eventName ?? 'events',
      `with ${input.lookup.attribute} ${input.lookup.value}`,
      input.invokedBy ? `made by ${input.invokedBy}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    const evidence = {
      lookup: input.lookup,
      since: startTime.toISOString(),
      eventsFound: found.length,
      matching: matching.length,
      refused: refused.length,
      sample: [...matching, ...refused].slice(0, 5).map((e) => ({
        name: e.EventName,
        time: e.EventTime ? new Date(e.EventTime).toISOString() : undefined,
        user: e.Username,
        invokedBy: invokedByOf(e),
        errorCode: recordOf(e).errorCode,
      })),
    };
    if (matching.length < input.minEvents) {
      const notes: string[] = [];
      if (refused.length > 0) {
        const codes = [...new Set(refused.map((e) => recordOf(e).errorCode))].join(', ');
        notes.push(`${refused.length} attempt(s) were refused (${codes})`);
      }
      const others = found.filter((e) => !named.includes(e));
      if (others.length > 0) {
        const names = [...new Set(others.map((e) => e.EventName))].slice(0, 5).join(', ');
        notes.push(`${others.length} other event(s) name it: ${names}`);
      }
      if (elsewhere > 0) {
        notes.push(`${elsewhere} ${input.eventName} event(s) name something else`);
      }
      return failed(
        `CloudTrail has ${matching.length} ${what} ${period}; at least ${input.minEvents} expected` +
          (notes.length ? ` (${notes.join('; ')})` : ''),
        evidence,
      );
    }
    return passed(`CloudTrail recorded ${matching.length} ${what}`, evidence);
  },
});
