/**
 * The names S3 accepts for a general purpose bucket, as the S3 User Guide's "General purpose
 * bucket naming rules" (docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html)
 * list them. Anything else is refused with S3's `InvalidBucketName: The specified bucket is not
 * valid.` (the S3 API reference's error code list), before the name reaches any table.
 */

/** 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit. */
const SHAPE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IP_ADDRESS = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
/** Reserved for punycode (xn--), S3's own endpoints (sthree-) and AWS's documentation examples. */
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
/** Reserved for access point and Object Lambda aliases, Multi-Region Access Points, directory and table buckets. */
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

export function isValidBucketName(name: string): boolean {
  return (
    SHAPE.test(name) &&
    // Adjacent periods, and a dash beside a period, make a name no DNS label can carry.
    !name.includes('..') &&
    !name.includes('.-') &&
    !name.includes('-.') &&
    !IP_ADDRESS.test(name) &&
    !RESERVED_PREFIXES.some((prefix) => name.startsWith(prefix)) &&
    !RESERVED_SUFFIXES.some((suffix) => name.endsWith(suffix))
  );
}
