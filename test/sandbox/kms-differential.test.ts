/**
 * Differential test for KMS: the same SDK call sequence against the sandbox and moto_server gives
 * the same response shapes (the sandbox may add fields AWS has and moto leaves out), the same
 * values where both are deterministic, and the same error codes. Only behaviour moto implements
 * as AWS does is compared.
 */
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
  KMSClient,
  ListAliasesCommand,
  ListKeyPoliciesCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  PutKeyPolicyCommand,
  ScheduleKeyDeletionCommand,
  UpdateAliasCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { startMoto, type Moto } from '../support/moto.js';
import { requireTool } from '../support/tools.js';

const hasMoto = requireTool('moto_server');

/**
 * Where moto departs from AWS the sandbox follows AWS: moto sends `SigningAlgorithms: []` for an
 * encryption key (AWS leaves it out) and omits KeyUsage and MultiRegion when CreateKey does not
 * name them (AWS always sends them).
 */
function withoutMotoOnlyFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutMotoOnlyFields);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'SigningAlgorithms')
      .map(([key, item]) => [key, withoutMotoOnlyFields(item)]),
  );
}
const root = { accessKeyId: 'test', secretAccessKey: 'test' };

/** The keys of a response, recursively (arrays by their first element), without $metadata. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length > 0 ? [shape(value[0])] : [];
  if (value instanceof Date) return 'Date';
  if (value instanceof Uint8Array) return 'bytes';
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .filter((k) => k !== '$metadata')
        .sort()
        .map((k) => [k, shape((value as Record<string, unknown>)[k])]),
    );
  }
  return typeof value;
}

type Step = { step: string; shape?: unknown; values?: unknown; error?: string };
type Out = Record<string, unknown>;

async function step(
  transcript: Step[],
  name: string,
  call: () => Promise<unknown>,
  pick: (out: Out) => unknown = () => undefined,
): Promise<Out | undefined> {
  try {
    const out = (await call()) as Out;
    transcript.push({ step: name, shape: shape(out), values: pick(out) });
    return out;
  } catch (error) {
    transcript.push({ step: name, error: (error as Error).name });
    return undefined;
  }
}

const text = (bytes: unknown) => Buffer.from(bytes as Uint8Array).toString('utf8');
const meta = (o: Out) => o.KeyMetadata as Out;

/** One lesson-like sequence of KMS calls. */
async function scenario(endpoint: string): Promise<Step[]> {
  const kms = new KMSClient({ endpoint, region: 'us-east-1', credentials: root, maxAttempts: 1 });
  const t: Step[] = [];
  const created = await step(
    t,
    'CreateKey',
    () =>
      kms.send(
        new CreateKeyCommand({
          Description: 'training data',
          Tags: [{ TagKey: 'course', TagValue: 'ml' }],
        }),
      ),
    (o) => {
      const m = meta(o);
      return [m.Description, m.KeyState, m.Enabled, m.KeySpec, m.Origin, m.KeyManager];
    },
  );
  const keyId = String(meta(created ?? { KeyMetadata: {} }).KeyId);
  const keyArn = String(meta(created ?? { KeyMetadata: {} }).Arn);
  const other = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId as string;

  await step(
    t,
    'DescribeKey by ARN',
    () => kms.send(new DescribeKeyCommand({ KeyId: keyArn })),
    (o) => meta(o).KeyId === keyId,
  );
  await step(t, 'DescribeKey missing', () =>
    kms.send(new DescribeKeyCommand({ KeyId: '11111111-2222-3333-4444-555555555555' })),
  );
  await step(
    t,
    'ListKeys',
    () => kms.send(new ListKeysCommand({})),
    (o) => (o.Keys as Out[]).map((k) => k.KeyId === keyId || k.KeyId === other),
  );
  await step(
    t,
    'ListResourceTags',
    () => kms.send(new ListResourceTagsCommand({ KeyId: keyId })),
    (o) => o.Tags,
  );
  await step(t, 'CreateAlias', () =>
    kms.send(new CreateAliasCommand({ AliasName: 'alias/training', TargetKeyId: keyId })),
  );
  await step(t, 'CreateAlias again', () =>
    kms.send(new CreateAliasCommand({ AliasName: 'alias/training', TargetKeyId: other })),
  );
  await step(t, 'CreateAlias reserved', () =>
    kms.send(new CreateAliasCommand({ AliasName: 'alias/aws/s3', TargetKeyId: keyId })),
  );
  await step(
    t,
    'DescribeKey by alias',
    () => kms.send(new DescribeKeyCommand({ KeyId: 'alias/training' })),
    (o) => meta(o).KeyId === keyId,
  );
  await step(
    t,
    'ListAliases for the key',
    () => kms.send(new ListAliasesCommand({ KeyId: keyId })),
    (o) => (o.Aliases as Out[]).map((a) => [a.AliasName, a.TargetKeyId === keyId]),
  );
  await step(t, 'UpdateAlias', () =>
    kms.send(new UpdateAliasCommand({ AliasName: 'alias/training', TargetKeyId: other })),
  );
  await step(
    t,
    'DescribeKey by moved alias',
    () => kms.send(new DescribeKeyCommand({ KeyId: 'alias/training' })),
    (o) => meta(o).KeyId === other,
  );
  await step(t, 'DeleteAlias', () =>
    kms.send(new DeleteAliasCommand({ AliasName: 'alias/training' })),
  );
  await step(t, 'DescribeKey by deleted alias', () =>
    kms.send(new DescribeKeyCommand({ KeyId: 'alias/training' })),
  );
  await step(
    t,
    'GetKeyPolicy',
    () => kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' })),
    (o) => JSON.parse(String(o.Policy)) as unknown,
  );
  await step(
    t,
    'ListKeyPolicies',
    () => kms.send(new ListKeyPoliciesCommand({ KeyId: keyId })),
    (o) => o.PolicyNames,
  );
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::000000000000:root' },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  });
  await step(t, 'PutKeyPolicy', () =>
    kms.send(new PutKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default', Policy: policy })),
  );
  await step(
    t,
    'GetKeyPolicy after Put',
    () => kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' })),
    (o) => o.Policy,
  );

  const context = { bucket: 'training' };
  const sealed = await step(
    t,
    'Encrypt',
    () =>
      kms.send(
        new EncryptCommand({
          KeyId: keyId,
          Plaintext: Buffer.from('rows'),
          EncryptionContext: context,
        }),
      ),
    (o) => o.KeyId === keyArn,
  );
  await step(
    t,
    'Decrypt',
    () =>
      kms.send(
        new DecryptCommand({
          CiphertextBlob: sealed?.CiphertextBlob as Uint8Array,
          EncryptionContext: context,
        }),
      ),
    (o) => [text(o.Plaintext), o.KeyId === keyArn],
  );
  await step(t, 'Decrypt with another context', () =>
    kms.send(
      new DecryptCommand({
        CiphertextBlob: sealed?.CiphertextBlob as Uint8Array,
        EncryptionContext: { bucket: 'other' },
      }),
    ),
  );
  await step(
    t,
    'GenerateDataKey',
    () => kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' })),
    (o) => [(o.Plaintext as Uint8Array).length, o.KeyId === keyArn],
  );
  await step(
    t,
    'GenerateDataKeyWithoutPlaintext',
    () => kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: keyId, NumberOfBytes: 16 })),
    (o) => [o.Plaintext, o.KeyId === keyArn],
  );
  await step(t, 'GenerateDataKey without a size', () =>
    kms.send(new GenerateDataKeyCommand({ KeyId: keyId })),
  );

  await step(t, 'DisableKey', () => kms.send(new DisableKeyCommand({ KeyId: keyId })));
  await step(
    t,
    'DescribeKey disabled',
    () => kms.send(new DescribeKeyCommand({ KeyId: keyId })),
    (o) => [meta(o).KeyState, meta(o).Enabled],
  );
  await step(t, 'EnableKey', () => kms.send(new EnableKeyCommand({ KeyId: keyId })));
  await step(
    t,
    'ScheduleKeyDeletion',
    () => kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 })),
    // AWS answers the key ARN, KeyState and PendingWindowInDays; moto the bare id and neither.
    (o) => o.DeletionDate instanceof Date,
  );
  await step(
    t,
    'DescribeKey pending deletion',
    () => kms.send(new DescribeKeyCommand({ KeyId: keyId })),
    (o) => [meta(o).KeyState, meta(o).Enabled],
  );
  await step(t, 'CancelKeyDeletion', () =>
    kms.send(new CancelKeyDeletionCommand({ KeyId: keyId })),
  );
  await step(
    t,
    'DescribeKey after cancel',
    () => kms.send(new DescribeKeyCommand({ KeyId: keyId })),
    (o) => [meta(o).KeyState, meta(o).Enabled],
  );
  return t;
}

