/** Timestamps as the protocols exchange them: ISO 8601 for XML, epoch seconds for JSON. */

function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value * 1000);
  return new Date(String(value));
}

/** `2026-11-29T03:30:00Z`, as IAM and STS write them (no milliseconds). */
export function formatIsoTimestamp(value: unknown): string {
  return toDate(value)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z');
}

/** Epoch seconds (fractional), as JSON 1.1 services write them. */
export function formatEpochSeconds(value: unknown): number {
  return toDate(value).getTime() / 1000;
}

/** Accepts ISO 8601, RFC 822 or epoch seconds (number or numeric string). */
export function parseTimestamp(raw: unknown): Date {
  if (raw instanceof Date) return raw;
  if (typeof raw === 'number') return new Date(raw * 1000);
  const text = String(raw);
  if (/^\d+(\.\d+)?$/.test(text)) return new Date(Number(text) * 1000);
  return new Date(text);
}
