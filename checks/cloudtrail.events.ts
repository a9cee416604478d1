import * as z from 'zod';
import { defineCheckSpec, type CheckContext, type CheckType } from './define.js';
import { isUnsupportedOperation } from './support/aws-error.js';
import { errored, failed, passed } from './support/outcome.js';

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

interface EventRecord {
  userIdentity?: { invokedBy?: string; type?: string; principalId?: string };
  sourceIPAddress?: string;
  errorCode?: string;
}

/** Pages of LookupEvents (50 events each) to read before concluding. */
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

/** One page of LookupEvents; undefined when the target has no LookupEvents at all. */
async function lookupPage(
  ctx: CheckContext,
  input: Record<string, unknown>,
): Promise<{ Events?: TrailEvent[]; NextToken?: string } | undefined> {
  try {
    return await ctx.call('cloudtrail', 'LookupEvents', input);
  } catch (error) {
    if (isUnsupportedOperation(error)) return undefined;
    throw error;
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
      const page = await lookupPage(ctx, {
        LookupAttributes: [
          { AttributeKey: input.lookup.attribute, AttributeValue: input.lookup.value },
        ],
        StartTime: startTime,
        MaxResults: 50,
        ...(token ? { NextToken: token } : {}),
      });
      if (!page) {
        return errored(
          'the target does not implement CloudTrail LookupEvents (moto has none), so the event history cannot be checked here; run this step on the sandbox or AWS',
          { lookup: input.lookup },
        );
      }
      found.push(...(page.Events ?? []));
      token = page.NextToken;
      pages++;
    } while (token && pages < MAX_PAGES);
    const named = found.filter(
      (e) =>
        (!input.eventName || e.EventName === input.eventName) &&
        (!input.invokedBy || invokedByOf(e) === input.invokedBy),
    );
    // A refused call is recorded too, with its errorCode: a failed AssumeRole is not the role in use.
    const matching = named.filter((e) => !recordOf(e).errorCode);
    const refused = named.filter((e) => recordOf(e).errorCode);
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
      return failed(
        `CloudTrail has ${matching.length} ${what} in the last ${input.withinMinutes} minutes; at least ${input.minEvents} expected` +
          (notes.length ? ` (${notes.join('; ')})` : ''),
        evidence,
      );
    }
    return passed(`CloudTrail recorded ${matching.length} ${what}`, evidence);
  },
};