describe.skipIf(!hasMoto)('differential: KMS, sandbox vs moto_server', () => {
  let sandbox: Sandbox;
  let moto: Moto;
  beforeAll(async () => {
    [sandbox, moto] = await Promise.all([startSandbox({ memory: true }), startMoto()]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([sandbox?.stop(), moto?.stop()]);
  });
  beforeEach(() => moto.reset());

  it('gives the same shapes, values and error codes for keys, aliases, policies and crypto', async () => {
    const [ours, theirs] = await Promise.all([scenario(sandbox.endpoint), scenario(moto.endpoint)]);
    expect(ours.map((s) => s.step)).toEqual(theirs.map((s) => s.step));
    // Every difference at once, so one run shows them all.
    const differences: string[] = [];
    for (let i = 0; i < theirs.length; i++) {
      const a = ours[i] as Step;
      const b = theirs[i] as Step;
      if (a.error !== b.error) differences.push(`${a.step}: error ${a.error} vs ${b.error}`);
      try {
        expect(a.values).toEqual(b.values);
      } catch {
        differences.push(
          `${a.step}: values ${JSON.stringify(a.values)} vs ${JSON.stringify(b.values)}`,
        );
      }
      try {
        // The sandbox may return more than moto (AWS fields moto leaves out), never less.
        expect(a.shape).toMatchObject(withoutMotoOnlyFields(b.shape ?? {}) as object);
      } catch {
        differences.push(
          `${a.step}: shape ${JSON.stringify(a.shape)} vs ${JSON.stringify(b.shape)}`,
        );
      }
    }
    expect(differences).toEqual([]);
  });
});
