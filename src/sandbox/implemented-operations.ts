/**
 * What the sandbox implements, read from its own handlers: `{ service: [Operation, ...] }`, both
 * sorted, e.g. `{ iam: ['AttachRolePolicy', ...], s3: ['AbortMultipartUpload', ...] }`. `validate`
 * and docs/sandbox.md use it, so they never list an operation the sandbox does not serve.
 */
import { createCore } from './server.js';
import { FileStateStore } from './store.js';

let cached: Record<string, string[]> | undefined;

export function implementedOperations(): Record<string, string[]> {
  // A core kept in memory, never started: building the handlers is all it takes.
  cached ??= createCore(
    new FileStateStore(undefined),
    undefined,
    () => undefined,
  ).registry.operations();
  return structuredClone(cached);
}
