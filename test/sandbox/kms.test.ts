/**
 * KMS with the SDK v3: keys, aliases, key policies, key states, and encryption that is real
 * (a ciphertext opens only under its key and its encryption context). Authorization is the key
 * policy AND IAM, with AWS's denial text; every call is a CloudTrail event.
 */
import { LookupEventsCommand, CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GetKeyPolicyCommand,
  ListAliasesCommand,
  ListKeyPoliciesCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  PutKeyPolicyCommand,
  ScheduleKeyDeletionCommand,
  UpdateAliasCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { mayUseKey } from '../../src/sandbox/services/kms/authorize.js';
import { expectAwsError, policy, trustRoot } from './helpers.js';
import { clients } from './service-clients.js';

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const keyArn = (id: string) => `arn:aws:kms:${REGION}:${ACCOUNT}:key/${id}`;
const text = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? []).toString('utf8');

let sandbox: Sandbox;
let kms: KMSClient;

beforeAll(async () => {
  sandbox = await startSandbox({ memory: true });
  kms = clients(sandbox.endpoint).kms;
});
afterAll(async () => {
  await sandbox.stop();
});

async function newKey(description = 'training data'): Promise<string> {
  const created = await kms.send(new CreateKeyCommand({ Description: description }));
  return created.KeyMetadata!.KeyId!;
}

