/** KMS list pagination: Limit (1 to 1000), an opaque Marker in, NextMarker and Truncated out. */
import { decodeToken, encodeToken } from '../input.js';
import { AwsError } from '../../types.js';
import { memberValidation } from './errors.js';

export function page<T>(
  items: readonly T[],
  input: Record<string, unknown>,
  defaultLimit: number,
): { items: T[]; Truncated: boolean; NextMarker?: string } {
  const limit = input.Limit === undefined ? defaultLimit : Number(input.Limit);
  if (!Number.isInteger(limit) || limit < 1) {
    throw memberValidation(
      'limit',
      input.Limit,
      'Member must have value greater than or equal to 1',
    );
  }
  if (limit > 1000) {
    throw memberValidation(
      'limit',
      input.Limit,
      'Member must have value less than or equal to 1000',
    );
  }
  const marker = typeof input.Marker === 'string' ? input.Marker : undefined;
  const decoded = decodeToken(marker, 'InvalidMarkerException', 'Invalid marker');
  const start = decoded === undefined ? 0 : Number(decoded);
  if (!Number.isInteger(start) || start < 0) {
    throw new AwsError('InvalidMarkerException', 'Invalid marker');
  }
  const items_ = items.slice(start, start + limit);
  const next = start + items_.length;
  return next < items.length
    ? { items: items_, Truncated: true, NextMarker: encodeToken(String(next)) }
    : { items: items_, Truncated: false };
}
