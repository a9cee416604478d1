/**
 * S3's REST-XML protocol, driven by the S3 service model: the operation is found from the method,
 * the path (path-style `/bucket/key` or virtual-hosted `bucket.localhost/key`) and the query's
 * subresources; input members come from the URI, query string, headers and payload as their
 * `location` says; output members go back the same way, XML bodies under S3's namespace. Errors
 * are S3's `<Error><Code>..</Code><Message>..</Message>..</Error>`, without a body for HEAD.
 */
import { XMLParser } from 'fast-xml-parser';
import { resolveShape, type Operation, type ServiceModel, type Shape } from '../models/index.js';
import {
  AwsError,
  type ProtocolHandler,
  type SandboxHttpRequest,
  type SandboxHttpResponse,
} from '../types.js';
import { decodeAwsChunked, isAwsChunked } from './aws-chunked.js';
import { randomBytes } from '../ids.js';
import { parseTimestamp } from './timestamps.js';

const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** An S3 error with the extra elements S3 puts beside Code and Message (BucketName, Key, ...). */
export class RestXmlError extends AwsError {
  constructor(
    code: string,
    message: string,
    status: number,
    readonly fields: Record<string, string> = {},
  ) {
    super(code, message, status);
  }
}

/** The root element of each operation's XML output, which the model does not record. */
const OUTPUT_ROOTS: Record<string, string> = {
  ListBuckets: 'ListAllMyBucketsResult',
  ListObjects: 'ListBucketResult',
  ListObjectsV2: 'ListBucketResult',
  DeleteObjects: 'DeleteResult',
  CreateMultipartUpload: 'InitiateMultipartUploadResult',
  CompleteMultipartUpload: 'CompleteMultipartUploadResult',
};

/** Query parameters that carry a presigned URL's signature, never a subresource. */
const SIGNATURE_PARAMS = /^(x-amz-|x-id$|awsaccesskeyid$|signature$|expires$)/i;

type Kind = 'service' | 'bucket' | 'object';

interface Route {
  name: string;
  method: string;
  kind: Kind;
  /** Query literals of the requestUri (`?list-type=2`, `?policy`): value undefined = any. */
  literals: Record<string, string | undefined>;
  operation: Operation;
}

interface Address {
  bucket?: string;
  key?: string;
}

/** The bucket named by a virtual-hosted style host, e.g. `my-bucket.localhost`, if any. */
export function virtualHostBucket(hostname: string): string | undefined {
  const host = hostname.toLowerCase();
  const s3Style =
    /^(.+)\.s3(?:[.-][a-z0-9-]+)?\.(?:localhost(?:\.localstack\.cloud)?|amazonaws\.com)$/.exec(
      host,
    );
  if (s3Style) return s3Style[1];
  const local = /^(.+)\.localhost(?:\.localstack\.cloud)?$/.exec(host);
  if (local && local[1] !== 's3' && !/^s3[.-]/.test(local[1] ?? '')) return local[1];
  return undefined;
}