/** A role with the given inline policy, and a KMS client acting as a session of it. */
async function roleClient(
  name: string,
  statements: object[],
): Promise<{ kms: KMSClient; arn: string }> {
  const root = clients(sandbox.endpoint);
  await root.iam.send(
    new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trustRoot }),
  );
  if (statements.length > 0) {
    await root.iam.send(
      new PutRolePolicyCommand({
        RoleName: name,
        PolicyName: 'kms',
        PolicyDocument: policy(statements),
      }),
    );
  }
  const session = await root.sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
      RoleSessionName: 'job',
    }),
  );
  const c = session.Credentials!;
  return {
    kms: clients(sandbox.endpoint, {
      accessKeyId: c.AccessKeyId!,
      secretAccessKey: c.SecretAccessKey!,
      sessionToken: c.SessionToken!,
    }).kms,
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${name}/job`,
  };
}

describe('keys', () => {
  it('creates a symmetric key with a description and tags, and describes it by id and ARN', async () => {
    const created = await kms.send(
      new CreateKeyCommand({
        Description: 'bucket key',
        Tags: [{ TagKey: 'course', TagValue: 'ml' }],
      }),
    );
    const meta = created.KeyMetadata!;
    expect(meta).toMatchObject({
      AWSAccountId: ACCOUNT,
      Arn: keyArn(meta.KeyId!),
      Description: 'bucket key',
      Enabled: true,
      KeyState: 'Enabled',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyManager: 'CUSTOMER',
      Origin: 'AWS_KMS',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    });
    expect(meta.KeyId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(meta.CreationDate).toBeInstanceOf(Date);

    const byArn = await kms.send(new DescribeKeyCommand({ KeyId: meta.Arn }));
    expect(byArn.KeyMetadata?.KeyId).toBe(meta.KeyId);
    const tags = await kms.send(new ListResourceTagsCommand({ KeyId: meta.KeyId }));
    expect(tags.Tags).toEqual([{ TagKey: 'course', TagValue: 'ml' }]);
    const listed = await kms.send(new ListKeysCommand({}));
    expect(listed.Keys).toContainEqual({ KeyId: meta.KeyId, KeyArn: meta.Arn });
  });

  it('answers a missing key and a malformed id as KMS does', async () => {
    const missing = '11111111-2222-3333-4444-555555555555';
    await expectAwsError(
      kms.send(new DescribeKeyCommand({ KeyId: missing })),
      'NotFoundException',
      400,
      `Key '${keyArn(missing)}' does not exist`,
    );
    await expectAwsError(
      kms.send(new DescribeKeyCommand({ KeyId: 'not-a-key' })),
      'NotFoundException',
      400,
      'Invalid keyId not-a-key',
    );
    await expectAwsError(
      kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' })),
      'UnsupportedOperationException',
    );
  });

  it('pages ListKeys with Limit and Marker', async () => {
    for (let i = 0; i < 3; i++) await newKey(`page ${i}`);
    const all = (await kms.send(new ListKeysCommand({}))).Keys!;
    const first = await kms.send(new ListKeysCommand({ Limit: 2 }));
    expect(first.Truncated).toBe(true);
    expect(first.Keys).toEqual(all.slice(0, 2));
    const second = await kms.send(new ListKeysCommand({ Limit: 2, Marker: first.NextMarker }));
    expect(second.Keys).toEqual(all.slice(2, 4));
    await expectAwsError(
      kms.send(new ListKeysCommand({ Marker: 'bogus' })),
      'InvalidMarkerException',
    );
  });
});

describe('aliases', () => {
  it('names a key by alias and alias ARN, moves and deletes the alias', async () => {
    const first = await newKey();
    const second = await newKey();
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/training', TargetKeyId: first }));
    const byName = await kms.send(new DescribeKeyCommand({ KeyId: 'alias/training' }));
    expect(byName.KeyMetadata?.KeyId).toBe(first);
    const aliasArn = `arn:aws:kms:${REGION}:${ACCOUNT}:alias/training`;
    const byArn = await kms.send(new DescribeKeyCommand({ KeyId: aliasArn }));
    expect(byArn.KeyMetadata?.KeyId).toBe(first);

    await expectAwsError(
      kms.send(new CreateAliasCommand({ AliasName: 'alias/training', TargetKeyId: second })),
      'AlreadyExistsException',
      400,
      `An alias with the name ${aliasArn} already exists`,
    );
    await kms.send(new UpdateAliasCommand({ AliasName: 'alias/training', TargetKeyId: second }));
    const listed = await kms.send(new ListAliasesCommand({ KeyId: second }));
    expect(listed.Aliases).toEqual([
      expect.objectContaining({
        AliasName: 'alias/training',
        AliasArn: aliasArn,
        TargetKeyId: second,
      }),
    ]);
    expect((await kms.send(new ListAliasesCommand({ KeyId: first }))).Aliases).toEqual([]);

    await kms.send(new DeleteAliasCommand({ AliasName: 'alias/training' }));
    await expectAwsError(
      kms.send(new DescribeKeyCommand({ KeyId: 'alias/training' })),
      'NotFoundException',
      400,
      `Alias ${aliasArn} is not found.`,
    );
  });

  it('refuses alias names AWS refuses', async () => {
    const key = await newKey();
    await expectAwsError(
      kms.send(new CreateAliasCommand({ AliasName: 'training', TargetKeyId: key })),
      'ValidationException',
    );
    await expectAwsError(
      kms.send(new CreateAliasCommand({ AliasName: 'alias/aws/s3', TargetKeyId: key })),
      'NotAuthorizedException',
    );
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/one', TargetKeyId: key }));
    await expectAwsError(
      kms.send(new CreateAliasCommand({ AliasName: 'alias/two', TargetKeyId: 'alias/one' })),
      'ValidationException',
      400,
      'Aliases must refer to keys. Not aliases',
    );
  });
});

describe('encryption', () => {
  it('encrypts and decrypts, with or without the KeyId, bound to the encryption context', async () => {
    const key = await newKey();
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/data', TargetKeyId: key }));
    const context = { bucket: 'training-data', purpose: 'lesson' };
    const sealed = await kms.send(
      new EncryptCommand({
        KeyId: 'alias/data',
        Plaintext: Buffer.from('secret rows'),
        EncryptionContext: context,
      }),
    );
    expect(sealed.KeyId).toBe(keyArn(key));
    expect(sealed.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
    expect(text(sealed.CiphertextBlob)).not.toContain('secret rows');

    const opened = await kms.send(
      new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: context }),
    );
    expect(text(opened.Plaintext)).toBe('secret rows');
    expect(opened.KeyId).toBe(keyArn(key));
    const withKey = await kms.send(
      new DecryptCommand({
        CiphertextBlob: sealed.CiphertextBlob,
        EncryptionContext: context,
        KeyId: key,
      }),
    );
    expect(text(withKey.Plaintext)).toBe('secret rows');

    await expectAwsError(
      kms.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob })),
      'InvalidCiphertextException',
    );
    await expectAwsError(
      kms.send(
        new DecryptCommand({
          CiphertextBlob: sealed.CiphertextBlob,
          EncryptionContext: { ...context, purpose: 'other' },
        }),
      ),
      'InvalidCiphertextException',
    );
    const tampered = Buffer.from(sealed.CiphertextBlob!);
    tampered.writeUInt8(tampered.readUInt8(tampered.length - 1) ^ 1, tampered.length - 1);
    await expectAwsError(
      kms.send(new DecryptCommand({ CiphertextBlob: tampered, EncryptionContext: context })),
      'InvalidCiphertextException',
    );
    await expectAwsError(
      kms.send(new DecryptCommand({ CiphertextBlob: Buffer.from('not a ciphertext at all') })),
      'InvalidCiphertextException',
    );
    const other = await newKey();
    await expectAwsError(
      kms.send(
        new DecryptCommand({
          CiphertextBlob: sealed.CiphertextBlob,
          EncryptionContext: context,
          KeyId: other,
        }),
      ),
      'IncorrectKeyException',
    );
  });

  it('generates data keys whose ciphertext decrypts to the plaintext key', async () => {
    const key = await newKey();
    const dataKey = await kms.send(
      new GenerateDataKeyCommand({
        KeyId: key,
        KeySpec: 'AES_256',
        EncryptionContext: { object: 'a.csv' },
      }),
    );
    expect(dataKey.Plaintext).toHaveLength(32);
    expect(dataKey.KeyId).toBe(keyArn(key));
    const opened = await kms.send(
      new DecryptCommand({
        CiphertextBlob: dataKey.CiphertextBlob,
        EncryptionContext: { object: 'a.csv' },
      }),
    );
    expect(Buffer.from(opened.Plaintext!).equals(Buffer.from(dataKey.Plaintext!))).toBe(true);

    const sixteen = await kms.send(new GenerateDataKeyCommand({ KeyId: key, NumberOfBytes: 16 }));
    expect(sixteen.Plaintext).toHaveLength(16);
    const hidden = await kms.send(
      new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key, KeySpec: 'AES_128' }),
    );
    expect(Object.keys(hidden)).not.toContain('Plaintext');
    const revealed = await kms.send(new DecryptCommand({ CiphertextBlob: hidden.CiphertextBlob }));
    expect(revealed.Plaintext).toHaveLength(16);

    await expectAwsError(
      kms.send(new GenerateDataKeyCommand({ KeyId: key })),
      'ValidationException',
      400,
      'Please specify either number of bytes or key spec.',
    );
  });
});

describe('key states', () => {
  it('a disabled key cannot encrypt until it is enabled again', async () => {
    const key = await newKey();
    const sealed = await kms.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x') }));
    await kms.send(new DisableKeyCommand({ KeyId: key }));
    const meta = (await kms.send(new DescribeKeyCommand({ KeyId: key }))).KeyMetadata!;
    expect(meta).toMatchObject({ Enabled: false, KeyState: 'Disabled' });
    await expectAwsError(
      kms.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x') })),
      'DisabledException',
      400,
      `${keyArn(key)} is disabled.`,
    );
    await expectAwsError(
      kms.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob })),
      'DisabledException',
    );
    await kms.send(new EnableKeyCommand({ KeyId: key }));
    const opened = await kms.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }));
    expect(text(opened.Plaintext)).toBe('x');
  });

  it('schedules deletion in 7 to 30 days; a key pending deletion refuses use until cancelled', async () => {
    const key = await newKey();
    await expectAwsError(
      kms.send(new ScheduleKeyDeletionCommand({ KeyId: key, PendingWindowInDays: 6 })),
      'ValidationException',
    );
    await expectAwsError(
      kms.send(new ScheduleKeyDeletionCommand({ KeyId: key, PendingWindowInDays: 31 })),
      'ValidationException',
    );
    const before = Date.now();
    const scheduled = await kms.send(
      new ScheduleKeyDeletionCommand({ KeyId: key, PendingWindowInDays: 7 }),
    );
    expect(scheduled).toMatchObject({
      KeyId: keyArn(key),
      KeyState: 'PendingDeletion',
      PendingWindowInDays: 7,
    });
    const days = (scheduled.DeletionDate!.getTime() - before) / 86_400_000;
    expect(Math.round(days)).toBe(7);
    const meta = (await kms.send(new DescribeKeyCommand({ KeyId: key }))).KeyMetadata!;
    expect(meta).toMatchObject({
      KeyState: 'PendingDeletion',
      Enabled: false,
      PendingDeletionWindowInDays: 7,
    });
    expect(meta.DeletionDate).toEqual(scheduled.DeletionDate);

    const pending = `${keyArn(key)} is pending deletion.`;
    await expectAwsError(
      kms.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x') })),
      'KMSInvalidStateException',
      400,
      pending,
    );
    await expectAwsError(
      kms.send(new EnableKeyCommand({ KeyId: key })),
      'KMSInvalidStateException',
      400,
      pending,
    );
    await expectAwsError(
      kms.send(new ScheduleKeyDeletionCommand({ KeyId: key })),
      'KMSInvalidStateException',
      400,
      pending,
    );

    expect(await kms.send(new CancelKeyDeletionCommand({ KeyId: key }))).toMatchObject({
      KeyId: keyArn(key),
    });
    const after = (await kms.send(new DescribeKeyCommand({ KeyId: key }))).KeyMetadata!;
    expect(after).toMatchObject({ KeyState: 'Disabled', Enabled: false });
    expect(after.DeletionDate).toBeUndefined();
    await expectAwsError(
      kms.send(new CancelKeyDeletionCommand({ KeyId: key })),
      'KMSInvalidStateException',
    );
  });
});

describe('key policies', () => {
  it('gives a new key the default policy that delegates to IAM', async () => {
    const key = await newKey();
    const got = await kms.send(new GetKeyPolicyCommand({ KeyId: key, PolicyName: 'default' }));
    expect(JSON.parse(got.Policy!)).toEqual({
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [
        {
          Sid: 'Enable IAM User Permissions',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    });
    expect((await kms.send(new ListKeyPoliciesCommand({ KeyId: key }))).PolicyNames).toEqual([
      'default',
    ]);
    await expectAwsError(
      kms.send(new GetKeyPolicyCommand({ KeyId: key, PolicyName: 'other' })),
      'NotFoundException',
    );
  });

  it('refuses a policy that would lock the caller out, unless told to bypass the check', async () => {
    const key = await newKey();
    const onlyARole = policy([
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/Someone` },
        Action: 'kms:Decrypt',
        Resource: '*',
      },
    ]);
    await expectAwsError(
      kms.send(new PutKeyPolicyCommand({ KeyId: key, PolicyName: 'default', Policy: onlyARole })),
      'MalformedPolicyDocumentException',
      400,
      'The new key policy will not allow you to update the key policy in the future.',
    );
    await expectAwsError(
      kms.send(new PutKeyPolicyCommand({ KeyId: key, PolicyName: 'default', Policy: '{not json' })),
      'MalformedPolicyDocumentException',
    );
    await kms.send(
      new PutKeyPolicyCommand({
        KeyId: key,
        PolicyName: 'default',
        Policy: onlyARole,
        BypassPolicyLockoutSafetyCheck: true,
      }),
    );
    // Bypassed, the lock-out is real: the account root may no longer even read the policy.
    await expectAwsError(
      kms.send(new GetKeyPolicyCommand({ KeyId: key })),
      'AccessDeniedException',
      400,
      `User: arn:aws:iam::${ACCOUNT}:root is not authorized to perform: kms:GetKeyPolicy on resource: ${keyArn(key)} because no resource-based policy allows the kms:GetKeyPolicy action`,
    );
  });
});

