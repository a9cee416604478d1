import { createRequire } from 'node:module';

/**
 * The AWS services labwright can call, named as IAM names them (the prefix of `iam:CreateRole`),
 * and the AWS SDK v3 package and client class behind each. Clients load only when used.
 */
export const SERVICES = {
  iam: { pkg: '@aws-sdk/client-iam', client: 'IAMClient' },
  sts: { pkg: '@aws-sdk/client-sts', client: 'STSClient' },
  s3: { pkg: '@aws-sdk/client-s3', client: 'S3Client' },
  sagemaker: { pkg: '@aws-sdk/client-sagemaker', client: 'SageMakerClient' },
  logs: { pkg: '@aws-sdk/client-cloudwatch-logs', client: 'CloudWatchLogsClient' },
  cloudtrail: { pkg: '@aws-sdk/client-cloudtrail', client: 'CloudTrailClient' },
} as const;

export type ServiceId = keyof typeof SERVICES;

export const SERVICE_IDS = Object.keys(SERVICES) as ServiceId[];

export function isServiceId(name: string): name is ServiceId {
  return Object.hasOwn(SERVICES, name);
}

/** The SDK module of a service: its client class and `<Operation>Command` classes. */
export type ServiceModule = Record<string, unknown>;

const modules = new Map<ServiceId, Promise<ServiceModule>>();

// The SDK packages ship CommonJS (one file per package) beside ESM (hundreds of files): loading
// the CommonJS build through require takes about half as long, and start-up time is what a
// student waits for on every `labwright check`.
const require = createRequire(import.meta.url);

export function loadServiceModule(service: ServiceId): Promise<ServiceModule> {
  let loading = modules.get(service);
  if (!loading) {
    loading = Promise.resolve().then(() => require(SERVICES[service].pkg) as ServiceModule);
    modules.set(service, loading);
  }
  return loading;
}

/** The operations a service offers (CreateRole, ...), from its SDK module's Command classes. */
export async function serviceOperations(service: string): Promise<ReadonlySet<string> | undefined> {
  if (!isServiceId(service)) return undefined;
  const module = await loadServiceModule(service);
  return new Set(
    Object.keys(module)
      .filter((name) => name.endsWith('Command') && name !== 'Command')
      .map((name) => name.slice(0, -'Command'.length)),
  );
}
