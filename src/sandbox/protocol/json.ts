/**
 * The JSON 1.1 protocol (SageMaker, CloudWatch Logs, CloudTrail): `X-Amz-Target:
 * Prefix.Operation`, a JSON body in and out, timestamps as epoch seconds and blobs as base64,
 * as the service model's shapes say; errors as `{"__type": ..., "message": ...}`.
 */
import { resolveShape, type ServiceModel, type Shape } from '../models/index.js';
import { AwsError, type ProtocolHandler } from '../types.js';
import { formatEpochSeconds, parseTimestamp } from './timestamps.js';

/**
 * How deep a request's JSON may nest. AWS publishes no figure; its Java front ends parse with
 * Jackson, whose StreamReadConstraints allow 1000 levels by default, and no model here nests
 * more than a dozen. Deeper bodies are refused before they are parsed.
 */
export const MAX_JSON_DEPTH = 1000;

/** Whether JSON text nests deeper than `max` (strings skipped); linear, no recursion. */
export function jsonDepthExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/**
 * Coral's SerializationException texts for a value of the wrong kind, as AWS's JSON services
 * answer them (e.g. `{"__type":"SerializationException","Message":"Start of structure or map
 * found where not expected."}`).
 */
function wrongKind(value: unknown): AwsError {
  return new AwsError(
    'SerializationException',
    Array.isArray(value)
      ? 'Start of list found where not expected'
      : typeof value === 'object'
        ? 'Start of structure or map found where not expected.'
        : `${typeof value === 'string' ? 'STRING' : typeof value === 'number' ? 'NUMBER' : 'BOOLEAN'}_VALUE can not be converted to the expected type`,
  );
}

export function jsonProtocol(model: ServiceModel): ProtocolHandler {
  const prefix = model.metadata.targetPrefix ?? '';
  const contentType = `application/x-amz-json-${model.metadata.jsonVersion ?? '1.1'}`;

  /** Walks a value along its shape, converting timestamps and blobs in the given direction. */
  function convert(value: unknown, member: Shape | undefined, out: boolean): unknown {
    if (value === undefined || value === null) return undefined;
    const shape = resolveShape(model, member);
    switch (shape.type) {
      case 'structure': {
        if (typeof value !== 'object' || Array.isArray(value)) {
          throw new AwsError('SerializationException', 'Expected a structure');
        }
        const record = value as Record<string, unknown>;
        const result: Record<string, unknown> = {};
        for (const [name, m] of Object.entries(shape.members ?? {})) {
          const key = out ? name : (m.locationName ?? name);
          const v = convert(record[out ? name : key], m, out);
          if (v !== undefined) result[key] = v;
        }
        return result;
      }
      case 'list':
        if (!Array.isArray(value)) throw new AwsError('SerializationException', 'Expected a list');
        return value.map((item) => convert(item, shape.member, out));
      case 'map':
        if (!out && (typeof value !== 'object' || Array.isArray(value))) throw wrongKind(value);
        return Object.fromEntries(
          Object.entries(value as Record<string, unknown>).map(([k, v]) => [
            k,
            convert(v, shape.value, out),
          ]),
        );
      case 'timestamp':
        if (!out && typeof value === 'object') throw wrongKind(value);
        return out ? formatEpochSeconds(value) : parseTimestamp(value);
      case 'blob':
        if (!out && typeof value !== 'string') throw wrongKind(value);
        return out
          ? Buffer.from(value as Uint8Array).toString('base64')
          : Buffer.from(String(value), 'base64');
      case 'boolean':
        if (!out && typeof value !== 'boolean') throw wrongKind(value);
        return value;
      case 'integer':
      case 'long':
      case 'float':
      case 'double':
        if (!out && typeof value !== 'number') throw wrongKind(value);
        return value;
      default:
        // Strings: an object or list here would reach the state unchecked, whatever its depth.
        if (!out && typeof value === 'object') throw wrongKind(value);
        return value;
    }
  }

  return {
    operation(req) {
      const target = req.headers['x-amz-target'] ?? '';
      const dot = target.lastIndexOf('.');
      const operation = target.slice(dot + 1);
      const sent = target.slice(0, dot);
      // Newer SDKs send the short target (`CloudTrail_20131101`) of a namespaced prefix.
      const known = sent === prefix || prefix.endsWith(`.${sent}`);
      if (dot < 0 || !known || !model.operations[operation]) {
        throw new AwsError(
          'UnknownOperationException',
          `Unknown operation ${operation || target || '(none)'}`,
        );
      }
      return operation;
    },
    parse(req, operation) {
      const text = req.body.toString('utf8').trim();
      let body: unknown = {};
      if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
        throw new AwsError(
          'SerializationException',
          `Document nesting depth exceeds the maximum allowed (${MAX_JSON_DEPTH})`,
        );
      }
      try {
        body = text ? JSON.parse(text) : {};
      } catch {
        throw new AwsError(
          'SerializationException',
          'Start of structure or map found where not expected.',
        );
      }
      const input = model.operations[operation]?.input;
      if (!input) return {};
      return (convert(body, input, false) as Record<string, unknown> | undefined) ?? {};
    },
    serialize(operation, output) {
      const shape = model.operations[operation]?.output;
      const body = shape ? convert(output ?? {}, shape, true) : {};
      return { status: 200, headers: { 'content-type': contentType }, body: JSON.stringify(body) };
    },
    serializeError(error) {
      return {
        status: error.status,
        headers: { 'content-type': contentType, 'x-amzn-errortype': error.code },
        body: JSON.stringify({ __type: error.code, message: error.message }),
      };
    },
  };
}
