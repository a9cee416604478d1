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
    expect(log.since(undefined)).toEqual({ events: log.all(), whole: true });
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

  it('tells a snapshot what it recorded since the last one, or that all must be saved again', () => {
    const log = new EventLog([event(0), event(1)]);
    const start = log.mark();
    expect(log.since(start)).toEqual({ events: [], whole: false });
    for (let n = 2; n < 7; n++) log.append(event(n));
    expect(ids(log.since(start).events)).toEqual(range(2, 7));
    const later = log.mark();
    // More than the trail keeps since the mark: the kept events, each once.
    for (let n = 7; n < MAX_EVENTS + 1_500; n++) log.append(event(n));
    const since = log.since(later);
    expect(since.whole).toBe(false);
    expect(ids(since.events)).toEqual(range(1_500, MAX_EVENTS + 1_500));
    // A removal changes what was saved before: everything kept goes again.
    const marked = log.mark();
    log.remove((e) => e.eventID === 'event-2000');
    expect(log.since(marked).whole).toBe(true);
    expect(log.since(marked).events).toHaveLength(MAX_EVENTS - 1);
    log.clear();
    expect(log.since(log.mark())).toEqual({ events: [], whole: false });
  });

  it("starts from a snapshot's events, keeping the newest", () => {
    const initial = Array.from({ length: MAX_EVENTS + 10 }, (_, n) => event(n));
    expect(ids(new EventLog(initial).all())).toEqual(range(10, MAX_EVENTS + 10));
  });
});
