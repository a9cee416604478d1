/**
 * SigV4 verification: the signature of an incoming request is recomputed with
 * @smithy/signature-v4 (the signer the AWS SDK itself uses) over exactly the headers the client
 * signed, and compared. Header auth and presigned (query) auth; S3's UNSIGNED-PAYLOAD,
 * literal payload hashes and aws-chunked streaming bodies (the seed signature is verified here;
 * the chunks are decoded by S3's protocol, src/sandbox/protocol/aws-chunked.ts).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { HttpRequest } from '@smithy/types';
import { AwsError, type Caller, type SandboxHttpRequest } from '../types.js';

const ALGORITHM = 'AWS4-HMAC-SHA256';
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

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
  expiresSeconds?: number;
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
      expiresSeconds: Number(req.query.get('X-Amz-Expires') ?? '3600'),
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

/** The payload hash the client signed: its header, or UNSIGNED-PAYLOAD for presigned S3 URLs. */
async function payloadHash(
  req: SandboxHttpRequest,
  claims: SigV4Claims,
  rawBody: Buffer,
): Promise<string> {
  const declared = req.headers['x-amz-content-sha256'];
  if (declared) {
    if (/^[0-9a-f]{64}$/.test(declared)) {
      const actual = sha256Hex(rawBody);
      if (actual !== declared) {
        throw new AwsError(
          'XAmzContentSHA256Mismatch',
          "The provided 'x-amz-content-sha256' header does not match what was computed.",
        );
      }
    }
    return declared;
  }
  if (claims.presigned && s3Style(claims.service)) return 'UNSIGNED-PAYLOAD';
  return rawBody.length === 0 ? EMPTY_SHA256 : sha256Hex(rawBody);
}

function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
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

/**
 * Verifies the request's signature for a key the sandbox issued. Keys with no secret on record
 * (the root's `test` and any key the sandbox did not issue) are accepted with any secret.
 * `rawBody` is the body as sent (aws-chunked framing included), which the seed signature covers.
 */
export async function verifySignature(
  req: SandboxHttpRequest,
  claims: SigV4Claims,
  key: KnownKey,
  rawBody: Buffer,
  now = new Date(),
): Promise<void> {
  if (key.expiration && key.expiration.getTime() <= now.getTime()) throw expired(claims.service);
  if (key.sessionToken !== undefined && claims.sessionToken !== key.sessionToken) {
    throw invalidKey(claims.service);
  }
  if (claims.presigned) {
    const signedAt = parseLongDate(claims.longDate).getTime();
    if (signedAt + (claims.expiresSeconds ?? 3600) * 1000 < now.getTime()) {
      throw new AwsError('AccessDenied', 'Request has expired', 403);
    }
  }
  if (key.secretAccessKey === undefined) return;

  const canonicalHeaders: Record<string, string> = {};
  for (const name of claims.signedHeaders) {
    const value = req.headers[name];
    if (value === undefined) throw signatureMismatch(claims.service);
    canonicalHeaders[name] = value.trim().replace(/\s+/g, ' ');
  }
  const query: Record<string, string | string[]> = {};
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
  const expected = await verifier.expectedSignature(
    request,
    canonicalHeaders,
    await payloadHash(req, claims, rawBody),
    claims,
  );
  const a = Buffer.from(expected);
  const b = Buffer.from(claims.signature);
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw signatureMismatch(claims.service);
}
