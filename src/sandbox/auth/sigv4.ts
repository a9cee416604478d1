/**
 * SigV4 verification: the signature of an incoming request is recomputed with
 * @smithy/signature-v4 (the signer the AWS SDK itself uses) over exactly the headers the client
 * signed, and compared. Header auth and presigned (query) auth; S3's UNSIGNED-PAYLOAD,
 * literal payload hashes and aws-chunked streaming bodies (the seed signature is verified here;
 * the chunks are decoded by S3's protocol, src/sandbox/protocol/aws-chunked.ts).
 *
 * Everything here works from the headers and the query alone, so the server authenticates a
 * request before it reads a byte of its body: `checkRequest` (credentials, clock, expiry,
 * payload-hash rules), then `verifySignature` with the payload hash the client declared (S3) or
 * the body's own hash once the (size-capped) body is read (every other service).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { HttpRequest } from '@smithy/types';
import { RestXmlError } from '../protocol/rest-xml.js';
import { AwsError, type Caller, type SandboxHttpRequest } from '../types.js';

const ALGORITHM = 'AWS4-HMAC-SHA256';
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** AWS accepts a request signed up to 15 minutes before or after its own clock. */
export const MAX_SKEW_MS = 15 * 60 * 1000;
/** A presigned URL lives at most a week (SigV4's X-Amz-Expires limit). */
export const MAX_PRESIGNED_SECONDS = 604_800;
/** The payload hashes only S3 accepts instead of the body's SHA-256. */
const S3_PAYLOAD_HASHES = new Set([
  'UNSIGNED-PAYLOAD',
  'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
  'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD',
  'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER',
]);

/** What the Authorization header or the presigned query says. */
export interface SigV4Claims {
  accessKeyId: string;
  date: string; // yyyymmdd
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  /** x-amz-date / X-Amz-Date, `yyyymmddThhmmssZ` */
  longDate: string;
  presigned: boolean;
  /** X-Amz-Expires as sent (presigned only), checked by checkRequest. */
  expires?: string;
  sessionToken?: string;
}

/** How the sandbox knows an access key: its secret (undefined: any secret is accepted). */
export interface KnownKey {
  caller: Caller;
  secretAccessKey?: string;
  sessionToken?: string;
  expiration?: Date;
}

