/**
 * iam.role.can judges a KMS probe as KMS does: the role's own grant counts only when the key's
 * policy lets the account decide. The check and the sandbox's real Decrypt agree, with the
 * default key policy and with one that keeps the account out.
 */
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateKeyCommand, DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CheckOutcome } from '../../checks/define.js';
import { checkTypes } from '../../checks/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { testCheckContext } from '../support/check-context.js';
import { policy, trustRoot } from '../sandbox/helpers.js';
import type { Credentials } from '../sandbox/service-clients.js';

const ACCOUNT = '000000000000';
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;

describe('iam.role.can on a KMS key', () => {
  let sandbox: Sandbox;
  const root = { accessKeyId: 'test', secretAccessKey: 'test' };
  const config = (credentials: Credentials = root) => ({
    endpoint: sandbox.endpoint,
    region: 'us-east-1',
    credentials,
  });
  const can = (input: object): Promise<CheckOutcome> => {
    const check = checkTypes.get('iam.role.can')!;
    return check.run(check.with.parse(input), testCheckContext({ endpoint: sandbox.endpoint }));
  };

  /** A key (with `keyPolicy`, else the default one) and a role whose policy allows kms:Decrypt on it. */
  const setUp = async (keyPolicy?: string): Promise<{ keyArn: string; blob: Uint8Array }> => {
    const kms = new KMSClient(config());
    const { KeyMetadata } = await kms.send(
      new CreateKeyCommand(keyPolicy ? { Policy: keyPolicy } : {}),
    );
    const keyArn = KeyMetadata!.Arn!;
    const { CiphertextBlob } = await kms.send(
      new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('train') }),
    );
    const iam = new IAMClient(config());
    await iam.send(
      new CreateRoleCommand({ RoleName: 'Trainer', AssumeRolePolicyDocument: trustRoot }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'Trainer',
        PolicyName: 'Decrypts',
        PolicyDocument: policy([{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyArn }]),
      }),
    );
    return { keyArn, blob: CiphertextBlob! };
  };

  /** Decrypts with a session of the role, as a training job would. */
  const decryptAsRole = async (blob: Uint8Array): Promise<string> => {
    const { Credentials: c } = await new STSClient(config()).send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${ACCOUNT}:role/Trainer`,
        RoleSessionName: 'training-job',
      }),
    );
    const kms = new KMSClient(
      config({
        accessKeyId: c!.AccessKeyId!,
        secretAccessKey: c!.SecretAccessKey!,
        sessionToken: c!.SessionToken!,
      }),
    );
    try {
      await kms.send(new DecryptCommand({ CiphertextBlob: blob }));
      return 'allowed';
    } catch (error) {
      return (error as Error).name;
    }
  };

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, memory: true, log: () => {} });
  });
  afterAll(async () => {
    await sandbox.stop();
  });
  beforeEach(() => {
    sandbox.core.reset();
  });

  it('allows the role its kms:Decrypt grant when the default key policy delegates to IAM', async () => {
    const { keyArn, blob } = await setUp();
    const outcome = await can({
      role: 'Trainer',
      allow: [{ action: 'kms:Decrypt', resource: keyArn }],
    });
    expect(outcome.status, outcome.message).toBe('passed');
    expect(outcome.message).toContain('inline policy Decrypts');
    expect(await decryptAsRole(blob)).toBe('allowed');
  });

  it('denies it when the key policy keeps kms:Decrypt from the account', async () => {
    const { keyArn, blob } = await setUp(
      policy([
        { Effect: 'Allow', Principal: { AWS: ROOT }, NotAction: 'kms:Decrypt', Resource: '*' },
      ]),
    );
    const outcome = await can({
      role: 'Trainer',
      allow: [{ action: 'kms:Decrypt', resource: keyArn }],
    });
    expect(outcome.status).toBe('failed');
    expect(outcome.message).toContain('kms:Decrypt');
    const denied = await can({
      role: 'Trainer',
      deny: [{ action: 'kms:Decrypt', resource: keyArn }],
    });
    expect(denied.status, denied.message).toBe('passed');
    expect(await decryptAsRole(blob)).toBe('AccessDeniedException');
  });
});
