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

export function loadServiceModule(service: ServiceId): Promise<ServiceModule> {
  let loading = modules.get(service);
  if (!loading) {
    // A switch of literal imports, so a bundler can see and split each client.
    loading = importService(service);
    modules.set(service, loading);
  }
  return loading;
}

function importService(service: ServiceId): Promise<ServiceModule> {
  switch (service) {
    case 'iam':
      return import('@aws-sdk/client-iam');
    case 'sts':
      return import('@aws-sdk/client-sts');
    case 's3':
      return import('@aws-sdk/client-s3');
    case 'sagemaker':
      return import('@aws-sdk/client-sagemaker');
    case 'logs':
      return import('@aws-sdk/client-cloudwatch-logs');
    case 'cloudtrail':
      return import('@aws-sdk/client-cloudtrail');
  }
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