/** Reads the SigV4 claims of a request; undefined when it is not signed at all. */
export function readClaims(req: SandboxHttpRequest): SigV4Claims | undefined {
  const auth = req.headers['authorization'];
  if (auth) {
    if (!auth.startsWith(ALGORITHM)) {
      throw new AwsError(
        'IncompleteSignature',
        `Unsupported authorization type: ${auth.split(' ')[0]}`,
        403,
      );
    }
    const fields = new Map<string, string>();
    for (const part of auth.slice(ALGORITHM.length).split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
    const credential = fields.get('Credential');
    const signedHeaders = fields.get('SignedHeaders');
    const signature = fields.get('Signature');
    if (!credential || !signedHeaders || !signature) {
      throw new AwsError(
        'IncompleteSignature',
        `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters. Authorization=${auth}`,
        403,
      );
    }
    return {
      ...scope(credential),
      signedHeaders: signedHeaders.split(';'),
      signature,
      longDate: req.headers['x-amz-date'] ?? '',
      presigned: false,
      sessionToken: req.headers['x-amz-security-token'],
    };
  }
  const credential = req.query.get('X-Amz-Credential');
  if (credential && req.query.get('X-Amz-Algorithm') === ALGORITHM) {
    return {
      ...scope(credential),
      signedHeaders: (req.query.get('X-Amz-SignedHeaders') ?? 'host').split(';'),
      signature: req.query.get('X-Amz-Signature') ?? '',
      longDate: req.query.get('X-Amz-Date') ?? '',
      presigned: true,
      expires: req.query.get('X-Amz-Expires') ?? undefined,
      sessionToken: req.query.get('X-Amz-Security-Token') ?? undefined,
    };
  }
  return undefined;
}

function scope(credential: string) {
  const [accessKeyId = '', date = '', region = '', service = '', terminator] =
    credential.split('/');
  if (!accessKeyId || terminator !== 'aws4_request') {
    throw new AwsError(
      'IncompleteSignature',
      `Credential should be scoped to a valid region.`,
      403,
    );
  }
  return { accessKeyId, date, region, service };
}

interface Verifier {
  expectedSignature(
    request: HttpRequest,
    canonicalHeaders: Record<string, string>,
    payloadHash: string,
    claims: SigV4Claims,
  ): Promise<string>;
}

/**
 * The SDK's own signer, with its canonical-request steps exposed to check a signature. Loaded
 * on first use: the root's requests (any secret) never need it.
 */
let verifierClass:
  | Promise<
      new (init: {
        service: string;
        region: string;
        secretAccessKey: string;
        accessKeyId: string;
        uriEscapePath: boolean;
      }) => Verifier
    >
  | undefined;

function loadVerifier() {
  verifierClass ??= Promise.all([
    import('@smithy/signature-v4'),
    import('@aws-crypto/sha256-js'),
  ]).then(
    ([{ SignatureV4 }, { Sha256 }]) =>
      class extends SignatureV4 implements Verifier {
        constructor(init: {
          service: string;
          region: string;
          secretAccessKey: string;
          accessKeyId: string;
          uriEscapePath: boolean;
        }) {
          super({
            service: init.service,
            region: init.region,
            sha256: Sha256,
            credentials: { accessKeyId: init.accessKeyId, secretAccessKey: init.secretAccessKey },
            uriEscapePath: init.uriEscapePath,
            applyChecksum: false,
          });
        }

        async expectedSignature(
          request: HttpRequest,
          canonicalHeaders: Record<string, string>,
          payloadHash: string,
          claims: SigV4Claims,
        ): Promise<string> {
          const canonical = this.createCanonicalRequest(request, canonicalHeaders, payloadHash);
          const scopeText = `${claims.date}/${claims.region}/${claims.service}/aws4_request`;
          const stringToSign = await this.createStringToSign(
            claims.longDate,
            scopeText,
            canonical,
            ALGORITHM,
          );
          return this.sign(stringToSign, {
            signingDate: parseLongDate(claims.longDate),
            signingRegion: claims.region,
            signingService: claims.service,
          });
        }
      },
  );
  return verifierClass;
}

function parseLongDate(longDate: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(longDate);
  if (!m)
    throw new AwsError(
      'IncompleteSignature',
      `Date must be in ISO-8601 'basic format'. Got '${longDate}'.`,
      403,
    );
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

function s3Style(service: string): boolean {
  return service === 's3';
}

function signatureMismatch(service: string): AwsError {
  return s3Style(service)
    ? new AwsError(
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
        403,
      )
    : new AwsError(
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
        403,
      );
}

export function invalidKey(service: string): AwsError {
  return s3Style(service)
    ? new AwsError(
        'InvalidAccessKeyId',
        'The AWS Access Key Id you provided does not exist in our records.',
        403,
      )
    : new AwsError(
        'InvalidClientTokenId',
        'The security token included in the request is invalid.',
        403,
      );
}

function expired(service: string): AwsError {
  return s3Style(service)
    ? new AwsError('ExpiredToken', 'The provided token has expired.', 400)
    : new AwsError('ExpiredToken', 'The security token included in the request is expired', 403);
}

/** `yyyymmddThhmmssZ`, as SigV4 writes times. */
function longDateOf(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

/**
 * A request signed too long before or after the sandbox's clock. S3 answers
 * RequestTimeTooSkewed with the two times and the allowed skew (the S3 API reference's error
 * table: "The difference between the request time and the current time is too large.", 403);
 * the query and JSON services answer as their front end words it, e.g. `Signature expired:
 * 20141106T010406Z is now earlier than 20141106T011252Z (20141106T011752Z - 5 min.)` (quoted
 * from an EC2 answer in the BOSH AWS CPI docs; IAM, STS and the JSON services allow 15 minutes),
 * SignatureDoesNotMatch (403) for query services, InvalidSignatureException (400) for JSON ones.
 */
function skewed(service: string, signedAt: Date, longDate: string, now: Date): AwsError {
  if (s3Style(service)) {
    return new RestXmlError(
      'RequestTimeTooSkewed',
      'The difference between the request time and the current time is too large.',
      403,
      {
        RequestTime: longDate,
        ServerTime: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
        MaxAllowedSkewMilliseconds: String(MAX_SKEW_MS),
      },
    );
  }
  const message =
    signedAt.getTime() < now.getTime()
      ? `Signature expired: ${longDate} is now earlier than ${longDateOf(new Date(now.getTime() - MAX_SKEW_MS))} (${longDateOf(now)} - 15 min.)`
      : `Signature not yet current: ${longDate} is still later than ${longDateOf(new Date(now.getTime() + MAX_SKEW_MS))} (${longDateOf(now)} + 15 min.)`;
  return service === 'iam' || service === 'sts'
    ? new AwsError('SignatureDoesNotMatch', message, 403)
    : new AwsError('InvalidSignatureException', message, 400);
}

/**
 * X-Amz-Expires must be an integer from 1 to 604800. S3's texts (AuthorizationQueryParametersError,
 * 400), as S3 itself and the emulators that copy it (moto, MinIO, versitygw) word them.
 */
function presignedLifetime(claims: SigV4Claims): number {
  const raw = claims.expires;
  if (raw === undefined) {
    if (s3Style(claims.service)) {
      throw new AwsError(
        'AuthorizationQueryParametersError',
        'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
        400,
      );
    }
    return 900;
  }
  const bad = (message: string) => new AwsError('AuthorizationQueryParametersError', message, 400);
  if (!/^-?\d+$/.test(raw)) throw bad('X-Amz-Expires should be a number');
  const seconds = Number(raw);
  if (seconds < 1) throw bad('X-Amz-Expires must be non-negative');
  if (seconds > MAX_PRESIGNED_SECONDS) {
    throw bad(
      'X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds',
    );
  }
  return seconds;
}

/**
 * What can be checked before the body is read: the key's expiry and session token, the request
 * time against the clock (15 minutes either way), a presigned URL's lifetime, and which payload
 * hashes the service accepts. Throws the service's own error.
 */
export function checkRequest(
  req: SandboxHttpRequest,
  claims: SigV4Claims,
  key: KnownKey,
  now = new Date(),
): void {
  if (key.expiration && key.expiration.getTime() <= now.getTime()) throw expired(claims.service);
  if (key.sessionToken !== undefined && claims.sessionToken !== key.sessionToken) {
    throw invalidKey(claims.service);
  }
  const signedAt = parseLongDate(claims.longDate);
  if (claims.presigned) {
    const lifetime = presignedLifetime(claims);
    if (signedAt.getTime() - now.getTime() > MAX_SKEW_MS) {
      throw new AwsError('AccessDenied', 'Request is not valid yet', 403);
    }
    if (signedAt.getTime() + lifetime * 1000 < now.getTime()) {
      throw new AwsError('AccessDenied', 'Request has expired', 403);
    }
  } else if (Math.abs(now.getTime() - signedAt.getTime()) > MAX_SKEW_MS) {
    throw skewed(claims.service, signedAt, claims.longDate, now);
  }
  declaredPayloadHash(req, claims);
}

/**
 * The payload hash the client declared in x-amz-content-sha256 (presigned S3 URLs:
 * UNSIGNED-PAYLOAD), or undefined when it declared none and the body's own hash is what it signed.
 * Only S3 accepts UNSIGNED-PAYLOAD and the STREAMING-* forms; any other service computes the hash
 * of the body it received, so such a request cannot match (SignatureDoesNotMatch).
 */
export function declaredPayloadHash(
  req: SandboxHttpRequest,
  claims: SigV4Claims,
): string | undefined {
  const declared = req.headers['x-amz-content-sha256'];
  if (!s3Style(claims.service)) {
    if (declared !== undefined && !/^[0-9a-f]{64}$/.test(declared)) {
      throw signatureMismatch(claims.service);
    }
    return declared;
  }
  if (declared === undefined) return claims.presigned ? 'UNSIGNED-PAYLOAD' : undefined;
  if (!/^[0-9a-f]{64}$/.test(declared) && !S3_PAYLOAD_HASHES.has(declared)) {
    // moto's and LocalStack's wording of S3's answer to an unknown x-amz-content-sha256.
    throw new AwsError(
      'InvalidArgument',
      'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value.',
      400,
    );
  }
  return declared;
}

/** The body did not hash to what the client declared: S3's XAmzContentSHA256Mismatch. */
export function payloadMismatch(service: string): AwsError {
  return s3Style(service)
    ? new AwsError(
        'XAmzContentSHA256Mismatch',
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
      )
    : signatureMismatch(service);
}

/**
 * The payload hash to verify a body read into memory with: the body's own SHA-256, which must
 * equal any hash the client declared, except that S3 takes UNSIGNED-PAYLOAD and STREAMING-*
 * as declared (the aws-chunked seed signature covers the declaration, not the bytes).
 */
export function bodyPayloadHash(
  req: SandboxHttpRequest,
  claims: SigV4Claims,
  body: Buffer,
): string {
  const actual = body.length === 0 ? EMPTY_SHA256 : sha256Hex(body);
  const declared = declaredPayloadHash(req, claims);
  if (declared === undefined) return actual;
  if (/^[0-9a-f]{64}$/.test(declared) || !s3Style(claims.service)) {
    if (declared !== actual) throw payloadMismatch(claims.service);
    return actual;
  }
  return declared;
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Verifies the request's signature for a key the sandbox issued, given the payload hash the
 * client signed (declared, or computed from the body). Keys with no secret on record (the root's
 * `test` and any key the sandbox did not issue) are accepted with any secret. Call checkRequest
 * first.
 */
export async function verifySignature(
  req: SandboxHttpRequest,
  claims: SigV4Claims,
  key: KnownKey,
  payloadHash: string,
): Promise<void> {
  if (key.secretAccessKey === undefined) return;

  // Keyed by names the client chose (`__proto__`, `toString`): no prototype to collide with.
  const canonicalHeaders: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const name of claims.signedHeaders) {
    const value = req.headers[name];
    if (value === undefined) throw signatureMismatch(claims.service);
    canonicalHeaders[name] = value.trim().replace(/\s+/g, ' ');
  }
  const query = Object.create(null) as Record<string, string | string[]>;
  for (const [k, v] of req.query) {
    if (claims.presigned && k === 'X-Amz-Signature') continue;
    const prior = query[k];
    query[k] = prior === undefined ? v : Array.isArray(prior) ? [...prior, v] : [prior, v];
  }
  const request: HttpRequest = {
    method: req.method,
    protocol: 'http:',
    hostname: req.hostname,
    path: req.path,
    query,
    headers: canonicalHeaders,
  };
  const Verifier = await loadVerifier();
  const verifier = new Verifier({
    service: claims.service,
    region: claims.region,
    accessKeyId: claims.accessKeyId,
    secretAccessKey: key.secretAccessKey,
    uriEscapePath: !s3Style(claims.service),
  });
  const expected = await verifier.expectedSignature(request, canonicalHeaders, payloadHash, claims);
  const a = Buffer.from(expected);
  const b = Buffer.from(claims.signature);
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw signatureMismatch(claims.service);
}
