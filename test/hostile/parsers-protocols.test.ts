/**
 * Property tests of the wire protocols (query, JSON 1.1, REST-XML, aws-chunked): random and
 * mutated requests are either parsed or refused with an AwsError the client caused (4xx, or S3's
 * 501 NotImplemented for what the sandbox does not serve), quickly, never anything else; and the
 * error always serializes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { serviceModel } from '../../src/sandbox/models/index.js';
import { AwsChunkedDecoder, decodeAwsChunked } from '../../src/sandbox/protocol/aws-chunked.js';
import { jsonProtocol } from '../../src/sandbox/protocol/json.js';
import { queryProtocol } from '../../src/sandbox/protocol/query.js';
import { restXmlProtocol } from '../../src/sandbox/protocol/rest-xml.js';
import {
  AwsError,
  type ProtocolHandler,
  type SandboxHttpRequest,
} from '../../src/sandbox/types.js';

const RUNS = { numRuns: 300 };
/** Any one parse must take far less than this, whatever the input. */
const SLOW_MS = 1000;

/** Runs operation + parse as the server does; returns the error the client would see, if any. */
function exercise(protocol: ProtocolHandler, req: SandboxHttpRequest): AwsError | undefined {
  const started = performance.now();
  let failure: AwsError | undefined;
  let operation: string | undefined;
  try {
    operation = protocol.operation(req);
    protocol.parse(req, operation);
  } catch (error) {
    if (!(error instanceof AwsError)) throw error;
    failure = error;
  }
  expect(performance.now() - started).toBeLessThan(SLOW_MS);
  if (failure) {
    const clientError =
      (failure.status >= 400 && failure.status < 500) ||
      (failure.status === 501 && failure.code === 'NotImplemented');
    expect(clientError, `${failure.code} ${failure.status}: ${failure.message}`).toBe(true);
    const response = protocol.serializeError(failure, 'request-id', operation);
    expect(response.status).toBe(failure.status);
  }
  return failure;
}

function request(
  init: Partial<Omit<SandboxHttpRequest, 'body'>> & { body?: Buffer | string },
): SandboxHttpRequest {
  return {
    method: init.method ?? 'POST',
    path: init.path ?? '/',
    query: init.query ?? new URLSearchParams(),
    headers: init.headers ?? {},
    body: Buffer.isBuffer(init.body) ? init.body : Buffer.from(init.body ?? '', 'utf8'),
    hostname: init.hostname ?? '127.0.0.1',
  };
}

/** JSON nested `depth` deep, as arrays or objects. */
const deepJson = fc
  .tuple(fc.integer({ min: 1, max: 30_000 }), fc.boolean())
  .map(([depth, arrays]) =>
    arrays
      ? `${'['.repeat(depth)}1${']'.repeat(depth)}`
      : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
  );

/** A string with a few characters changed, dropped or repeated. */
function mutated(source: string) {
  return fc
    .array(
      fc.tuple(
        fc.nat({ max: Math.max(0, source.length - 1) }),
        fc.constantFrom('delete', 'insert', 'repeat'),
        fc.string({ maxLength: 3 }),
      ),
      { minLength: 1, maxLength: 4 },
    )
    .map((edits) => {
      let text = source;
      for (const [at, how, what] of edits) {
        const i = Math.min(at, text.length);
        if (how === 'delete') text = text.slice(0, i) + text.slice(i + 1);
        else if (how === 'insert') text = text.slice(0, i) + what + text.slice(i);
        else text = text.slice(0, i) + text.slice(i, i + 20).repeat(50) + text.slice(i);
      }
      return text;
    });
}

