/** IAM-style pagination (Marker / MaxItems / IsTruncated), with an opaque marker. */
import { AwsError } from '../types.js';

/** botocore's iam service-2.json: `maxItemsType` is an integer with min 1 and max 1000. */
const MAX_ITEMS = 1000;

/** What IAM answers for a value outside a member's range (AWS's standard validation text). */
function outOfRange(value: unknown, bound: string): AwsError {
  return new AwsError(
    'ValidationError',
    `1 validation error detected: Value '${String(value)}' at 'maxItems' failed to satisfy constraint: Member must have value ${bound}`,
  );
}

function maxItemsOf(input: Record<string, unknown>, defaultMax: number): number {
  const value = input.MaxItems;
  if (value === undefined || value === null) return defaultMax;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n)) {
    // A non-integer never reaches the range check on AWS: the query parser refuses it first.
    throw new AwsError(
      'ValidationError',
      `1 validation error detected: Value '${String(value)}' at 'maxItems' failed to satisfy constraint: Member must be an integer`,
    );
  }
  if (n < 1) throw outOfRange(value, 'greater than or equal to 1');
  if (n > MAX_ITEMS) throw outOfRange(value, `less than or equal to ${MAX_ITEMS}`);
  return n;
}

const encodeMarker = (position: number) => Buffer.from(String(position)).toString('base64');

/**
 * The position a marker encodes. A marker this sandbox did not issue is `ValidationError:
 * Invalid Marker.`, the text IAM list operations give (as fakecloud's IAM reproduces it,
 * faiscadev/fakecloud#1615), instead of silently restarting at the first page.
 */
function startOf(marker: unknown): number {
  if (marker === undefined || marker === null) return 0;
  const text = String(marker);
  const decoded = Buffer.from(text, 'base64').toString('utf8');
  const position = Number(decoded);
  if (!/^\d+$/.test(decoded) || encodeMarker(position) !== text) {
    throw new AwsError('ValidationError', 'Invalid Marker.');
  }
  return position;
}

export function paginate<T>(
  items: readonly T[],
  input: Record<string, unknown>,
  defaultMax = 100,
): { items: T[]; IsTruncated: boolean; Marker?: string } {
  const max = maxItemsOf(input, defaultMax);
  const start = startOf(input.Marker);
  const page = items.slice(start, start + max);
  const next = start + page.length;
  return next < items.length
    ? { items: page, IsTruncated: true, Marker: encodeMarker(next) }
    : { items: page, IsTruncated: false };
}
