import { TargetOptionError } from './errors.js';

/**
 * Where a lab runs, from the target options every AWS-touching command takes:
 * `--target sandbox|localstack|aws`, `--endpoint URL` (implies localstack), `--profile NAME`
 * (implies aws), `--region NAME`.
 */

export interface TargetOptions {
  target?: string;
  endpoint?: string;
  profile?: string;
  region?: string;
}

export interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** A target before it is reached: what clients need to be built. */
export type Target =
  | {
      kind: 'sandbox';
      region: string;
      /** Known once the sandbox is running; the commands layer fills it in. */
      endpoint?: string;
      credentials: StaticCredentials;
    }
  | { kind: 'endpoint'; region: string; endpoint: string; credentials: StaticCredentials }
  | {
      kind: 'aws';
      region?: string;
      profile?: string;
      /** Credentials obtained elsewhere (a role `grade` assumed in a student's account). */
      credentials?: StaticCredentials;
    };

/** A target that answered, as reports show it: where the checks ran, in which account. */
export interface TargetInfo {
  kind: 'sandbox' | 'endpoint' | 'aws';
  /** The endpoint URL for sandbox and LocalStack-compatible targets. */
  endpoint?: string;
  region: string;
  account: string;
  partition: string;
  /** AWS profile, on --target aws. */
  profile?: string;
}

export const DEFAULT_ENDPOINT = 'http://localhost:4566';
export const DEFAULT_REGION = 'us-east-1';

type Env = Readonly<Record<string, string | undefined>>;

export function resolveTarget(options: TargetOptions, env: Env = process.env): Target {
  const kind = targetKind(options);
  if (kind === 'aws') {
    const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    const profile = options.profile ?? env.AWS_PROFILE;
    return { kind: 'aws', ...(region ? { region } : {}), ...(profile ? { profile } : {}) };
  }
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? DEFAULT_REGION;
  if (kind === 'sandbox') {
    // The sandbox is the account root for key `test`; its secret is not checked.
    return {
      kind: 'sandbox',
      region,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    };
  }
  return {
    kind: 'endpoint',
    region,
    endpoint: localEndpoint(options, env),
    credentials: localCredentials(env),
  };
}

function targetKind(options: TargetOptions): 'sandbox' | 'localstack' | 'aws' {
  const explicit = options.target;
  if (explicit !== undefined && !['sandbox', 'localstack', 'aws'].includes(explicit)) {
    throw new TargetOptionError(`--target must be sandbox, localstack or aws, not "${explicit}"`);
  }
  if (options.endpoint && options.profile) {
    throw new TargetOptionError(
      '--endpoint and --profile cannot be used together: one is a local endpoint, the other real AWS',
    );
  }
  if (options.endpoint) {
    if (explicit === 'aws')
      throw new TargetOptionError('--endpoint cannot be used with --target aws');
    return 'localstack';
  }
  if (options.profile) {
    // --target defaults to sandbox, so only an explicit localstack contradicts --profile.
    if (explicit === 'localstack')
      throw new TargetOptionError('--profile cannot be used with --target localstack');
    return 'aws';
  }
  return (explicit as 'sandbox' | 'localstack' | 'aws' | undefined) ?? 'sandbox';
}

function localEndpoint(options: TargetOptions, env: Env): string {
  const given =
    options.endpoint ??
    env.AWS_ENDPOINT_URL ??
    localstackHost(env.LOCALSTACK_HOST) ??
    DEFAULT_ENDPOINT;
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw new TargetOptionError(
      `the endpoint "${given}" is not a URL; give one like ${DEFAULT_ENDPOINT}`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TargetOptionError(`the endpoint "${given}" must start with http:// or https://`);
  }
  return given.replace(/\/+$/, '');
}

/** LOCALSTACK_HOST is `host[:port]`, as LocalStack's own tools read it. */
function localstackHost(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (/^https?:\/\//.test(value)) return value;
  return `http://${value.includes(':') ? value : `${value}:4566`}`;
}

function localCredentials(env: Env): StaticCredentials {
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    return {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    };
  }
  return { accessKeyId: 'test', secretAccessKey: 'test' };
}

/** How a target is named to the student: "the sandbox", "http://localhost:4566", "AWS (profile dev)". */
export function describeTarget(target: Target): string {
  switch (target.kind) {
    case 'sandbox':
      return target.endpoint ? `the sandbox at ${target.endpoint}` : 'the sandbox';
    case 'endpoint':
      return target.endpoint;
    case 'aws':
      return `AWS${target.profile ? ` (profile ${target.profile})` : ''}`;
  }
}
