/** IAM-style pagination (Marker / MaxItems / IsTruncated), with an opaque marker. */

export function paginate<T>(
  items: readonly T[],
  input: Record<string, unknown>,
  defaultMax = 100,
): { items: T[]; IsTruncated: boolean; Marker?: string } {
  const marker = typeof input.Marker === 'string' ? input.Marker : undefined;
  const start = marker ? Number(Buffer.from(marker, 'base64').toString('utf8')) || 0 : 0;
  const max =
    typeof input.MaxItems === 'number' && input.MaxItems > 0 ? input.MaxItems : defaultMax;
  const page = items.slice(start, start + max);
  const next = start + page.length;
  return next < items.length
    ? { items: page, IsTruncated: true, Marker: Buffer.from(String(next)).toString('base64') }
    : { items: page, IsTruncated: false };
}
