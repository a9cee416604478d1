/** Put/GetBucketVersioning and ListObjectVersions (versions and delete markers, newest first). */
import type { OperationHandler } from '../../types.js';
import { optNumber, optObject, optString } from '../input.js';
import type { S3Context } from './context.js';
import { invalidArgument, malformedXml } from './errors.js';
import { listContext } from './listing.js';
import { compareKeys, OWNER } from './models.js';
import { allVersions, NULL_VERSION } from './versioning.js';

export function versioningHandlers(s3: S3Context): Record<string, OperationHandler> {
  return {
    async PutBucketVersioning(input, ctx) {
      const bucket = await s3.bucketFor(ctx, input);
      const status = optString(optObject(input, 'VersioningConfiguration') ?? {}, 'Status');
      if (status !== 'Enabled' && status !== 'Suspended') throw malformedXml();
      bucket.versioning = status;
      s3.core.store.changed();
      return {};
    },

    async GetBucketVersioning(input, ctx) {
      const bucket = await s3.bucketFor(ctx, input);
      return { Status: bucket.versioning };
    },

    async ListObjectVersions(input, ctx) {
      const bucket = await s3.bucketFor(ctx, input, listContext(input));
      const prefix = optString(input, 'Prefix') ?? '';
      const maxKeys = optNumber(input, 'MaxKeys') ?? 1000;
      if (maxKeys < 0) {
        throw invalidArgument(
          'Argument maxKeys must be an integer between 0 and 2147483647',
          'maxKeys',
          String(maxKeys),
        );
      }
      const keyMarker = optString(input, 'KeyMarker') || undefined;
      const versionMarker = optString(input, 'VersionIdMarker') || undefined;
      const all = allVersions(bucket, compareKeys).filter((v) => v.key.startsWith(prefix));
      let start = 0;
      if (keyMarker !== undefined) {
        const markerAt = versionMarker
          ? all.findIndex((v) => v.key === keyMarker && v.versionId === versionMarker)
          : -1;
        start =
          markerAt >= 0 ? markerAt + 1 : all.findIndex((v) => compareKeys(v.key, keyMarker) > 0);
        if (start < 0) start = all.length;
      }
      const limit = Math.min(maxKeys, 1000);
      const page = all.slice(start, start + limit);
      const truncated = start + limit < all.length;
      const last = page[page.length - 1];
      // A key's versions are newest first: the first of each key is its latest.
      const entries = page.map((v, i) => ({ v, latest: all[start + i - 1]?.key !== v.key }));
      return {
        Name: bucket.name,
        Prefix: prefix,
        KeyMarker: keyMarker ?? '',
        VersionIdMarker: versionMarker ?? '',
        MaxKeys: maxKeys,
        IsTruncated: truncated,
        NextKeyMarker: truncated ? last?.key : undefined,
        NextVersionIdMarker: truncated ? last?.versionId : undefined,
        Versions: entries.flatMap(({ v, latest }) =>
          v.deleteMarker
            ? []
            : [
                {
                  ETag: v.etag,
                  Size: v.size,
                  StorageClass: 'STANDARD',
                  Key: v.key,
                  VersionId: v.versionId ?? NULL_VERSION,
                  IsLatest: latest,
                  LastModified: new Date(v.lastModified),
                  Owner: OWNER,
                },
              ],
        ),
        DeleteMarkers: entries.flatMap(({ v, latest }) =>
          v.deleteMarker
            ? [
                {
                  Owner: OWNER,
                  Key: v.key,
                  VersionId: v.versionId,
                  IsLatest: latest,
                  LastModified: new Date(v.lastModified),
                },
              ]
            : [],
        ),
      };
    },
  };
}
