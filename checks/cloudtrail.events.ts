import { z } from 'zod';
import { defineCheckSpec, type CheckType } from './define.js';
import { failed, passed } from './support/outcome.js';

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
  EventName?: string;
  EventTime?: Date;
  Username?: string;
  EventSource?: string;
  CloudTrailEvent?: string;
}

/** Pages of LookupEvents (50 events each) to read before concluding. */
const MAX_PAGES = 5;

/** The service that made the call on the student's behalf, from the event record. */
function invokedByOf(event: TrailEvent): string | undefined {
  if (!event.CloudTrailEvent) return undefined;
  try {
    const record = JSON.parse(event.CloudTrailEvent) as {
      userIdentity?: { invokedBy?: string; type?: string; principalId?: string };
      sourceIPAddress?: string;
    };
    const identity = record.userIdentity;
    if (identity?.invokedBy) return identity.invokedBy;
    // AssumeRole by a service records the service as the identity and the source address.
    if (identity?.type === 'AWSService') return identity.principalId ?? record.sourceIPAddress;
    return /\.amazonaws\.com$/.test(record.sourceIPAddress ?? '')
      ? record.sourceIPAddress
      : undefined;
  } catch {
    return undefined;
  }
}

export const cloudtrailEventsCheck: CheckType<typeof cloudtrailEvents.with> = {
  ...cloudtrailEvents,
  async run(input, ctx) {
    const startTime = new Date(Date.now() - input.withinMinutes * 60_000);
    const found: TrailEvent[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await ctx.call<{ Events?: TrailEvent[]; NextToken?: string }>(
        'cloudtrail',
        'LookupEvents',
        {
          LookupAttributes: [
            { AttributeKey: input.lookup.attribute, AttributeValue: input.lookup.value },
          ],
          StartTime: startTime,
          MaxResults: 50,
          ...(token ? { NextToken: token } : {}),
        },
      );
      found.push(...(page.Events ?? []));
      token = page.NextToken;
      pages++;
    } while (token && pages < MAX_PAGES);
    const matching = found.filter(
      (e) =>
        (!input.eventName || e.EventName === input.eventName) &&
        (!input.invokedBy || invokedByOf(e) === input.invokedBy),
    );
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
      sample: matching.slice(0, 5).map((e) => ({
        name: e.EventName,
        time: e.EventTime ? new Date(e.EventTime).toISOString() : undefined,
        user: e.Username,
        invokedBy: invokedByOf(e),
      })),
    };
    if (matching.length < input.minEvents) {
      const others = found.length
        ? ` (${found.length} other event(s) with that ${input.lookup.attribute}: ${[...new Set(found.map((e) => e.EventName))].slice(0, 5).join(', ')})`
        : '';
      return failed(
        `CloudTrail has ${matching.length} ${what} in the last ${input.withinMinutes} minutes; at least ${input.minEvents} expected${others}`,
        evidence,
      );
    }
    return passed(`CloudTrail recorded ${matching.length} ${what}`, evidence);
  },
};