export function restXmlProtocol(model: ServiceModel): ProtocolHandler {
  const routes = buildRoutes(model);
  const parser = new XMLParser({
    ignoreAttributes: true,
    removeNSPrefix: true,
    parseTagValue: false,
    trimValues: false,
    processEntities: true,
  });

  function address(req: SandboxHttpRequest): Address {
    const decode = (segment: string) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        throw new RestXmlError('InvalidURI', "Couldn't parse the specified URI.", 400, {
          URI: req.path,
        });
      }
    };
    const path = req.path.replace(/^\/+/, '');
    const hosted = virtualHostBucket(req.hostname);
    if (hosted) return { bucket: hosted, key: path ? decode(path) : undefined };
    if (!path) return {};
    const slash = path.indexOf('/');
    if (slash < 0) return { bucket: decode(path) };
    const key = path.slice(slash + 1);
    return { bucket: decode(path.slice(0, slash)), key: key ? decode(key) : undefined };
  }

  function kindOf(addr: Address): Kind {
    return addr.key !== undefined ? 'object' : addr.bucket !== undefined ? 'bucket' : 'service';
  }

  /** How well a route fits: undefined when it cannot be the one; more specific scores higher. */
  function score(route: Route, req: SandboxHttpRequest, kind: Kind): number | undefined {
    if (route.method !== req.method.toUpperCase() || route.kind !== kind) return undefined;
    let points = 0;
    for (const [name, value] of Object.entries(route.literals)) {
      if (!req.query.has(name)) return undefined;
      if (value !== undefined && req.query.get(name) !== value) return undefined;
      points += 2;
    }
    const input = route.operation.input;
    for (const name of input?.required ?? []) {
      const member = resolveShape(model, input?.members?.[name]);
      const where = member.locationName ?? name;
      if (member.location === 'querystring') {
        if (!req.query.has(where)) return undefined;
        points++;
      } else if (member.location === 'header') {
        if (req.headers[where.toLowerCase()] === undefined) return undefined;
        points++;
      }
    }
    return points;
  }

  function allowedQuery(route: Route): Set<string> {
    const names = new Set(Object.keys(route.literals));
    for (const member of Object.values(route.operation.input?.members ?? {})) {
      if (member.location === 'querystring' && member.locationName) names.add(member.locationName);
    }
    return names;
  }

  function findRoute(req: SandboxHttpRequest): Route {
    const kind = kindOf(address(req));
    let best: Route | undefined;
    let bestScore = -1;
    for (const route of routes) {
      const points = score(route, req, kind);
      if (points !== undefined && points > bestScore) {
        best = route;
        bestScore = points;
      }
    }
    const allowed = best ? allowedQuery(best) : new Set<string>();
    const extra = [...req.query.keys()].find((k) => !allowed.has(k) && !SIGNATURE_PARAMS.test(k));
    if (!best || extra !== undefined) {
      const what = extra !== undefined ? `?${extra}` : `${kind}-level ${req.method}`;
      throw new RestXmlError(
        'NotImplemented',
        `The ${req.method} ${what} request is not implemented by the labwright sandbox`,
        501,
      );
    }
    return best;
  }

  function fromText(text: string, shape: Shape): unknown {
    switch (shape.type) {
      case 'integer':
      case 'long':
      case 'float':
      case 'double':
        return Number(text);
      case 'boolean':
        return text.toLowerCase() === 'true';
      case 'timestamp':
        return parseTimestamp(text);
      default:
        return text;
    }
  }

  function fromXml(value: unknown, member: Shape | undefined): unknown {
    const shape = resolveShape(model, member);
    if (value === undefined || value === null) return undefined;
    switch (shape.type) {
      case 'structure': {
        const record = typeof value === 'object' ? (value as Record<string, unknown>) : {};
        const result: Record<string, unknown> = {};
        for (const [name, m] of Object.entries(shape.members ?? {})) {
          const resolved = resolveShape(model, m);
          const raw = record[resolved.locationName ?? name];
          const v =
            resolved.type === 'list' && !resolved.flattened
              ? fromXml(
                  (raw as Record<string, unknown> | undefined)?.[
                    resolveShape(model, resolved.member).locationName ?? 'member'
                  ],
                  m,
                )
              : fromXml(raw, m);
          if (v !== undefined) result[name] = v;
        }
        return result;
      }
      case 'list': {
        const items = Array.isArray(value) ? value : [value];
        return items.map((item) => fromXml(item, shape.member));
      }
      default:
        return typeof value === 'object' ? undefined : fromText(String(value), shape);
    }
  }

  function toXml(name: string, value: unknown, member: Shape | undefined, attrs = ''): string {
    if (value === undefined || value === null) return '';
    const shape = resolveShape(model, member);
    switch (shape.type) {
      case 'structure': {
        const record = value as Record<string, unknown>;
        const members = Object.entries(shape.members ?? {}).filter(([, m]) => !m.location);
        // Members marked xmlAttribute (an ACL grantee's xsi:type) are attributes of the element.
        const attributes = members
          .filter(([n, m]) => m.xmlAttribute && record[n] !== undefined)
          .map(([n, m]) => ` ${m.locationName ?? n}="${escapeXml(String(record[n]))}"`)
          .join('');
        const ns = shape.xmlNamespace;
        const declared =
          attributes && typeof ns === 'object' && ns.prefix && ns.uri
            ? ` xmlns:${ns.prefix}="${ns.uri}"`
            : '';
        const inner = members
          .filter(([, m]) => !m.xmlAttribute)
          .map(([n, m]) => toXml(resolveShape(model, m).locationName ?? n, record[n], m))
          .join('');
        return `<${name}${attrs}${declared}${attributes}>${inner}</${name}>`;
      }
      case 'list': {
        const items = Array.isArray(value) ? value : [value];
        if (shape.flattened) return items.map((item) => toXml(name, item, shape.member)).join('');
        const itemName = resolveShape(model, shape.member).locationName ?? 'member';
        return `<${name}${attrs}>${items.map((item) => toXml(itemName, item, shape.member)).join('')}</${name}>`;
      }
      default:
        return `<${name}${attrs}>${escapeXml(scalarText(value, shape, 'iso8601'))}</${name}>`;
    }
  }

  return {
    operation(req) {
      return findRoute(req).name;
    },

    parse(req, operationName) {
      const operation = model.operations[operationName];
      const inputShape = operation?.input;
      if (!operation || !inputShape) return {};
      let body = req.body;
      let headers = req.headers;
      let decodedLength: number | undefined;
      if (req.blob) {
        // Streamed to the blob store already, aws-chunked framing removed and trailers kept.
        headers = { ...req.headers, ...req.trailers };
        decodedLength = req.blob.size;
      } else if (isAwsChunked(req.headers, req.body)) {
        const decoded = decodeAwsChunked(req.body);
        body = decoded.payload;
        decodedLength = body.length;
        // Trailing checksums travel after the body; they bind to the same members as headers.
        headers = { ...req.headers, ...decoded.trailers };
      }
      const addr = address(req);
      const input: Record<string, unknown> = {};
      for (const [name, m] of Object.entries(inputShape.members ?? {})) {
        const member = resolveShape(model, m);
        const where = member.locationName ?? name;
        switch (member.location) {
          case 'uri':
            input[name] = name === 'Bucket' ? addr.bucket : addr.key;
            break;
          case 'querystring': {
            const raw = req.query.get(where);
            if (raw !== null) input[name] = fromText(raw, member);
            break;
          }
          case 'header': {
            const raw = headers[where.toLowerCase()];
            if (raw !== undefined) input[name] = fromText(raw, member);
            break;
          }
          case 'headers': {
            const prefix = where.toLowerCase();
            const map: Record<string, string> = {};
            for (const [header, v] of Object.entries(headers)) {
              // Own properties even for `x-amz-meta-__proto__`, which `=` would not store.
              if (header.startsWith(prefix)) defineOwn(map, header.slice(prefix.length), v);
            }
            if (Object.keys(map).length) input[name] = map;
            break;
          }
          default:
            break;
        }
      }
      const announced = req.headers['x-amz-decoded-content-length'];
      if (decodedLength !== undefined || announced !== undefined) {
        // The object's length is the decoded payload's, whoever decoded it (the core may have).
        if ('ContentLength' in (inputShape.members ?? {}))
          input.ContentLength = decodedLength ?? body.length;
      }
      if (input.ContentEncoding !== undefined) {
        // aws-chunked describes the transfer, not the object: S3 does not store it.
        const encoding = String(input.ContentEncoding ?? '')
          .split(',')
          .map((e) => e.trim())
          .filter((e) => e && e !== 'aws-chunked')
          .join(',');
        input.ContentEncoding = encoding || undefined;
      }
      const payloadName = inputShape.payload;
      if (payloadName) {
        const payload = resolveShape(model, inputShape.members?.[payloadName]);
        if (payload.type === 'blob') {
          input[payloadName] = req.blob ?? body;
        } else if (payload.type === 'structure') {
          const text = body.toString('utf8').trim();
          if (text) {
            let parsed: Record<string, unknown>;
            if (xmlDepthExceeds(text, MAX_XML_DEPTH)) throw malformedXml();
            try {
              parsed = parser.parse(text, true) as Record<string, unknown>;
            } catch {
              throw malformedXml();
            }
            const root = Object.keys(parsed).find((k) => !k.startsWith('?'));
            input[payloadName] = fromXml(root ? parsed[root] : {}, payload);
          }
        } else if (body.length) {
          input[payloadName] = body.toString('utf8');
        }
      }
      return input;
    },

    serialize(operationName, output, requestId) {
      const operation = model.operations[operationName];
      const outputShape = operation?.output;
      const record = (output ?? {}) as Record<string, unknown>;
      const headers: Record<string, string> = { 'x-amz-request-id': requestId };
      let status = operation?.http?.responseCode ?? 200;
      let body: string | Uint8Array | undefined;
      const bodyMembers: string[] = [];
      for (const [name, m] of Object.entries(outputShape?.members ?? {})) {
        const member = resolveShape(model, m);
        const value = record[name];
        if (value === undefined || value === null) continue;
        const where = (member.locationName ?? name).toLowerCase();
        if (member.location === 'header') {
          headers[where] = scalarText(value, member, 'rfc822');
        } else if (member.location === 'headers') {
          for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
            headers[`${where}${k}`] = String(v);
          }
        } else if (member.location === 'statusCode') {
          status = Number(value);
        } else if (!member.location && name !== outputShape?.payload) {
          bodyMembers.push(name);
        }
      }
      // A ranged GET answers 206 Partial Content; the model has no statusCode member for it.
      if (operationName === 'GetObject' && record.ContentRange !== undefined) status = 206;
      const payloadName = outputShape?.payload;
      if (payloadName) {
        const payload = resolveShape(model, outputShape.members?.[payloadName]);
        const value = record[payloadName];
        if (payload.type === 'blob') {
          body = value === undefined ? undefined : (value as Uint8Array);
        } else if (payload.type === 'structure') {
          if (value !== undefined) {
            body = xmlDocument(
              toXml(
                payload.locationName ?? payloadName,
                value,
                payload,
                ` xmlns="${S3_NAMESPACE}"`,
              ),
            );
            headers['content-type'] = 'application/xml';
          }
        } else if (value !== undefined) {
          body = String(value);
        }
      } else if (operationName === 'GetBucketLocation') {
        // The location is the root element's own text (empty for us-east-1), not a child.
        const location = record.LocationConstraint
          ? escapeXml(String(record.LocationConstraint))
          : '';
        body = xmlDocument(
          `<LocationConstraint xmlns="${S3_NAMESPACE}">${location}</LocationConstraint>`,
        );
        headers['content-type'] = 'application/xml';
      } else if (bodyMembers.length > 0 || OUTPUT_ROOTS[operationName]) {
        const root = OUTPUT_ROOTS[operationName] ?? `${operationName}Result`;
        const onlyBody: Shape = {
          type: 'structure',
          members: Object.fromEntries(
            Object.entries(outputShape?.members ?? {}).filter(([n]) => bodyMembers.includes(n)),
          ),
        };
        body = xmlDocument(toXml(root, record, onlyBody, ` xmlns="${S3_NAMESPACE}"`));
        headers['content-type'] = 'application/xml';
      }
      return { status, headers, body } satisfies SandboxHttpResponse;
    },

    serializeError(error, requestId, operationName) {
      const headers: Record<string, string> = {
        'x-amz-request-id': requestId,
        'x-amz-id-2': hostId(),
      };
      const status = error.status;
      // HEAD responses carry no body: clients see only the status (404 -> NotFound).
      if (operationName && model.operations[operationName]?.http?.method === 'HEAD') {
        return { status, headers };
      }
      const fields = error instanceof RestXmlError ? error.fields : {};
      const extra = Object.entries(fields)
        .map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`)
        .join('');
      headers['content-type'] = 'application/xml';
      return {
        status,
        headers,
        body: xmlDocument(
          `<Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message>${extra}<RequestId>${escapeXml(requestId)}</RequestId><HostId>${headers['x-amz-id-2']}</HostId></Error>`,
        ),
      };
    },
  };
}

/** Stores `value` under `key` as an own property, whatever the key (`__proto__` included). */
export function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** S3's answer to XML it cannot read (the S3 API reference's error table). */
function malformedXml(): RestXmlError {
  return new RestXmlError(
    'MalformedXML',
    'The XML you provided was not well-formed or did not validate against our published schema',
    400,
  );
}

/**
 * How deep a request's XML may nest. S3's documents nest four levels at most
 * (`CompleteMultipartUpload/Part/ETag`); anything far deeper does not validate against its schema
 * and is refused before it is parsed.
 */
export const MAX_XML_DEPTH = 64;

/** Whether XML text nests elements deeper than `max`; linear, no recursion. */
export function xmlDepthExceeds(text: string, max: number): boolean {
  let depth = 0;
  let i = text.indexOf('<');
  while (i >= 0 && i < text.length) {
    const next = text.charCodeAt(i + 1);
    if (next === 0x2f)
      depth--; // </name>
    else if (next !== 0x3f && next !== 0x21) {
      // <name ...> opens unless it closes itself (<name/>); <? and <! open nothing.
      const end = text.indexOf('>', i);
      if (end < 0) return false;
      if (text.charCodeAt(end - 1) !== 0x2f && ++depth > max) return true;
      i = end;
    }
    i = text.indexOf('<', i + 1);
  }
  return false;
}

function buildRoutes(model: ServiceModel): Route[] {
  return Object.entries(model.operations).map(([name, operation]) => {
    const uri = operation.http?.requestUri ?? '/';
    const [path = '/', query = ''] = uri.split('?');
    const literals: Record<string, string | undefined> = {};
    for (const part of query.split('&').filter(Boolean)) {
      const [k = '', v] = part.split('=');
      literals[k] = v;
    }
    const kind: Kind = path.includes('{Key+}')
      ? 'object'
      : path.includes('{Bucket}')
        ? 'bucket'
        : 'service';
    return { name, method: operation.http?.method ?? 'POST', kind, literals, operation };
  });
}

function scalarText(value: unknown, shape: Shape, defaultTime: 'iso8601' | 'rfc822'): string {
  switch (shape.type) {
    case 'timestamp': {
      const date = value instanceof Date ? value : new Date(value as string | number);
      const format = shape.timestampFormat ?? defaultTime;
      if (format === 'rfc822') return date.toUTCString();
      if (format === 'unixTimestamp') return String(Math.floor(date.getTime() / 1000));
      return date.toISOString();
    }
    case 'boolean':
      return value ? 'true' : 'false';
    case 'blob':
      return Buffer.from(value as Uint8Array).toString('base64');
    default:
      return String(value);
  }
}

function xmlDocument(root: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${root}`;
}

function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\r/g, '&#13;');
}

/** S3's x-amz-id-2: an opaque base64 host id. */
function hostId(): string {
  return randomBytes(48).toString('base64');
}
