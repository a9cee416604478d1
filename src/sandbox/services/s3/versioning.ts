/**
 * Object versions, as S3 keeps them once a bucket's versioning was ever set: each key has its
 * versions newest first, a delete leaves a delete marker, and `bucket.objects` keeps the current
 * version of each key (none when a marker is current), so reads and listings of the current
 * state stay one lookup. An object written before versioning is the `null` version; while
 * versioning is Suspended a write or delete replaces the `null` version.
 */
import { dict, lookup } from '../../dict.js';
import type { SandboxCore } from '../../types.js';
import { invalidVersionId, noSuchVersion } from './errors.js';
import type { Bucket, ObjectVersion, S3Object } from './models.js';

export const NULL_VERSION = 'null';

/** A key's versions, seeded with its pre-versioning object (the `null` version) on first use. */
function versionsOf(bucket: Bucket, key: string): ObjectVersion[] {
  const all = (bucket.versions ??= dict());
  let versions = lookup(all, key);
  if (!versions) {
    const current = lookup(bucket.objects, key);
    if (current) current.versionId ??= NULL_VERSION;
    versions = current ? [current] : [];
    all[key] = versions;
  }
  return versions;
}

/** The version id a write or delete marker gets now (a fresh one, or `null` while Suspended). */
function nextVersionId(core: SandboxCore, bucket: Bucket): string {
  return bucket.versioning === 'Enabled' ? core.ids.opaqueId() : NULL_VERSION;
}

/**
 * Makes `object` the current version of its key; returns the blobs no version refers to any more
 * (a replaced object on an unversioned bucket, a replaced `null` version while Suspended).
 */
export function putVersion(core: SandboxCore, bucket: Bucket, object: S3Object): string[] {
  if (!bucket.versioning) {
    const previous = lookup(bucket.objects, object.key);
    bucket.objects[object.key] = object;
    return previous && previous.blob !== object.blob ? [previous.blob] : [];
  }
  const versions = versionsOf(bucket, object.key);
  object.versionId = nextVersionId(core, bucket);
  const dropped = dropNullVersion(versions, object.versionId);
  versions.unshift(object);
  bucket.objects[object.key] = object;
  return dropped;
}

/** While Suspended, the new `null` version replaces the old one. */
function dropNullVersion(versions: ObjectVersion[], versionId: string): string[] {
  if (versionId !== NULL_VERSION) return [];
  const index = versions.findIndex((v) => v.versionId === NULL_VERSION);
  if (index < 0) return [];
  const [old] = versions.splice(index, 1);
  return old && !old.deleteMarker ? [old.blob] : [];
}

export interface Removal {
  /** Blobs no version refers to any more. */
  released: string[];
  versionId?: string;
  deleteMarker?: boolean;
}

/**
 * DeleteObject: without a version id, the current object goes (unversioned) or a delete marker
 * becomes current (versioned); with one, that version goes for good.
 */
export function removeObject(
  core: SandboxCore,
  bucket: Bucket,
  key: string,
  versionId: string | undefined,
): Removal {
  if (!bucket.versioning && versionId === undefined) {
    const previous = lookup(bucket.objects, key);
    if (!previous) return { released: [] };
    delete bucket.objects[key];
    return { released: [previous.blob] };
  }
  const versions = versionsOf(bucket, key);
  if (versionId === undefined) {
    const id = nextVersionId(core, bucket);
    const released = dropNullVersion(versions, id);
    versions.unshift({
      deleteMarker: true,
      key,
      versionId: id,
      lastModified: new Date(core.now()).toISOString(),
    });
    delete bucket.objects[key];
    return { released, versionId: id, deleteMarker: true };
  }
  const index = versions.findIndex((v) => v.versionId === versionId);
  // S3 answers a delete of a version that is not there with success, as for a missing key.
  if (index < 0) {
    if (versionId !== NULL_VERSION && !/^[A-Za-z0-9._-]+$/.test(versionId)) {
      throw invalidVersionId(versionId);
    }
    return { released: [], versionId };
  }
  const [removed] = versions.splice(index, 1);
  if (index === 0) {
    const head = versions[0];
    if (head && !head.deleteMarker) bucket.objects[key] = head;
    else delete bucket.objects[key];
  }
  if (versions.length === 0) delete bucket.versions?.[key];
  return removed?.deleteMarker
    ? { released: [], versionId, deleteMarker: true }
    : { released: removed ? [removed.blob] : [], versionId };
}

/** The version `versionId` of a key (an object or a marker); NoSuchVersion otherwise. */
export function findVersion(bucket: Bucket, key: string, versionId: string): ObjectVersion {
  const current = lookup(bucket.objects, key);
  const versions = lookup(bucket.versions, key);
  const found = versions
    ? versions.find((v) => v.versionId === versionId)
    : current && versionId === NULL_VERSION && current.versionId === undefined
      ? current
      : undefined;
  if (found) return found;
  if (versionId !== NULL_VERSION && !/^[A-Za-z0-9._-]+$/.test(versionId)) {
    throw invalidVersionId(versionId);
  }
  throw noSuchVersion(key, versionId);
}

/** Whether the current version of a key is a delete marker. */
export function deleteMarkerIsCurrent(bucket: Bucket, key: string): boolean {
  return lookup(bucket.versions, key)?.[0]?.deleteMarker === true;
}

/** Every version of every key, keys in S3's order and each key's versions newest first. */
export function allVersions(
  bucket: Bucket,
  compareKeys: (a: string, b: string) => number,
): ObjectVersion[] {
  const keys = new Set([...Object.keys(bucket.objects), ...Object.keys(bucket.versions ?? {})]);
  const out: ObjectVersion[] = [];
  for (const key of [...keys].sort(compareKeys)) {
    const versions = lookup(bucket.versions, key);
    if (versions) out.push(...versions);
    else {
      const current = lookup(bucket.objects, key);
      if (current) out.push({ ...current, versionId: current.versionId ?? NULL_VERSION });
    }
  }
  return out;
}
