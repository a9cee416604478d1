import type { AssumeRoleCommand, AssumeRoleCommandOutput, STSClient } from '@aws-sdk/client-sts';
import { errorCode, explainTargetError, firstLine, TargetError } from '../aws/errors.js';
import type { StaticCredentials, Target } from '../aws/target.js';

/**
 * sts:AssumeRole of a student's grading role, with the instructor's own credentials (their
 * profile, the default chain, or a LocalStack-compatible endpoint's). One STS client serves the
 * whole class; the credentials it returns last one grading (15 minutes, STS's minimum).
 */
export class RoleAssumer {
  private client: Promise<StsClient> | undefined;

  constructor(private readonly instructor: Target) {}

  async assume(
    roleArn: string,
    externalId: string | undefined,
    sessionName: string,
    signal: AbortSignal,
  ): Promise<StaticCredentials> {
    const { client, AssumeRoleCommand: Command } = await (this.client ??= this.build());
    let output: AssumeRoleCommandOutput;
    try {
      output = await client.send(
        new Command({
          RoleArn: roleArn,
          RoleSessionName: sessionName,
          DurationSeconds: 900,
          ...(externalId ? { ExternalId: externalId } : {}),
        }),
        { abortSignal: signal },
      );
    } catch (error) {
      const problem = explainTargetError(error, this.instructor);
      if (problem) throw problem;
      throw new TargetError(
        `could not assume ${roleArn} (${errorCode(error)}: ${firstLine((error as Error).message ?? '')}): ` +
          `the role must trust the identity labwright grades as${externalId ? ', with this external_id' : ''}`,
      );
    }
    const credentials = output.Credentials;
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) {
      throw new TargetError(`assuming ${roleArn} returned no credentials`);
    }
    return {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      ...(credentials.SessionToken ? { sessionToken: credentials.SessionToken } : {}),
    };
  }

  destroy(): void {
    void this.client?.then(({ client }) => client.destroy()).catch(() => undefined);
  }

  private async build(): Promise<StsClient> {
    const sts = await import('@aws-sdk/client-sts');
    const target = this.instructor;
    const config: Record<string, unknown> = {};
    if (target.region) config.region = target.region;
    if (target.kind === 'aws') {
      if (target.profile) {
        const { fromIni } = await import('@aws-sdk/credential-providers');
        config.credentials = fromIni({ profile: target.profile });
      }
    } else {
      config.endpoint = target.endpoint;
      config.credentials = target.credentials;
    }
    return { client: new sts.STSClient(config), AssumeRoleCommand: sts.AssumeRoleCommand };
  }
}

interface StsClient {
  client: STSClient;
  AssumeRoleCommand: typeof AssumeRoleCommand;
}
