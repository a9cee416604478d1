/**
 * The awsQuery protocol (IAM, STS): form-encoded parameters in, XML out, both shaped by the
 * service model (lists as `Name.member.N`, maps as `Name.entry.N.key`, flattened variants,
 * locationName), the way AWS and LocalStack's ASF serialize them.
 */
import { XMLBuilder } from 'fast-xml-parser';
import { resolveShape, type ServiceModel, type Shape } from '../models/index.js';
import { AwsError, type ProtocolHandler, type SandboxHttpRequest } from '../types.js';
import { formatIsoTimestamp, parseTimestamp } from './timestamps.js';

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_' });

/** The request's parameters: the form body for POST, the query string for GET. */
export function queryParams(req: SandboxHttpRequest): URLSearchParams {
  const type = req.headers['content-type'] ?? '';
  if (req.method === 'POST' && (type === '' || type.includes('x-www-form-urlencoded'))) {
    const params = new URLSearchParams(req.body.toString('utf8'));
    for (const [k, v] of req.query) if (!params.has(k)) params.set(k, v);
    return params;
  }
  return req.query;
}

export function queryProtocol(model: ServiceModel): ProtocolHandler {
  const ns = model.metadata.xmlNamespace;
  const version = model.metadata.apiVersion;

  function parseMember(params: Map<string, string>, prefix: string, member: Shape): unknown {
    const shape = resolveShape(model, member);
    switch (shape.type) {
      case 'structure': {
        const out: Record<string, unknown> = {};
        for (const [name, m] of Object.entries(shape.members ?? {})) {
          const key = `${prefix}${m.locationName ?? name}`;
          const value = parseMember(params, `${key}.`, m);
          if (value !== undefined) out[name] = value;
          else if (params.has(key) && resolveShape(model, m).type !== 'structure') {
            out[name] = scalar(params.get(key) ?? '', resolveShape(model, m));
          }
        }
        return Object.keys(out).length > 0 ? out : undefined;
      }
      case 'list': {
        const base = prefix.slice(0, -1);
        // `Name=` (no members) is how the SDKs send an empty list.
        if (params.get(base) === '') return [];
        const item = shape.member ?? {};
        const itemPrefix = shape.flattened
          ? `${base}.`
          : `${base}.${item.locationName ?? 'member'}.`;
        const out: unknown[] = [];
        for (let i = 1; ; i++) {
          const key = `${itemPrefix}${i}`;
          const value = params.has(key)
            ? scalar(params.get(key) ?? '', resolveShape(model, item))
            : parseMember(params, `${key}.`, item);
          if (value === undefined) break;
          out.push(value);
        }
        return out.length > 0 ? out : undefined;
      }
      case 'map': {
        const base = prefix.slice(0, -1);
        const entryPrefix = shape.flattened ? `${base}.` : `${base}.entry.`;
        const keyName = shape.key?.locationName ?? 'key';
        const valueName = shape.value?.locationName ?? 'value';
        const out: Record<string, unknown> = {};
        for (let i = 1; params.has(`${entryPrefix}${i}.${keyName}`); i++) {
          const k = params.get(`${entryPrefix}${i}.${keyName}`) ?? '';
          const vKey = `${entryPrefix}${i}.${valueName}`;
          const valueShape = resolveShape(model, shape.value);
          // An own property even for `__proto__`, which `=` would turn into the prototype.
          Object.defineProperty(out, k, {
            value: params.has(vKey)
              ? scalar(params.get(vKey) ?? '', valueShape)
              : parseMember(params, `${vKey}.`, shape.value ?? {}),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
        return Object.keys(out).length > 0 ? out : undefined;
      }
      default:
        return undefined;
    }
  }

  function toXml(value: unknown, member: Shape): unknown {
    if (value === undefined || value === null) return undefined;
    const shape = resolveShape(model, member);
    switch (shape.type) {
      case 'structure': {
        const out: Record<string, unknown> = {};
        const record = value as Record<string, unknown>;
        for (const [name, m] of Object.entries(shape.members ?? {})) {
          const v = record[name];
          if (v === undefined || v === null) continue;
          const mShape = resolveShape(model, m);
          const tag = m.locationName ?? name;
          if (mShape.type === 'list' && mShape.flattened) {
            out[tag] = (v as unknown[]).map((item) => toXml(item, mShape.member ?? {}));
          } else {
            out[tag] = toXml(v, m);
          }
        }
        return out;
      }
      case 'list': {
        const items = (value as unknown[]).map((item) => toXml(item, shape.member ?? {}));
        return items.length > 0 ? { [shape.member?.locationName ?? 'member']: items } : '';
      }
      case 'map': {
        const keyName = shape.key?.locationName ?? 'key';
        const valueName = shape.value?.locationName ?? 'value';
        const entry = Object.entries(value as Record<string, unknown>).map(([k, v]) => ({
          [keyName]: k,
          [valueName]: toXml(v, shape.value ?? {}),
        }));
        return entry.length > 0 ? { entry } : '';
      }
      case 'timestamp':
        return formatIsoTimestamp(value);
      case 'blob':
        return Buffer.from(value as Uint8Array).toString('base64');
      case 'boolean':
        return value ? 'true' : 'false';
      default:
        return String(value);
    }
  }

  function xmlResponse(status: number, root: string, content: Record<string, unknown>) {
    const body = builder.build({ [root]: { '@_xmlns': ns, ...content } }) as string;
    return { status, headers: { 'content-type': 'text/xml' }, body };
  }

  return {
    operation(req) {
      const action = queryParams(req).get('Action');
      if (!action || !model.operations[action]) {
        throw new AwsError(
          'InvalidAction',
          `Could not find operation ${action ?? '(none)'} for version ${version}`,
        );
      }
      return action;
    },
    parse(req, operation) {
      const params = new Map(queryParams(req));
      const input = model.operations[operation]?.input;
      if (!input) return {};
      return (parseMember(params, '', input) as Record<string, unknown> | undefined) ?? {};
    },
    serialize(operation, output, requestId) {
      const op = model.operations[operation];
      const content: Record<string, unknown> = {};
      if (op?.output) {
        const wrapper = op.output.resultWrapper ?? `${operation}Result`;
        content[wrapper] = toXml(output ?? {}, op.output);
      }
      content.ResponseMetadata = { RequestId: requestId };
      return xmlResponse(200, `${operation}Response`, content);
    },
    serializeError(error, requestId) {
      return xmlResponse(error.status, 'ErrorResponse', {
        Error: {
          Type: error.sender ? 'Sender' : 'Receiver',
          Code: error.code,
          Message: error.message,
        },
        RequestId: requestId,
      });
    },
  };

  function scalar(raw: string, shape: Shape): unknown {
    switch (shape.type) {
      case 'integer':
      case 'long':
      case 'float':
      case 'double': {
        const n = Number(raw);
        if (raw === '' || Number.isNaN(n)) {
          throw new AwsError('ValidationError', `Invalid number: ${raw}`);
        }
        return n;
      }
      case 'boolean':
        return raw === 'true';
      case 'timestamp':
        return parseTimestamp(raw);
      case 'blob':
        return Buffer.from(raw, 'base64');
      case 'list':
      case 'map':
      case 'structure':
        return undefined;
      default:
        return raw;
    }
  }
}
