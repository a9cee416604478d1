import type { ServiceModule } from './services.js';

/**
 * Lab authors write policy documents as YAML/JSON objects; AWS APIs take most of them as
 * strings (AssumeRolePolicyDocument, PolicyDocument, Policy). The SDK v3 packages export each
 * operation's schema (`CreateRole$` -> `CreateRoleRequest$`): a structure schema is
 * `[3, namespace, name, traits, memberNames, memberSchemas, ...]`, and member schema 0 is a
 * string. This coerces objects given for string members to JSON text, following nested
 * structures, and falls back to the member's name where a package ships no schema.
 */

type Schema = unknown;

const STRING = 0;
const STRUCTURE = 3;

export function coerceInput(
  module: ServiceModule,
  operation: string,
  input: Record<string, unknown>,
): Record<string, unknown> {
  const op = module[`${operation}$`];
  const structure =
    Array.isArray(op) && typeof op[4] === 'function'
      ? resolve((op[4] as () => Schema)())
      : undefined;
  return coerceStructure(structure, input);
}

function coerceStructure(schema: Schema, value: Record<string, unknown>): Record<string, unknown> {
  const members = structureMembers(schema);
  const out: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(value)) {
    const member = members?.get(name);
    out[name] = coerceMember(member, name, item, members !== undefined);
  }
  return out;
}

function coerceMember(schema: Schema, name: string, value: unknown, known: boolean): unknown {
  if (!isObject(value)) return value;
  if (known && schema !== undefined) {
    if (schema === STRING) return JSON.stringify(value);
    if (structureMembers(schema)) return coerceStructure(schema, value);
    return value;
  }
  // No schema: AWS takes documents and policies as JSON text.
  return /(Document|Policy)$/.test(name) ? JSON.stringify(value) : value;
}

function structureMembers(schema: Schema): Map<string, Schema> | undefined {
  if (!Array.isArray(schema) || schema[0] !== STRUCTURE) return undefined;
  const names = schema[4];
  const types = schema[5];
  if (!Array.isArray(names) || !Array.isArray(types)) return undefined;
  return new Map(names.map((name, index) => [String(name), resolve(types[index])]));
}

/** Unwraps lazy references, `[schema, traits]` pairs and simple named schemas to the schema. */
function resolve(schema: Schema): Schema {
  let current = schema;
  for (let depth = 0; depth < 8; depth++) {
    if (typeof current === 'function') current = (current as () => Schema)();
    else if (Array.isArray(current) && current.length === 2 && typeof current[1] !== 'string')
      current = current[0];
    // A named simple schema, e.g. a sensitive string: [0, namespace, name, traits, schema].
    else if (Array.isArray(current) && current[0] === 0 && current.length === 5)
      current = current[4];
    else return current;
  }
  return current;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}