describe('authorization: the key policy and IAM', () => {
  it('denies a role without kms:Decrypt, naming the action and the key', async () => {
    const key = await newKey();
    const sealed = await kms.send(
      new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('rows') }),
    );
    const reader = await roleClient('NoKmsReader', [
      { Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' },
    ]);
    await expectAwsError(
      reader.kms.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob })),
      'AccessDeniedException',
      400,
      `User: ${reader.arn} is not authorized to perform: kms:Decrypt on resource: ${keyArn(key)} because no identity-based policy allows the kms:Decrypt action`,
    );
    // The default key policy delegates to IAM: the role's kms:Encrypt is enough to encrypt.
    const own = await reader.kms.send(
      new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('y') }),
    );
    expect(own.KeyId).toBe(keyArn(key));
  });

  it('grants a role with kms:Decrypt in IAM when the key policy delegates to IAM', async () => {
    const key = await newKey();
    const sealed = await kms.send(
      new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('rows') }),
    );
    const reader = await roleClient('KmsReader', [
      { Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyArn(key) },
    ]);
    const opened = await reader.kms.send(
      new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }),
    );
    expect(text(opened.Plaintext)).toBe('rows');
  });

  it('ignores IAM policies when the key policy does not delegate to IAM', async () => {
    const key = await newKey();
    const sealed = await kms.send(
      new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('rows') }),
    );
    const iamOnly = await roleClient('IamOnly', [
      { Effect: 'Allow', Action: 'kms:*', Resource: '*' },
    ]);
    const named = await roleClient('NamedInKeyPolicy', []);
    await kms.send(
      new PutKeyPolicyCommand({
        KeyId: key,
        PolicyName: 'default',
        BypassPolicyLockoutSafetyCheck: true,
        Policy: policy([
          {
            Sid: 'OnlyThisRole',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/NamedInKeyPolicy` },
            Action: 'kms:Decrypt',
            Resource: '*',
          },
        ]),
      }),
    );
    const denied = await expectAwsError(
      iamOnly.kms.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob })),
      'AccessDeniedException',
      400,
    );
    expect(denied.message).toMatch(
      new RegExp(
        `^User: ${iamOnly.arn} is not authorized to perform: kms:Decrypt on resource: ${keyArn(key)} because no resource-based policy allows the kms:Decrypt action$`,
      ),
    );
    // Named by the key policy itself, a role needs no IAM policy at all.
    const opened = await named.kms.send(
      new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }),
    );
    expect(text(opened.Plaintext)).toBe('rows');
  });

  it('answers other services asking whether a principal may use a key (mayUseKey)', async () => {
    const key = await newKey();
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/for-s3', TargetKeyId: key }));
    const reader = await roleClient('S3Reader', [
      { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' },
    ]);
    const identity = await clients(sandbox.endpoint).sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${ACCOUNT}:role/S3Reader`,
        RoleSessionName: 'job',
      }),
    );
    const caller = sandbox.core.resolveKey(identity.Credentials!.AccessKeyId!)!.caller;
    const ask = (action: string, keyId: string) =>
      mayUseKey(sandbox.core.store, { caller, action, keyId, region: REGION, now: Date.now() });
    expect(await ask('kms:Decrypt', 'alias/for-s3')).toEqual({
      allowed: false,
      code: 'AccessDeniedException',
      message: `User: ${reader.arn} is not authorized to perform: kms:Decrypt on resource: ${keyArn(key)} because no identity-based policy allows the kms:Decrypt action`,
    });
    expect(await ask('kms:Decrypt', 'alias/missing')).toMatchObject({
      allowed: false,
      code: 'NotFoundException',
    });
    const rootCaller = sandbox.core.resolveKey('test')!.caller;
    const granted = await mayUseKey(sandbox.core.store, {
      caller: rootCaller,
      action: 'kms:GenerateDataKey',
      keyId: key,
      region: REGION,
      now: Date.now(),
    });
    expect(granted).toMatchObject({ allowed: true, key: { KeyId: key } });
  });
});

describe('CloudTrail', () => {
  it('records KMS calls as management events, the crypto ones read-only, without plaintext', async () => {
    const key = await newKey('trail');
    await kms.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('do-not-log-me') }));
    const trail = new CloudTrailClient({
      endpoint: sandbox.endpoint,
      region: REGION,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const found = await trail.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 'kms.amazonaws.com' }],
      }),
    );
    const events = found.Events!.map(
      (e) => JSON.parse(e.CloudTrailEvent!) as Record<string, unknown>,
    );
    const encrypt = events.find((e) => e.eventName === 'Encrypt')!;
    const create = events.find(
      (e) => e.eventName === 'CreateKey' && JSON.stringify(e).includes(key),
    )!;
    expect(encrypt).toMatchObject({
      eventSource: 'kms.amazonaws.com',
      readOnly: true,
      managementEvent: true,
      requestParameters: { keyId: key, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
      resources: [{ type: 'AWS::KMS::Key', ARN: keyArn(key), accountId: ACCOUNT }],
    });
    expect(JSON.stringify(encrypt)).not.toContain(Buffer.from('do-not-log-me').toString('base64'));
    expect(create).toMatchObject({ readOnly: false, resources: [{ ARN: keyArn(key) }] });
  });
});
