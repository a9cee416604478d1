/**
 * The JSON 1.1 protocol (SageMaker, CloudWatch Logs, CloudTrail): `X-Amz-Target:
 * Prefix.Operation`, a JSON body in and out, timestamps as epoch seconds and blobs as base64,
 * as the service model's shapes say; errors as `{"__type": ..., "message": ...}`.
 */
import { resolveShape, type ServiceModel, type Shape } from '../models/index.js';
import { AwsError, type ProtocolHandler } from '../types.js';
import { formatEpochSeconds, parseTimestamp } from './timestamps.js';

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
        return Object.fromEntries(
          Object.entries(value as Record<string, unknown>).map(([k, v]) => [
            k,
            convert(v, shape.value, out),
          ]),
        );
      case 'timestamp':
        return out ? formatEpochSeconds(value) : parseTimestamp(value);
      case 'blob':
        return out
          ? Buffer.from(value as Uint8Array).toString('base64')
          : Buffer.from(String(value), 'base64');
      default:
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
