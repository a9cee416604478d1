/**
 * Real AWS clients (SDK v3, the aws CLI, boto3) pointed at a sandbox, for the S3, SageMaker and
 * CloudWatch Logs tests. Nothing here imitates AWS: every call crosses the wire.
 */
import { execFile } from 'node:child_process';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { STSClient } from '@aws-sdk/client-sts';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export const ROOT: Credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

export function clients(endpoint: string, credentials: Credentials = ROOT) {
  // The SDK's default retries, as a student's client has them: a connection reset on a loaded
  // machine is retried, while AWS errors (4xx) still surface on the first answer.
  const common = { endpoint, region: 'us-east-1', credentials, maxAttempts: 3 };
  return {
    s3: new S3Client({ ...common, forcePathStyle: true }),
    sagemaker: new SageMakerClient(common),
    logs: new CloudWatchLogsClient(common),
    iam: new IAMClient(common),
    sts: new STSClient(common),
    kms: new KMSClient(common),
  };
}

/** The environment the aws CLI and boto3 read: endpoint, region and credentials, nothing else. */
export function awsEnv(endpoint: string, credentials: Credentials = ROOT): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
    AWS_MAX_ATTEMPTS: '1',
  };
  if (credentials.sessionToken) env.AWS_SESSION_TOKEN = credentials.sessionToken;
  for (const name of ['PYENV_ROOT', 'PYENV_VERSION', 'PYTHONPATH']) {
    if (process.env[name]) env[name] = process.env[name];
  }
  return env;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The python aws CLI and boto3 take seconds per call on a small, busy machine. */
export const CLI_TIMEOUT_MS = 180_000;

export function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  input?: string,
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { env, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Polls `probe` until it returns a value (not undefined), without timing assertions. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  attempts = 400,
): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`gave up waiting for ${what}`);
}
