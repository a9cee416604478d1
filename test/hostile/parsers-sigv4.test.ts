/**
 * Property tests of the SigV4 verifier: random and mutated Authorization headers, dates and
 * presigned parameters are refused with the client's error (4xx AwsError), never anything else;
 * a correctly signed request verifies, and any change to what was signed does not.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkRequest,
  bodyPayloadHash,
  readClaims,
  verifySignature,
  type KnownKey,
} from '../../src/sandbox/auth/sigv4.js';
import { rootCaller } from '../../src/sandbox/core.js';
import { AwsError, type SandboxHttpRequest } from '../../src/sandbox/types.js';

const RUNS = { numRuns: 200 };
const key: KnownKey = { caller: rootCaller('AKIDEXAMPLE'), secretAccessKey: 'secret/key+value' };
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret/key+value' };

/** Runs the header checks and the signature check as the server does; the error, if any. */
async function authenticate(
  req: SandboxHttpRequest,
  now = new Date(),
): Promise<AwsError | undefined> {
  try {
    const claims = readClaims(req);
    if (!claims) return undefined;
    checkRequest(req, claims, key, now);
    await verifySignature(req, claims, key, bodyPayloadHash(req, claims, req.body));
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(AwsError);
    const err = error as AwsError;
    expect(err.status, `${err.code}: ${err.message}`).toBeGreaterThanOrEqual(400);
    expect(err.status, `${err.code}: ${err.message}`).toBeLessThan(500);
    return err;
  }
}

async function signedRequest(
  service: string,
  init: {
    method: string;
    path: string;
    query: Record<string, string>;
    headers: Record<string, string>;
    body: string;
  },
): Promise<SandboxHttpRequest> {
  const signer = new SignatureV4({ service, region: 'us-east-1', sha256: Sha256, credentials });
  const signed = await signer.sign({
    method: init.method,
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 4566,
    path: init.path,
    query: init.query,
    headers: { host: '127.0.0.1:4566', ...init.headers },
    body: init.body,
  });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) headers[k.toLowerCase()] = String(v);
  return {
    method: init.method,
    path: init.path,
    query: new URLSearchParams(init.query),
    headers,
    body: Buffer.from(init.body),
    hostname: '127.0.0.1',
  };
}

const token = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9-]{1,12}$/),
  // Names that are also keys of every plain object.
  fc.constantFrom('toString', 'constructor', 'valueOf', 'hasOwnProperty'),
);
const requestShape = fc.record({
  service: fc.constantFrom('iam', 'sts', 'logs', 'sagemaker'),
  method: fc.constantFrom('GET', 'POST'),
  path: fc.constantFrom('/', '/a', '/a/b'),
  query: fc.dictionary(token, token, { maxKeys: 3 }),
  headers: fc.dictionary(
    token.map((t) => `x-test-${t.toLowerCase()}`),
    token,
    { maxKeys: 3 },
  ),
  body: fc.string({ maxLength: 60 }),
});

