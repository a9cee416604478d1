/**
 * S3's legacy SigV2 query authentication (`?AWSAccessKeyId=&Signature=&Expires=`), which is what
 * boto3's `generate_presigned_url` still produces by default: HMAC-SHA1 over the method,
 * Content-MD5, Content-Type, Expires, the x-amz-* parameters and the resource.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AwsError, type SandboxHttpRequest } from '../types.js';
import { invalidKey, type KnownKey } from './sigv4.js';
import { compareText } from '../../compare-text.js';

/** Sub-resources that are part of SigV2's canonical resource. */
const SUBRESOURCES = new Set([
  'acl',
  'cors',
  'delete',
  'lifecycle',
  'location',
  'logging',
  'notification',
  'partNumber',
  'policy',
  'requestPayment',
  'tagging',
  'torrent',
  'uploadId',
  'uploads',
  'versionId',
  'versioning',
  'versions',
  'website',
  'response-cache-control',
  'response-content-disposition',
  'response-content-encoding',
  'response-content-language',
  'response-content-type',
  'response-expires',
]);

export interface SigV2Claims {
  accessKeyId: string;
  signature: string;
  expires: number;
  sessionToken?: string;
}

export function readV2Claims(req: SandboxHttpRequest): SigV2Claims | undefined {
  const accessKeyId = req.query.get('AWSAccessKeyId');
  const signature = req.query.get('Signature');
  const expires = req.query.get('Expires');
  if (!accessKeyId || !signature || !expires) return undefined;
  return {
    accessKeyId,
    signature,
    expires: Number(expires),
    sessionToken: req.query.get('x-amz-security-token') ?? undefined,
  };
}

export function verifyV2(
  req: SandboxHttpRequest,
  claims: SigV2Claims,
  key: KnownKey,
  now = new Date(),
): void {
  if (key.expiration && key.expiration.getTime() <= now.getTime()) {
    throw new AwsError('ExpiredToken', 'The provided token has expired.', 400);
  }
  if (key.sessionToken !== undefined && claims.sessionToken !== key.sessionToken)
    throw invalidKey('s3');
  if (!(claims.expires * 1000 >= now.getTime()))
    throw new AwsError('AccessDenied', 'Request has expired', 403);
  if (key.secretAccessKey === undefined) return;

  const amz = [...req.query.keys()]
    .filter((k) => k.toLowerCase().startsWith('x-amz-'))
    .sort()
    .map((k) => `${k.toLowerCase()}:${req.query.get(k)}\n`)
    .join('');
  const sub = [...req.query.entries()]
    .filter(([k]) => SUBRESOURCES.has(k))
    .sort(([a], [b]) => compareText(a, b))
    .map(([k, v]) => (v === '' ? k : `${k}=${v}`));
  const resource = req.path + (sub.length > 0 ? `?${sub.join('&')}` : '');
  const stringToSign = [
    req.method,
    req.query.get('content-md5') ?? req.headers['content-md5'] ?? '',
    req.query.get('content-type') ?? req.headers['content-type'] ?? '',
    String(claims.expires),
    `${amz}${resource}`,
  ].join('\n');
  const expected = createHmac('sha1', key.secretAccessKey)
    .update(stringToSign, 'utf8')
    .digest('base64');
  const a = Buffer.from(expected);
  const b = Buffer.from(claims.signature);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new AwsError(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      403,
    );
  }
}
