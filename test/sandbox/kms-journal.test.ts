/**
 * KMS in the journal: keys, aliases, policies, states and ciphertexts replay into a fresh sandbox
 * as the same state (key ids and secrets are recorded draws), so a ciphertext made before the
 * replay decrypts after it, and a decryption that failed fails again.
 */
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  PutKeyPolicyCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJournal, verifyChain } from '../../src/sandbox/journal.js';
import { replaySandbox } from '../../src/sandbox/replay.js';
import { SERVICE_NAMES } from '../../src/sandbox/registry.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { expectAwsError, policy, stateDirs, trustRoot } from './helpers.js';
import { clients } from './service-clients.js';

const ACCOUNT = '000000000000';
const newDir = stateDirs('kms-journal');

function stateOf(sandbox: Sandbox): string {
  const store = sandbox.core.store;
  const services = Object.fromEntries(SERVICE_NAMES.map((s) => [s, store.get(s, () => ({}))]));
  return JSON.stringify({ services, trail: sandbox.core.events.all() });
}

const blobReader = (dir: string) => async (id: string) => {
  try {
    return readFileSync(join(dir, 'blobs', id.slice(0, 2), id));
  } catch {
    return undefined;
  }
};

describe('KMS in the journal', () => {
  it('replays keys, aliases, policies and states; old ciphertexts decrypt after replay', async () => {
    const dir = newDir();
    const live = await startSandbox({ stateDir: dir, log: () => undefined });
    const root = clients(live.endpoint);
    const key = (await root.kms.send(new CreateKeyCommand({ Description: 'data' }))).KeyMetadata!
      .KeyId!;
    await root.kms.send(new CreateAliasCommand({ AliasName: 'alias/data', TargetKeyId: key }));
    const sealed = await root.kms.send(
      new EncryptCommand({
        KeyId: 'alias/data',
        Plaintext: Buffer.from('rows'),
        EncryptionContext: { bucket: 'b' },
      }),
    );
    const dataKey = await root.kms.send(
      new GenerateDataKeyCommand({ KeyId: key, KeySpec: 'AES_256' }),
    );
    await expectAwsError(
      root.kms.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob })),
      'InvalidCiphertextException',
    );
    // A role denied by the key policy: the denial is an outcome the replay must reproduce.
    await root.iam.send(
      new CreateRoleCommand({ RoleName: 'Reader', AssumeRolePolicyDocument: trustRoot }),
    );
    await root.iam.send(
      new PutRolePolicyCommand({
        RoleName: 'Reader',
        PolicyName: 'kms',
        PolicyDocument: policy([{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }]),
      }),
    );
    const session = await root.sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${ACCOUNT}:role/Reader`,
        RoleSessionName: 'job',
      }),
    );
    const asRole = clients(live.endpoint, {
      accessKeyId: session.Credentials!.AccessKeyId!,
      secretAccessKey: session.Credentials!.SecretAccessKey!,
      sessionToken: session.Credentials!.SessionToken!,
    });
    const second = (await root.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    await root.kms.send(
      new PutKeyPolicyCommand({
        KeyId: second,
        PolicyName: 'default',
        BypassPolicyLockoutSafetyCheck: true,
        Policy: policy([
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/Nobody` },
            Action: 'kms:*',
            Resource: '*',
          },
        ]),
      }),
    );
    await expectAwsError(
      asRole.kms.send(new EncryptCommand({ KeyId: second, Plaintext: Buffer.from('x') })),
      'AccessDeniedException',
    );
    await root.kms.send(new DisableKeyCommand({ KeyId: key }));
    const third = (await root.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    await root.kms.send(new ScheduleKeyDeletionCommand({ KeyId: third, PendingWindowInDays: 7 }));
    await live.core.settle();
    const expected = stateOf(live);
    await live.stop();

    const records = await readJournal(dir);
    expect(verifyChain(records)).toEqual({ ok: true });
    expect(records.filter((r) => r.service === 'kms').length).toBeGreaterThan(8);
    const { sandbox, mismatch } = await replaySandbox(records, blobReader(dir));
    try {
      expect(mismatch).toBeUndefined();
      expect(stateOf(sandbox)).toBe(expected);
      // The replayed key has the same secret: what was sealed before opens after.
      const kms = clients(sandbox.endpoint).kms;
      await expectAwsError(
        kms.send(
          new DecryptCommand({
            CiphertextBlob: sealed.CiphertextBlob,
            EncryptionContext: { bucket: 'b' },
          }),
        ),
        'DisabledException',
      );
      await kms.send(new EnableKeyCommand({ KeyId: key }));
      await expectAwsError(
        kms.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob })),
        'InvalidCiphertextException',
      );
      const opened = await kms.send(
        new DecryptCommand({
          CiphertextBlob: sealed.CiphertextBlob,
          EncryptionContext: { bucket: 'b' },
        }),
      );
      expect(Buffer.from(opened.Plaintext!).toString()).toBe('rows');
      const reopened = await kms.send(
        new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob }),
      );
      expect(Buffer.from(reopened.Plaintext!).equals(Buffer.from(dataKey.Plaintext!))).toBe(true);
    } finally {
      await sandbox.stop();
    }
  });
});