describe('the JSON 1.1 protocol', () => {
  const protocols = (['logs', 'sagemaker', 'cloudtrail'] as const).map((s) => ({
    service: s,
    protocol: jsonProtocol(serviceModel(s)),
    model: serviceModel(s),
  }));
  const target = fc.constantFrom(
    ...protocols.flatMap(({ model, service }) =>
      Object.keys(model.operations).map((op) => ({
        service,
        target: `${model.metadata.targetPrefix}.${op}`,
      })),
    ),
  );

  it('parses or refuses any body, any JSON value, any depth', () => {
    const body = fc.oneof(
      fc.json({ maxDepth: 6 }),
      fc.string({ maxLength: 300 }),
      deepJson,
      fc
        .constantFrom(
          '{"logGroupName":"g","tags":{"k":"v"}}',
          '{"TrainingJobName":"j","HyperParameters":{"a":"1"}}',
        )
        .chain(mutated),
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
    );
    fc.assert(
      fc.property(target, body, ({ service, target: t }, text) => {
        const { protocol } = protocols.find((p) => p.service === service)!;
        exercise(protocol, request({ headers: { 'x-amz-target': t }, body: text }));
      }),
      RUNS,
    );
  });

  it('names unknown targets UnknownOperationException', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (t) => {
        exercise(protocols[0]!.protocol, request({ headers: { 'x-amz-target': t }, body: '{}' }));
      }),
      RUNS,
    );
  });
});

describe('the query protocol', () => {
  const iam = queryProtocol(serviceModel('iam'));
  const sts = queryProtocol(serviceModel('sts'));
  const names = fc.constantFrom(
    'Action',
    'Version',
    'RoleName',
    'PolicyArn',
    'PolicyDocument',
    'AssumeRolePolicyDocument',
    'MaxItems',
    'Marker',
    'DurationSeconds',
    'Tags.member.1.Key',
    'Tags.member.1.Value',
    'Tags.member.2.Key',
    'PolicyArns.member.1.arn',
    'Tags',
    'Tags.member',
    '__proto__',
    'constructor',
  );
  const action = fc.constantFrom(
    ...Object.keys(serviceModel('iam').operations),
    ...Object.keys(serviceModel('sts').operations),
    'Nope',
    '',
  );
  const value = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.integer().map(String),
    fc.constantFrom('true', 'NaN', '-5', '1e309', '2026-01-01T00:00:00Z', ''),
    deepJson,
  );

  it('parses or refuses any form body', () => {
    fc.assert(
      fc.property(
        action,
        fc.array(fc.tuple(fc.oneof(names, fc.string({ maxLength: 30 })), value), { maxLength: 12 }),
        fc.boolean(),
        (act, pairs, useSts) => {
          const form = new URLSearchParams([
            ['Action', act],
            ['Version', useSts ? '2011-06-15' : '2010-05-08'],
            ...pairs,
          ]);
          exercise(
            useSts ? sts : iam,
            request({
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: form.toString(),
            }),
          );
        },
      ),
      RUNS,
    );
  });

  it('parses or refuses any bytes as a form', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
          mutated(
            'Action=CreateRole&Version=2010-05-08&RoleName=r&Tags.member.1.Key=k&MaxItems=5',
          ).map((t) => Buffer.from(t)),
        ),
        (body) => {
          exercise(
            iam,
            request({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }),
          );
        },
      ),
      RUNS,
    );
  });
});

