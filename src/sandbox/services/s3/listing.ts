/** ListObjects and ListObjectsV2: keys in UTF-8 order, common prefixes, pages of at most 1000. */
import { listingContext } from '../../../iam/request-context.js';
import { lookup } from '../../dict.js';
import { type Input, optNumber, optString } from '../input.js';
import { s3Error as err } from './errors.js';
import { compareKeys, OWNER, type Bucket, type S3Object } from './models.js';

/** The page of `bucket` after the key `after`, with what the two List operations each add. */
export function listObjects(bucket: Bucket, input: Input, after: string | undefined) {
  const prefix = optString(input, 'Prefix') ?? '';
  const delimiter = optString(input, 'Delimiter') || undefined;
  const maxKeys = optNumber(input, 'MaxKeys') ?? 1000;
  if (maxKeys < 0) {
    throw err(
      'InvalidArgument',
      'Argument maxKeys must be an integer between 0 and 2147483647',
      400,
      {
        ArgumentName: 'maxKeys',
        ArgumentValue: String(maxKeys),
      },
    );
  }
  const contents: S3Object[] = [];
  const prefixes: string[] = [];
  let last: string | undefined;
  let truncated = false;
  const keys = Object.keys(bucket.objects).sort(compareKeys);
  for (const key of keys) {
    if (!key.startsWith(prefix)) continue;
    if (
      after !== undefined &&
      (compareKeys(key, after) <= 0 ||
        (delimiter && after.endsWith(delimiter) && key.startsWith(after)))
    ) {
      continue;
    }
    const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    const entry = cut >= 0 ? key.slice(0, cut + (delimiter?.length ?? 0)) : key;
    if (cut >= 0 && prefixes[prefixes.length - 1] === entry) continue;
    // S3 never returns more than 1000 entries a page, whatever MaxKeys asks for.
    if (contents.length + prefixes.length >= Math.min(maxKeys, 1000)) {
      truncated = true;
      break;
    }
    if (cut >= 0) prefixes.push(entry);
    else contents.push(lookup(bucket.objects, key) as S3Object);
    last = entry;
  }
  const encode = input.EncodingType === 'url';
  const enc = (s: string | undefined) =>
    s === undefined ? undefined : encode ? encodeURIComponent(s).replace(/%2F/g, '/') : s;
  return {
    page: {
      Name: bucket.name,
      Prefix: enc(prefix),
      Delimiter: enc(delimiter),
      MaxKeys: maxKeys,
      EncodingType: encode ? 'url' : undefined,
      IsTruncated: truncated,
      Contents: contents.length
        ? contents.map((o) => ({
            Key: enc(o.key),
            LastModified: new Date(o.lastModified),
            ETag: o.etag,
            Size: o.size,
            StorageClass: 'STANDARD',
            Owner: input.FetchOwner === false ? undefined : OWNER,
          }))
        : undefined,
      CommonPrefixes: prefixes.length ? prefixes.map((p) => ({ Prefix: enc(p) })) : undefined,
    },
    count: contents.length + prefixes.length,
    last: truncated ? last : undefined,
    enc,
  };
}

/** Condition keys S3 sets for listings (one builder with the checks': src/iam/request-context.ts). */
export function listContext(input: Input): Record<string, string> | undefined {
  const context = listingContext({
    prefix: optString(input, 'Prefix'),
    delimiter: optString(input, 'Delimiter'),
    maxKeys: optString(input, 'MaxKeys'),
  });
  return Object.keys(context).length ? context : undefined;
}
