/**
 * A CheckContext over real AWS SDK v3 clients, for tests that call a check's `run` directly:
 * one client per service, created on first use, pointed at an endpoint (the sandbox or moto)
 * with LocalStack's conventions (test/test, account 000000000000, path-style S3).
 */
import type { CheckContext, TargetInfo } from '../../checks/define.js';
import { loadServiceModule, SERVICES, type ServiceName } from '../../src/aws/services.js';

export interface TestContextOptions {
  endpoint: string;
  region?: string;
  account?: string;
  vars?: Record<string, string>;
  answers?: Record<string, number>;
  cwd?: string;
  labDir?: string;
}

type Client = { send(command: unknown): Promise<Record<string, unknown>> };
type Constructor<T> = new (config: unknown) => T;

export function testCheckContext(options: TestContextOptions): CheckContext {
  const region = options.region ?? 'us-east-1';
  const account = options.account ?? '000000000000';
  const clients = new Map<
    ServiceName,
    Promise<{ client: Client; module: Record<string, unknown> }>
  >();
  const clientFor = (service: ServiceName) => {
    let entry = clients.get(service);
    if (!entry) {
      entry = loadServiceModule(service).then((module) => {
        const Client = module[SERVICES[service].client] as Constructor<Client>;
        const client = new Client({
          endpoint: options.endpoint,
          region,
          credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
          forcePathStyle: true,
          maxAttempts: 1,
        });
        return { client, module };
      });
      clients.set(service, entry);
    }
    return entry;
  };
  const target: TargetInfo = {
    kind: 'endpoint',
    endpoint: options.endpoint,
    region,
    account,
    partition: 'aws',
  };
  const env = {
    AWS_ENDPOINT_URL: options.endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
  };
  return {
    async call<Output = Record<string, unknown>>(
      service: ServiceName,
      operation: string,
      input: Record<string, unknown>,
    ): Promise<Output> {
      const { client, module } = await clientFor(service);
      const Command = module[`${operation}Command`] as Constructor<unknown> | undefined;
      if (!Command) throw new Error(`${service} has no operation ${operation}`);
      return (await client.send(new Command(input))) as Output;
    },
    target,
    vars: { account, region, partition: 'aws', ...options.vars },
    labDir: options.labDir ?? process.cwd(),
    cwd: options.cwd ?? process.cwd(),
    answers: options.answers ?? {},
    env,
    signal: new AbortController().signal,
  };
}
