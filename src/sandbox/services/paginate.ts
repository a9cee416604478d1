/**
 * Pagination, declared once per token style: IAM's Marker / MaxItems / IsTruncated with an opaque
 * marker, and the JSON services' NextToken naming an offset (each service's own token form).
 */
import { AwsError } from '../types.js';
import { constraint, validationError } from './errors.js';

/** botocore's iam service-2.json: `maxItemsType` is an integer with min 1 and max 1000. */
const MAX_ITEMS = 1000;

function maxItemsOf(input: Record<string, unknown>, defaultMax: number): number {
  const value = input.MaxItems;
  if (value === undefined || value === null) return defaultMax;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n)) {
    // A non-integer never reaches the range check on AWS: the query parser refuses it first.
    throw validationError('maxItems', value, constraint.integer, 'ValidationError');
  }
  if (n < 1 || n > MAX_ITEMS) {
    throw validationError(
      'maxItems',
      value,
      constraint.inRange(n, 1, MAX_ITEMS),
      'ValidationError',
    );
  }
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

/**
 * The JSON services' style: `NextToken` (or `nextToken`) names the offset to resume from, in a
 * form of the service's own. The style says how an offset reads as a token and back; a token the
 * style cannot read throws the service's error.
 */
export interface OffsetTokenStyle {
  encode(offset: number): string;
  decode(token: string | undefined): number;
}

/** SageMaker's tokens: the offset as plain digits; anything else starts from the beginning. */
export const plainOffsetTokens: OffsetTokenStyle = {
  encode: (offset) => String(offset),
  decode: (token) => Number(token ?? '0') || 0,
};

/** `size` items from the token's offset, and the token of the next page if there is one. */
export function offsetPage<T>(
  items: readonly T[],
  token: string | undefined,
  size: number,
  style: OffsetTokenStyle,
): { items: T[]; next?: string } {
  const offset = style.decode(token);
  const page = items.slice(offset, offset + size);
  return offset + size < items.length
    ? { items: page, next: style.encode(offset + size) }
    : { items: page };
}

/**
 * A page size member (`MaxResults`, `limit`): its default when absent, AWS's validation error
 * (with the member's wire name and the service's code) when outside `1..max`.
 */
export function pageSize(
  value: number | undefined,
  member: string,
  bounds: { default: number; max: number; code: string; integer?: boolean },
): number {
  if (value === undefined) return bounds.default;
  if (value < 1 || value > bounds.max || (bounds.integer && !Number.isInteger(value))) {
    throw validationError(member, value, constraint.inRange(value, 1, bounds.max), bounds.code);
  }
  return value;
}
