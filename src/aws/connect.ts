import type { TargetInfo } from './target.js';
import { AwsClients, targetInfo } from './clients.js';
import type { Target } from './target.js';

/** A target that answered: its clients, what reports show of it, and its progress key. */
export interface Connection {
  target: Target;
  info: TargetInfo;
  clients: AwsClients;
  /** The ARN of the identity labwright calls the target as (`${callerArn}`). */
  callerArn?: string;
  /** Names the target in progress files: sandbox, endpoint-localhost-4566, aws-123456789012-eu-west-1. */
  key: string;
  /** The environment shell actions and checks run with. */
  env: Record<string, string>;
  close(): void;
}

/**
 * Reaches the target: sts:GetCallerIdentity, once, before anything else runs, so an unreachable
 * endpoint or refused credentials stop the run with a TargetError (exit 3) before any check.
 */
export async function connect(target: Target): Promise<Connection> {
  const clients = new AwsClients(target);
  try {
    const identity = await clients.identity();
    const region = await clients.region();
    const info = targetInfo(target, identity, region);
    return {
      target,
      info,
      clients,
      callerArn: identity.arn,
      key: targetKey(info),
      env: clients.shellEnv(process.env, region),
      close: () => clients.destroy(),
    };
  } catch (error) {
    clients.destroy();
    throw error;
  }
}

export function targetKey(info: TargetInfo): string {
  switch (info.kind) {
    case 'sandbox':
      return 'sandbox';
    case 'endpoint': {
      const url = new URL(info.endpoint ?? 'http://localhost');
      return `endpoint-${url.hostname}-${url.port || (url.protocol === 'https:' ? '443' : '80')}`.replace(
        /[^A-Za-z0-9.-]/g,
        '_',
      );
    }
    case 'aws':
      return `aws-${info.account}-${info.region}`;
  }
}
