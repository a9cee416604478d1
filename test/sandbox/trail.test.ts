/**
 * The trail's bound: CloudTrail's event history keeps the newest MAX_EVENTS events, in order,
 * whatever it is asked for (LookupEvents, a snapshot, a reset's removal) and however many came.
 */
import { describe, expect, it } from 'vitest';
import { EventLog, MAX_EVENTS, type TrailEvent } from '../../src/sandbox/trail.js';

const event = (n: number): TrailEvent => ({
  eventVersion: '1.08',
  userIdentity: { type: 'Root' },
  eventTime: new Date(1_790_000_000_000 + n * 1000).toISOString(),
  eventSource: 'iam.amazonaws.com',
  eventName: n % 2 === 0 ? 'GetRole' : 'CreateRole',
  awsRegion: 'us-east-1',
  sourceIPAddress: '127.0.0.1',
  userAgent: 'test',
  requestParameters: { roleName: `role-${n}` },
  responseElements: null,
  requestID: `request-${n}`,
  eventID: `event-${n}`,
  readOnly: n % 2 === 0,
  eventType: 'AwsApiCall',
  managementEvent: true,
  recipientAccountId: '000000000000',
  eventCategory: 'Management',
});

const ids = (events: readonly TrailEvent[]) => events.map((e) => e.eventID);
const range = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `event-${from + i}`);

describe('the trail', () => {
  it('keeps exactly the newest events past its bound, at every count', () => {
    const log = new EventLog();
    const total = MAX_EVENTS + 2_345;
    for (let n = 0; n < total; n++) {
      log.append(event(n));
      // Read at counts on both sides of the bound and between batch drops.
      if (n + 1 === MAX_EVENTS || n + 1 === MAX_EVENTS + 1 || n + 1 === MAX_EVENTS + 999) {
        const kept = log.all();
        expect(kept).toHaveLength(MAX_EVENTS);
        expect(kept[0]!.eventID).toBe(`event-${n + 1 - MAX_EVENTS}`);
        expect(kept.at(-1)!.eventID).toBe(`event-${n}`);
      }
    }
    expect(ids(log.all())).toEqual(range(total - MAX_EVENTS, total));
    expect(ids(log.newestFirst())).toEqual(range(total - MAX_EVENTS, total).reverse());
    expect(log.encoded().map((text) => (JSON.parse(text) as TrailEvent).eventID)).toEqual(
      range(total - MAX_EVENTS, total),
    );
  });

  it('removes only among the events it keeps, and counts those', () => {
    const log = new EventLog();
    const total = MAX_EVENTS + 500;
    for (let n = 0; n < total; n++) log.append(event(n));
    // Events 0..499 were dropped: removing every CreateRole counts the kept ones only.
    const removed = log.remove((e) => e.eventName === 'CreateRole');
    expect(removed).toBe(MAX_EVENTS / 2);
    expect(log.all()).toHaveLength(MAX_EVENTS / 2);
    expect(log.all()[0]!.eventID).toBe('event-500');
  });

  it("starts from a snapshot's events, keeping the newest", () => {
    const initial = Array.from({ length: MAX_EVENTS + 10 }, (_, n) => event(n));
    expect(ids(new EventLog(initial).all())).toEqual(range(10, MAX_EVENTS + 10));
  });
});
