/**
 * Which services the sandbox serves and through which wire protocol. A service brings its own
 * protocol (S3's REST-XML) or gets the generic one its model names (query, JSON 1.1).
 */
import { dictOf } from './dict.js';
import { serviceModel, type ServiceModel } from './models/index.js';
import { jsonProtocol } from './protocol/json.js';
import { queryProtocol } from './protocol/query.js';
import type {
  ProtocolHandler,
  SandboxCore,
  ServiceFactory,
  ServiceHandler,
  ServiceName,
} from './types.js';

export interface RegisteredService {
  handler: ServiceHandler;
  protocol: ProtocolHandler;
  model: ServiceModel;
}

export { isServiceName, SERVICE_NAMES } from '../service-names.js';

/** The generic protocol for a model; REST-XML services must bring their own. */
export function genericProtocol(model: ServiceModel): ProtocolHandler | undefined {
  switch (model.metadata.protocol) {
    case 'query':
      return queryProtocol(model);
    case 'json':
      return jsonProtocol(model);
    default:
      return undefined;
  }
}

export class ServiceRegistry {
  private readonly services = new Map<ServiceName, RegisteredService>();

  register(handler: ServiceHandler): void {
    const model = serviceModel(handler.name);
    const protocol = handler.protocol ?? genericProtocol(model);
    if (!protocol) {
      throw new Error(
        `service ${handler.name} speaks ${model.metadata.protocol}: it must bring its own protocol`,
      );
    }
    // Operation names come from the request (Action=, X-Amz-Target): a table without a prototype
    // keeps `constructor` or `toString` from resolving to a function nobody wrote as a handler.
    const operations = dictOf(handler.operations);
    this.services.set(handler.name, { handler: { ...handler, operations }, protocol, model });
  }

  registerAll(factories: readonly ServiceFactory[], core: SandboxCore): void {
    for (const factory of factories) this.register(factory(core));
  }

  get(name: ServiceName): RegisteredService | undefined {
    return this.services.get(name);
  }

  names(): ServiceName[] {
    return [...this.services.keys()];
  }

  /** Each service's operations, as its handler implements them, sorted by name. */
  operations(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [name, { handler }] of [...this.services].sort(([a], [b]) => (a < b ? -1 : 1))) {
      out[name] = Object.keys(handler.operations).sort();
    }
    return out;
  }
}