describe('the SigV4 verifier', () => {
  it('refuses any Authorization header, date and token it cannot use, with a 4xx', async () => {
    const authorization = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc
        .tuple(
          fc.string({ maxLength: 40 }),
          fc.string({ maxLength: 40 }),
          fc.string({ maxLength: 70 }),
        )
        .map(([c, h, s]) => `AWS4-HMAC-SHA256 Credential=${c}, SignedHeaders=${h}, Signature=${s}`),
      fc
        .tuple(
          fc.constantFrom('20261130', '2026113', 'x'),
          fc.constantFrom('us-east-1', ''),
          fc.constantFrom('iam', 's3', '', '../'),
        )
        .map(
          ([d, r, s]) =>
            `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/${d}/${r}/${s}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
        ),
    );
    const date = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc
        .date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
        .map((d) =>
          d
            .toISOString()
            .replace(/[-:]/g, '')
            .replace(/\.\d{3}/, ''),
        ),
    );
    await fc.assert(
      fc.asyncProperty(
        authorization,
        date,
        fc.option(fc.string({ maxLength: 30 })),
        async (auth, d, sha) => {
          const headers: Record<string, string> = {
            authorization: auth,
            'x-amz-date': d,
            host: '127.0.0.1:4566',
          };
          if (sha !== null) headers['x-amz-content-sha256'] = sha;
          await authenticate({
            method: 'POST',
            path: '/',
            query: new URLSearchParams(),
            headers,
            body: Buffer.alloc(0),
            hostname: '127.0.0.1',
          });
        },
      ),
      RUNS,
    );
  });

  it('accepts a correctly signed request and refuses it once anything signed changes', async () => {
    await fc.assert(
      fc.asyncProperty(
        requestShape,
        fc.constantFrom('signature', 'header', 'path', 'query', 'body', 'method'),
        fc.nat(),
        async (shape, change, seed) => {
          const req = await signedRequest(shape.service, shape);
          expect(await authenticate(req)).toBeUndefined();
          const altered: SandboxHttpRequest = {
            ...req,
            headers: { ...req.headers },
            query: new URLSearchParams(req.query),
          };
          switch (change) {
            case 'signature': {
              const auth = req.headers.authorization!;
              const at = auth.length - 1 - (seed % 64);
              const flipped = auth[at] === '0' ? '1' : '0';
              altered.headers.authorization = auth.slice(0, at) + flipped + auth.slice(at + 1);
              break;
            }
            case 'header':
              altered.headers['x-amz-date'] = req.headers['x-amz-date']!.replace(/\d(?=Z$)/, (d) =>
                String((Number(d) + 1) % 10),
              );
              break;
            case 'path':
              altered.path = `${req.path === '/' ? '' : req.path}/x${seed % 10}`;
              break;
            case 'query':
              altered.query.append(`q${seed % 10}`, 'v');
              break;
            case 'body':
              altered.body = Buffer.concat([req.body, Buffer.from('!')]);
              break;
            case 'method':
              altered.method = req.method === 'GET' ? 'PUT' : 'GET';
              break;
          }
          const err = await authenticate(altered);
          expect(err?.code, change).toBe('SignatureDoesNotMatch');
        },
      ),
      RUNS,
    );
  });

  it('takes a presigned X-Amz-Expires only as an integer from 1 to 604800', async () => {
    const signer = new SignatureV4({
      service: 's3',
      region: 'us-east-1',
      sha256: Sha256,
      credentials,
    });
    const presigned = await signer.presign(
      {
        method: 'GET',
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: 4566,
        path: '/b/k',
        headers: { host: '127.0.0.1:4566' },
      },
      { expiresIn: 3600 },
    );
    const base = new URLSearchParams(presigned.query as Record<string, string>);
    const expires = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.integer({ min: -10, max: 700_000 }).map(String),
      fc.constantFrom(
        'NaN',
        'Infinity',
        '1e3',
        '0x10',
        ' 60',
        '60 ',
        '3600.5',
        '',
        '604800',
        '604801',
      ),
    );
    await fc.assert(
      fc.asyncProperty(expires, async (value) => {
        const query = new URLSearchParams(base);
        query.set('X-Amz-Expires', value);
        const req: SandboxHttpRequest = {
          method: 'GET',
          path: '/b/k',
          query,
          headers: { host: '127.0.0.1:4566' },
          body: Buffer.alloc(0),
          hostname: '127.0.0.1',
        };
        let error: AwsError | undefined;
        try {
          const claims = readClaims(req)!;
          checkRequest(req, claims, { caller: rootCaller() });
        } catch (e) {
          expect(e).toBeInstanceOf(AwsError);
          error = e as AwsError;
        }
        const valid = /^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= 604_800;
        if (valid) expect(error).toBeUndefined();
        else expect(error?.code, value).toBe('AuthorizationQueryParametersError');
      }),
      RUNS,
    );
  });
});
