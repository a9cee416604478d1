import { existsSync, readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { packageRoot } from '../package-root.js';
import { withCodeCache } from './code-cache.js';
import type { ServiceName } from '../service-names.js';
import services from './sdk-services.json' with { type: 'json' };

export { isServiceName, SERVICE_NAMES, type ServiceName } from '../service-names.js';

/**
 * The SDK behind each service labwright speaks (src/service-names.ts): the AWS SDK v3 package
 * and client class, and the operations the check library calls (sdk-services.json, which
 * scripts/build.mjs reads too). Clients load only when used.
 */
export const SERVICES: Readonly<
  Record<ServiceName, { package: string; client: string; checkOperations: readonly string[] }>
> = services;

/** The SDK module of a service: its client class and `<Operation>Command` classes. */
export type ServiceModule = Record<string, unknown>;

const modules = new Map<ServiceName, Promise<ServiceModule>>();
const slimModules = new Map<ServiceName, Promise<ServiceModule | undefined>>();

// The SDK packages ship CommonJS (one file per package) beside ESM (hundreds of files): loading
// the CommonJS build through require takes about half as long, and start-up time is what a
// student waits for on every `labwright check`.
const require = createRequire(import.meta.url);

/** The whole SDK client package of a service: every operation. */
export function loadServiceModule(service: ServiceName): Promise<ServiceModule> {
  let loading = modules.get(service);
  if (!loading) {
    loading = Promise.resolve().then(() =>
      withCodeCache(() => require(SERVICES[service].package) as ServiceModule),
    );
    modules.set(service, loading);
  }
  return loading;
}

/**
 * The slim build of a service's client: the same SDK code, with only the client class and the
 * operations the check library calls (scripts/build.mjs writes it to dist/sdk/ from the
 * package's ES modules). The whole SageMaker client is 800 KB that builds some 400 command
 * classes on load; its slim build is a sixth of that. Loading whole clients was most of what
 * `labwright check` waited for. It resolves its imports as the package does. Undefined when
 * there is no slim build (running from source before a build) or it does not load: the whole
 * package serves.
 */
export function loadSlimServiceModule(service: ServiceName): Promise<ServiceModule | undefined> {
  let loading = slimModules.get(service);
  if (!loading) {
    loading = Promise.resolve().then(() => {
      const file = path.join(packageRoot(), 'dist', 'sdk', `${service}.cjs`);
      if (!existsSync(file)) return undefined;
      try {
        const packageEntry = require.resolve(SERVICES[service].package);
        return withCodeCache(() => loadCommonJsFile(file, packageEntry) as ServiceModule);
      } catch {
        return undefined;
      }
    });
    slimModules.set(service, loading);
  }
  return loading;
}

/**
 * Loads a CommonJS file as a module whose imports resolve as if it sat at `resolveFrom`: a slim
 * build resolves its dependencies from the client package it came from. Within withCodeCache
 * it compiles with the cache, as every module does.
 */
function loadCommonJsFile(file: string, resolveFrom: string): unknown {
  const module = new Module(file) as Module & {
    paths: string[];
    loaded: boolean;
    _compile(content: string, filename: string): unknown;
  };
  module.filename = file;
  module.paths = (
    Module as unknown as { _nodeModulePaths(from: string): string[] }
  )._nodeModulePaths(path.dirname(resolveFrom));
  module._compile(readFileSync(file, 'utf8'), file);
  module.loaded = true;
  return module.exports;
}

/** Whether the slim build of `service` has `operation`. */
export function isCheckOperation(service: ServiceName, operation: string): boolean {
  return SERVICES[service].checkOperations.includes(operation);
}
