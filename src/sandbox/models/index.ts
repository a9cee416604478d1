/**
 * The AWS service models (extracted from aws-sdk v2 by scripts/extract-models.mjs), which drive
 * the generic protocol layers: shapes decide how lists, maps, timestamps and blobs travel.
 */
import { dictOf } from '../dict.js';
import type { ServiceName } from '../types.js';
import iam from './iam.json' with { type: 'json' };
import sts from './sts.json' with { type: 'json' };
import s3 from './s3.json' with { type: 'json' };
import sagemaker from './sagemaker.json' with { type: 'json' };
import logs from './logs.json' with { type: 'json' };
import cloudtrail from './cloudtrail.json' with { type: 'json' };
import kms from './kms.json' with { type: 'json' };

/** A shape, or a member's reference to one (`shape`) with member-level traits. */
export interface Shape {
  type?:
    | 'structure'
    | 'list'
    | 'map'
    | 'string'
    | 'integer'
    | 'long'
    | 'float'
    | 'double'
    | 'boolean'
    | 'timestamp'
    | 'blob';
  shape?: string;
  members?: Record<string, Shape>;
  member?: Shape;
  key?: Shape;
  value?: Shape;
  required?: string[];
  flattened?: boolean;
  locationName?: string;
  queryName?: string;
  location?: 'header' | 'headers' | 'uri' | 'querystring' | 'statusCode';
  timestampFormat?: 'iso8601' | 'unixTimestamp' | 'rfc822';
  resultWrapper?: string;
  payload?: string;
  streaming?: boolean;
  xmlNamespace?: { uri?: string; prefix?: string } | string;
  xmlAttribute?: boolean;
  jsonvalue?: boolean;
  enum?: string[];
  [trait: string]: unknown;
}

export interface Operation {
  name: string;
  http?: { method?: string; requestUri?: string; responseCode?: number };
  input?: Shape;
  output?: Shape;
  errors?: Shape[];
  [trait: string]: unknown;
}

export interface ServiceModel {
  metadata: {
    apiVersion: string;
    endpointPrefix: string;
    protocol: string;
    jsonVersion?: string;
    targetPrefix?: string;
    xmlNamespace?: string;
    signingName?: string;
    serviceId: string;
    [key: string]: unknown;
  };
  operations: Record<string, Operation>;
  shapes: Record<string, Shape>;
}

/**
 * Protocols look operations up by the name a request gives (`Action=constructor`): tables
 * without a prototype answer only the model's own operations and shapes.
 */
function model(json: unknown): ServiceModel {
  const parsed = json as ServiceModel;
  return { ...parsed, operations: dictOf(parsed.operations), shapes: dictOf(parsed.shapes) };
}

const MODELS: Record<ServiceName, ServiceModel> = {
  iam: model(iam),
  sts: model(sts),
  s3: model(s3),
  sagemaker: model(sagemaker),
  logs: model(logs),
  cloudtrail: model(cloudtrail),
  kms: model(kms),
};

export function serviceModel(service: ServiceName): ServiceModel {
  return MODELS[service];
}

/**
 * Resolves a member to its full shape: the referenced named shape with the member's own traits
 * (locationName, flattened, location, ...) laid over it. A shape without `type` is a string.
 */
export function resolveShape(model: ServiceModel, member: Shape | undefined): Shape {
  if (!member) return { type: 'string' };
  // Resolved once per member: every request of an operation walks the same members.
  let resolved = RESOLVED.get(member);
  if (!resolved) {
    resolved = resolveUncached(model, member);
    RESOLVED.set(member, resolved);
  }
  return resolved;
}

/** Members are the models' own objects, which live as long as the process. */
const RESOLVED = new WeakMap<Shape, Shape>();

function resolveUncached(model: ServiceModel, member: Shape): Shape {
  let shape = member;
  if (member.shape) {
    const { shape: _ref, ...traits } = member;
    const target = model.shapes[member.shape];
    if (!target) throw new Error(`model ${model.metadata.serviceId} has no shape ${member.shape}`);
    shape = { ...resolveShape(model, target), ...traits };
  }
  return shape.type ? shape : { ...shape, type: 'string' };
}
