/**
 * Maps keyed by what a caller names (buckets, roles, object keys, log groups, tags, operations).
 * A plain `{}` answers `constructor`, `toString` and `__proto__` from Object.prototype, so a
 * resource with such a name would seem to exist already, and a write to `__proto__` would change
 * every object. A null-prototype object has no such members and still serializes as plain JSON.
 */

/** An empty map with no prototype, typed as a plain record. */
export function dict<T>(entries?: Iterable<readonly [string, T]>): Record<string, T> {
  const map = Object.create(null) as Record<string, T>;
  if (entries) for (const [key, value] of entries) map[key] = value;
  return map;
}

/** A copy of `source` (caller input, or state saved before maps had no prototype) as a dict. */
export function dictOf<T>(source: Record<string, T> | undefined | null): Record<string, T> {
  return dict(source ? Object.entries(source) : []);
}

/** Whether `key` is the map's own entry, never something inherited. */
export function has(map: object | undefined, key: string): boolean {
  return map !== undefined && Object.hasOwn(map, key);
}

/** The map's own entry for `key`, or undefined: `lookup(map, 'constructor')` is never Object. */
export function lookup<T>(map: Record<string, T> | undefined, key: string): T | undefined {
  return map !== undefined && Object.hasOwn(map, key) ? map[key] : undefined;
}