describe('the REST-XML protocol (S3)', () => {
  const s3 = restXmlProtocol(serviceModel('s3'));
  const complete =
    '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"abc"</ETag></Part></CompleteMultipartUpload>';
  const del = '<Delete><Object><Key>a</Key></Object><Quiet>true</Quiet></Delete>';

  it('routes and parses or refuses any method, path, query and body', () => {
    const method = fc.constantFrom('GET', 'PUT', 'POST', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS');
    const path = fc.oneof(
      fc.constantFrom(
        '/',
        '/b',
        '/b/',
        '/b/k',
        '/b/a%2Fb',
        '/b/%',
        '/b/%E0%A4%A',
        '//',
        '/b/k/../x',
      ),
      fc.string({ maxLength: 40 }).map((s) => `/${s}`),
    );
    const query = fc.array(
      fc.tuple(
        fc.oneof(
          fc.constantFrom(
            'uploads',
            'uploadId',
            'partNumber',
            'delete',
            'policy',
            'list-type',
            'location',
            'prefix',
            'max-keys',
            'x-id',
          ),
          fc.string({ maxLength: 10 }),
        ),
        fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('2', '-1', 'NaN', '10001')),
      ),
      { maxLength: 4 },
    );
    const body = fc.oneof(
      fc.constant(''),
      fc.string({ maxLength: 200 }),
      mutated(complete),
      mutated(del),
      fc
        .integer({ min: 1, max: 20_000 })
        .map((d) => `<Delete>${'<Object>'.repeat(d)}${'</Object>'.repeat(d)}</Delete>`),
      fc.constant(
        '<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><Delete>&b;</Delete>',
      ),
    );
    const headers = fc.dictionary(
      fc.constantFrom(
        'content-md5',
        'x-amz-copy-source',
        'range',
        'content-type',
        'x-amz-meta-a',
        'content-length',
        'x-amz-decoded-content-length',
        'content-encoding',
        'x-amz-content-sha256',
      ),
      fc.oneof(
        fc.string({ maxLength: 20 }),
        fc.constantFrom('aws-chunked', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'bytes=0-', '5'),
      ),
    );
    fc.assert(
      fc.property(method, path, query, body, headers, (m, p, q, b, h) => {
        exercise(
          s3,
          request({ method: m, path: p, query: new URLSearchParams(q), body: b, headers: h }),
        );
      }),
      RUNS,
    );
  });
});

describe('aws-chunked decoding', () => {
  /** A payload framed as aws-chunked, with optional trailers. */
  const framed = fc
    .tuple(fc.array(fc.uint8Array({ minLength: 1, maxLength: 64 }), { maxLength: 6 }), fc.boolean())
    .map(([chunks, signed]) => {
      const sig = signed ? ';chunk-signature=' + 'a'.repeat(64) : '';
      const parts = chunks.map((c) =>
        Buffer.concat([
          Buffer.from(`${c.length.toString(16)}${sig}\r\n`),
          Buffer.from(c),
          Buffer.from('\r\n'),
        ]),
      );
      const body = Buffer.concat([
        ...parts,
        Buffer.from(`0${sig}\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n`),
      ]);
      return { body, payload: Buffer.concat(chunks.map((c) => Buffer.from(c))) };
    });

  it('decodes a framed body split anywhere, as the whole-body decoder does', () => {
    fc.assert(
      fc.property(framed, fc.array(fc.nat(), { maxLength: 8 }), ({ body, payload }, cuts) => {
        const points = [...new Set(cuts.map((c) => c % (body.length + 1)))].sort((a, b) => a - b);
        const decoder = new AwsChunkedDecoder(true);
        const out: Buffer[] = [];
        let from = 0;
        for (const point of [...points, body.length]) {
          out.push(...decoder.push(body.subarray(from, point)));
          from = point;
        }
        out.push(...decoder.end());
        expect(Buffer.concat(out)).toEqual(payload);
        expect(decoder.trailers['x-amz-checksum-crc32']).toBe('AAAAAA==');
        expect(decodeAwsChunked(body).payload).toEqual(payload);
      }),
      RUNS,
    );
  });

  it('refuses broken framing with IncompleteBody only', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          framed
            .chain(({ body }) => mutated(body.toString('latin1')))
            .map((t) => Buffer.from(t, 'latin1')),
          fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
        ),
        (body) => {
          for (const run of [
            () => {
              const decoder = new AwsChunkedDecoder(true);
              decoder.push(body);
              decoder.end();
            },
            () => decodeAwsChunked(body),
          ]) {
            try {
              run();
            } catch (error) {
              expect(error).toBeInstanceOf(AwsError);
              expect((error as AwsError).code).toBe('IncompleteBody');
            }
          }
        },
      ),
      RUNS,
    );
  });
});
