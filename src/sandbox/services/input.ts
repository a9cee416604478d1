/**
 * Typed reads of a parsed operation input. The protocol layers hand handlers plain objects shaped
 * like the API's input structure; these helpers turn a missing or mistyped member into the
 * service's own validation error instead of a crash.
 */
import { AwsError } from '../types.js';
import { constraint, validationError } from './errors.js';

export type Input = Record<string, unknown>;

/** A member's value as a string, or undefined when absent. */
export function optString(input: Input, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : String(value);
}

/** A required string member; `code` is the service's validation error code. */
export function reqString(input: Input, name: string, code = 'ValidationException'): string {
  const value = optString(input, name);
  if (value === undefined || value === '') {
    throw validationError(name, null, constraint.notNull, code);
  }
  return value;
}

export function optNumber(input: Input, name: string): number | undefined {
  const value = input[name];
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : undefined;
}

export function optBoolean(input: Input, name: string): boolean | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  return String(value).toLowerCase() === 'true';
}

export function optList<T = unknown>(input: Input, name: string): T[] | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  return Array.isArray(value) ? (value as T[]) : [value as T];
}

export function optObject(input: Input, name: string): Input | undefined {
  const value = input[name];
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Input) : undefined;
}

/** Opaque pagination tokens: the position to resume from, encoded so clients treat it as opaque. */
export function encodeToken(position: string): string {
  return Buffer.from(position, 'utf8').toString('base64url');
}

export function decodeToken(
  token: string | undefined,
  code: string,
  message: string,
): string | undefined {
  if (token === undefined) return undefined;
  const decoded = Buffer.from(token, 'base64url').toString('utf8');
  if (!decoded || encodeToken(decoded) !== token) throw new AwsError(code, message);
  return decoded;
}
