/**
 * Forgetting records AWS offers no way to delete (a training job), for `labwright reset`:
 * the entries of a service's table whose ARN is named, each handed to `drop` first (to stop
 * its background work).
 */
export function forgetRecords<T extends { arn: string }>(
  table: Record<string, T>,
  arns: ReadonlySet<string>,
  drop: (record: T) => void,
): string[] {
  const forgotten: string[] = [];
  for (const [key, record] of Object.entries(table)) {
    if (!arns.has(record.arn)) continue;
    drop(record);
    delete table[key];
    forgotten.push(record.arn);
  }
  return forgotten;
}
