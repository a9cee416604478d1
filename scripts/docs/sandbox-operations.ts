/**
 * The operations the embedded sandbox implements, per service: read from its registered
 * handlers, so docs/sandbox.md and docs/checks.md cannot claim what the sandbox does not do.
 */
import { createCore } from '../../src/sandbox/server.js';
import { FileStateStore } from '../../src/sandbox/store.js';

export function sandboxOperations(): Record<string, string[]> {
  const core = createCore(new FileStateStore(undefined), undefined, () => undefined);
  return Object.fromEntries(
    core.registry
      .names()
      .map((name) => [name, Object.keys(core.registry.get(name)!.handler.operations).sort()]),
  );
}
