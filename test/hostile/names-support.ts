/**
 * The hostile names the corpus tests use: the members every plain JavaScript object inherits,
 * and names that are merely unusual (unicode, the longest a service allows). Each service's test
 * keeps only the names that service's rules accept, so every one must work as any other name.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { expect } from 'vitest';

/** Members of Object.prototype, in the case a plain-object table would be asked for them. */
export const PROTOTYPE_NAMES = [
  '__proto__',
  'constructor',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__lookupSetter__',
  'prototype',
] as const;

/** Names made of IAM's characters ([\w+=,.@-]), 64 at most for roles. */
export const IAM_NAMES = [...PROTOTYPE_NAMES, 'x'.repeat(64)];

/** Valid bucket names: lowercase, no underscores (so no `__proto__`), 63 characters at most. */
export const BUCKET_NAMES = [
  'constructor',
  'prototype',
  'tostring',
  'valueof',
  'hasownproperty',
  'isprototypeof',
  `b${'7'.repeat(61)}b`,
];

/** Object keys may be any UTF-8 up to 1,024 bytes. */
export const OBJECT_KEYS = [
  ...PROTOTYPE_NAMES,
  '__proto__/constructor',
  'constructor/prototype/toString',
  'ünïcödé/日本語/🙂',
  `${'k'.repeat(1020)}/end`,
];

/** CloudWatch Logs group names: [.\-_/#A-Za-z0-9]{1,512}. */
export const LOG_GROUP_NAMES = [...PROTOTYPE_NAMES, '/aws/__proto__/constructor', 'g'.repeat(512)];

/** Stream names: anything but ':' and '*', up to 512 characters. */
export const LOG_STREAM_NAMES = [...PROTOTYPE_NAMES, 'ünïcödé 日本語', 's'.repeat(512)];

/** SageMaker resource names: letters, digits and single hyphens. */
export const SAGEMAKER_NAMES = [
  'constructor',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'prototype',
];

/** CloudTrail trail names start with a letter or digit. */
export const TRAIL_NAMES = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', 'prototype'];

/** Sorted as the services list them (byte order for these ASCII names). */
export const sorted = (names: readonly string[]) =>
  [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

/** Signs and sends a raw request as the account root, for what no SDK client would send. */
export async function signedFetch(
  endpoint: string,
  service: string,
  init: { method?: string; path?: string; headers?: Record<string, string>; body?: string },
): Promise<Response> {
  const url = new URL(endpoint);
  const signer = new SignatureV4({
    service,
    region: 'us-east-1',
    sha256: Sha256,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const signed = await signer.sign({
    method: init.method ?? 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: init.path ?? '/',
    headers: { host: url.host, ...init.headers },
    body: init.body,
  });
  return fetch(`${endpoint}${init.path ?? '/'}`, {
    method: signed.method,
    headers: signed.headers,
    body: init.body,
  });
}

/** No member of Object.prototype was added or replaced by anything the sandbox did. */
export function expectPristinePrototype(snapshot: string[]): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(snapshot);
  expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  expect(({} as Record<string, unknown>).policy).toBeUndefined();
  expect(({} as Record<string, unknown>).Description).toBeUndefined();
}
