/**
 * The slim SDK builds behind `labwright check` (dist/sdk/, written by scripts/build.mjs, which
 * the global setup runs): they must cover every operation the check library calls, and answer
 * exactly as the whole SDK packages do, errors included.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsClients } from '../../src/aws/clients.js';
import {
  loadServiceModule,
  loadSlimServiceModule,
  SERVICE_NAMES,
  SERVICES,
} from '../../src/aws/services.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { trustSageMaker } from '../sandbox/helpers.js';

const repo = path.resolve(import.meta.dirname, '../..');

/**
 * `call('iam', 'GetRole'`, `call<...>(\n 'iam',\n 'GetRole'` and `callTarget(ctx, 'iam', 'GetRole'`
 * in the check library's sources.
 */
function operationsCalledBy(folder: string): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  const files = readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter((file) =>
    file.endsWith('.ts'),
  );
  for (const file of files) {
    const source = readFileSync(path.join(folder, file), 'utf8');
    for (const match of source.matchAll(
      /\bcall(?:Target)?(?:<[^()]*?>)?\(\s*(?:ctx,\s*)?'([a-z0-9]+)',\s*'([A-Za-z0-9]+)'/g,
    )) {
      const [, service, operation] = match as unknown as [string, string, string];
      if (!found.has(service)) found.set(service, new Set());
      found.get(service)!.add(operation);
    }
  }
  return found;
}

describe('the slim SDK builds', () => {
  let sandbox: Sandbox;
  let clients: AwsClients;

  beforeAll(async () => {
    sandbox = await startSandbox({ memory: true, log: () => undefined });
    clients = new AwsClients({
      kind: 'endpoint',
      endpoint: sandbox.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  });
  afterAll(async () => {
    clients?.destroy();
    await sandbox?.stop();
  });

  it('list exactly the operations the check library calls', () => {
    const called = operationsCalledBy(path.join(repo, 'checks'));
    // labwright's own probe of the target, AwsClients.identity().
    if (!called.has('sts')) called.set('sts', new Set());
    called.get('sts')!.add('GetCallerIdentity');
    for (const service of SERVICE_NAMES) {
      expect([...(called.get(service) ?? [])].sort(), service).toEqual(
        [...SERVICES[service].checkOperations].sort(),
      );
    }
  });

  it('hold the client and those operations only', async () => {
    const slim = await loadSlimServiceModule('sagemaker');
    expect(slim, 'dist/sdk/sagemaker.cjs is built').toBeDefined();
    const commands = Object.keys(slim!).filter((name) => name.endsWith('Command'));
    expect(commands.sort()).toEqual(
      SERVICES.sagemaker.checkOperations.map((operation) => `${operation}Command`).sort(),
    );
    expect(typeof slim!.SageMakerClient).toBe('function');
    // The whole package has hundreds of operations.
    const whole = await loadServiceModule('sagemaker');
    expect(Object.keys(whole).filter((name) => name.endsWith('Command')).length).toBeGreaterThan(
      300,
    );
  });

  it('answer as the whole package does, and other operations still work', async () => {
    // CreateRole is not a check operation: it goes through the whole package's client.
    await clients.call('iam', 'CreateRole', {
      RoleName: 'SlimRole',
      AssumeRolePolicyDocument: trustSageMaker,
      Tags: [{ Key: 'course', Value: 'ml' }],
    });
    const viaSlim = await clients.call<{ Role: Record<string, unknown> }>('iam', 'GetRole', {
      RoleName: 'SlimRole',
    });
    const whole = await loadServiceModule('iam');
    const IAMClient = whole.IAMClient as new (config: object) => {
      send(command: unknown): Promise<{ Role: Record<string, unknown> }>;
      destroy(): void;
    };
    const GetRoleCommand = whole.GetRoleCommand as new (input: object) => unknown;
    const client = new IAMClient({
      endpoint: sandbox.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const viaWhole = await client.send(new GetRoleCommand({ RoleName: 'SlimRole' }));
    client.destroy();
    expect(viaSlim.Role).toEqual(viaWhole.Role);
    expect(viaSlim.Role.CreateDate).toBeInstanceOf(Date);
    expect(clients.loadedClients()).toEqual(['iam', 'iam/slim']);
  });

  it('raise the modelled AWS errors, by name', async () => {
    const error = await clients.call('iam', 'GetRole', { RoleName: 'NoSuchRole' }).then(
      () => undefined,
      (e: unknown) => e as { name: string; $metadata: object },
    );
    expect(error?.name).toBe('NoSuchEntityException');
    const missingNotebook = await clients
      .call('sagemaker', 'DescribeNotebookInstance', { NotebookInstanceName: 'none' })
      .then(
        () => undefined,
        (e: unknown) => e as { name: string },
      );
    expect(missingNotebook?.name).toBeDefined();
    const missingBucket = await clients
      .call('s3', 'HeadBucket', { Bucket: 'no-such-bucket-here' })
      .then(
        () => undefined,
        (e: unknown) => e as { name: string },
      );
    expect(missingBucket?.name).toBe('NotFound');
  });
});
