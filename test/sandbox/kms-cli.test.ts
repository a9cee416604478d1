/**
 * KMS through the aws CLI and boto3, unchanged, against the sandbox: every operation the sandbox
 * serves, as a student types it in a terminal or calls it from a notebook.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { requireTool } from '../support/tools.js';
import { awsEnv, CLI_TIMEOUT_MS, run } from './service-clients.js';

const hasAws = requireTool('aws');
const hasBoto3 = requireTool('boto3');
const ACCOUNT = '000000000000';

let sandbox: Sandbox;
const dir = mkdtempSync(join(tmpdir(), 'labwright-kms-cli-'));

beforeAll(async () => {
  sandbox = await startSandbox({ memory: true });
});
afterAll(async () => {
  await sandbox.stop();
  rmSync(dir, { recursive: true, force: true });
});

const aws = async (...args: string[]) => {
  const result = await run('aws', ['kms', ...args, '--output', 'json'], awsEnv(sandbox.endpoint));
  return {
    ...result,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- CLI output is checked field by field
    json: () => (result.stdout.trim() ? JSON.parse(result.stdout) : {}) as Record<string, any>,
  };
};

/** A CLI call that must succeed; its JSON output. */
const ok = async (...args: string[]) => {
  const result = await aws(...args);
  expect(result.code, `aws kms ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result;
};

describe.skipIf(!hasAws)('the aws CLI', () => {
  // The tests build on each other (one key, one alias), each within the CLI's time budget.
  let keyId = '';
  let arn = '';
  let policyText = '';
  const plainFile = join(dir, 'plain.txt');

  it(
    'creates a key and an alias and reads them back',
    async () => {
      const created = await aws(
        'create-key',
        '--description',
        'training data',
        '--tags',
        'TagKey=course,TagValue=ml',
      );
      expect(created.code, created.stderr).toBe(0);
      ({ KeyId: keyId, Arn: arn } = created.json().KeyMetadata as { KeyId: string; Arn: string });
      expect(arn).toBe(`arn:aws:kms:us-east-1:${ACCOUNT}:key/${keyId}`);

      expect(
        (await aws('create-alias', '--alias-name', 'alias/data', '--target-key-id', keyId)).code,
      ).toBe(0);
      // One at a time: each CLI run is a python process, and the machine is small.
      const described = await ok('describe-key', '--key-id', 'alias/data');
      const listed = await ok('list-keys');
      const aliases = await ok('list-aliases', '--key-id', keyId);
      const policy = await ok(
        'get-key-policy',
        '--key-id',
        keyId,
        '--policy-name',
        'default',
        '--query',
        'Policy',
      );
      const policies = await ok('list-key-policies', '--key-id', keyId);
      const tags = await ok('list-resource-tags', '--key-id', keyId);
      expect(described.json().KeyMetadata).toMatchObject({
        KeyId: keyId,
        Description: 'training data',
        KeyState: 'Enabled',
      });
      expect(listed.json().Keys).toContainEqual({ KeyId: keyId, KeyArn: arn });
      expect(aliases.json().Aliases.map((a: { AliasName: string }) => a.AliasName)).toEqual([
        'alias/data',
      ]);
      expect(JSON.parse(policy.json() as unknown as string).Statement[0].Principal).toEqual({
        AWS: `arn:aws:iam::${ACCOUNT}:root`,
      });
      expect(policies.json().PolicyNames).toEqual(['default']);
      expect(tags.json().Tags).toEqual([{ TagKey: 'course', TagValue: 'ml' }]);
      policyText = policy.json() as unknown as string;
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'encrypts and decrypts a file and generates data keys',
    async () => {
      writeFileSync(plainFile, 'label,feature\n1,2\n');
      const sealed = await aws(
        'encrypt',
        '--key-id',
        'alias/data',
        '--plaintext',
        `fileb://${plainFile}`,
        '--encryption-context',
        'bucket=training',
      );
      expect(sealed.code, sealed.stderr).toBe(0);
      const blobFile = join(dir, 'blob.bin');
      writeFileSync(blobFile, Buffer.from(sealed.json().CiphertextBlob as string, 'base64'));
      const opened = await aws(
        'decrypt',
        '--ciphertext-blob',
        `fileb://${blobFile}`,
        '--encryption-context',
        'bucket=training',
      );
      expect(opened.code, opened.stderr).toBe(0);
      expect(Buffer.from(opened.json().Plaintext as string, 'base64').toString()).toBe(
        readFileSync(plainFile, 'utf8'),
      );
      const wrongContext = await aws('decrypt', '--ciphertext-blob', `fileb://${blobFile}`);
      expect(wrongContext.stderr).toContain('(InvalidCiphertextException)');

      const dataKey = await aws('generate-data-key', '--key-id', keyId, '--key-spec', 'AES_256');
      expect(Buffer.from(dataKey.json().Plaintext as string, 'base64')).toHaveLength(32);
      const hidden = await aws(
        'generate-data-key-without-plaintext',
        '--key-id',
        keyId,
        '--number-of-bytes',
        '24',
      );
      expect(hidden.json().Plaintext).toBeUndefined();
      expect(hidden.json().KeyId).toBe(arn);
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'disables and enables the key, schedules and cancels its deletion',
    async () => {
      expect((await aws('disable-key', '--key-id', keyId)).code).toBe(0);
      const refused = await aws(
        'encrypt',
        '--key-id',
        keyId,
        '--plaintext',
        `fileb://${plainFile}`,
      );
      expect(refused.stderr).toContain(
        `(DisabledException) when calling the Encrypt operation: ${arn} is disabled.`,
      );
      expect((await aws('enable-key', '--key-id', keyId)).code).toBe(0);

      const scheduled = await aws(
        'schedule-key-deletion',
        '--key-id',
        keyId,
        '--pending-window-in-days',
        '7',
      );
      expect(scheduled.json()).toMatchObject({
        KeyId: arn,
        KeyState: 'PendingDeletion',
        PendingWindowInDays: 7,
      });
      const tooSoon = await aws(
        'schedule-key-deletion',
        '--key-id',
        keyId,
        '--pending-window-in-days',
        '3',
      );
      expect(tooSoon.stderr).toContain('(ValidationException)');
      expect((await aws('cancel-key-deletion', '--key-id', keyId)).json()).toEqual({ KeyId: arn });
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'moves and deletes the alias, puts the key policy',
    async () => {
      const other = (await ok('create-key')).json().KeyMetadata.KeyId as string;
      expect(
        (await aws('update-alias', '--alias-name', 'alias/data', '--target-key-id', other)).code,
      ).toBe(0);
      expect((await aws('describe-key', '--key-id', 'alias/data')).json().KeyMetadata.KeyId).toBe(
        other,
      );
      expect(
        (
          await aws(
            'put-key-policy',
            '--key-id',
            other,
            '--policy-name',
            'default',
            '--policy',
            policyText,
          )
        ).code,
      ).toBe(0);
      expect((await aws('delete-alias', '--alias-name', 'alias/data')).code).toBe(0);
      const gone = await aws('describe-key', '--key-id', 'alias/data');
      expect(gone.stderr).toContain(
        `(NotFoundException) when calling the DescribeKey operation: Alias arn:aws:kms:us-east-1:${ACCOUNT}:alias/data is not found.`,
      );
    },
    CLI_TIMEOUT_MS,
  );
});

const BOTO3_KMS = `
import boto3, json
kms = boto3.client('kms')
out = {}
key = kms.create_key(Description='notebook key', Tags=[{'TagKey': 'team', 'TagValue': 'ml'}])['KeyMetadata']
out['state'] = key['KeyState']
kms.create_alias(AliasName='alias/notebook', TargetKeyId=key['KeyId'])
out['byAlias'] = kms.describe_key(KeyId='alias/notebook')['KeyMetadata']['KeyId'] == key['KeyId']
out['listed'] = any(k['KeyId'] == key['KeyId'] for k in kms.list_keys()['Keys'])
out['aliases'] = [a['AliasName'] for a in kms.list_aliases(KeyId=key['KeyId'])['Aliases']]
sealed = kms.encrypt(KeyId='alias/notebook', Plaintext=b'rows', EncryptionContext={'k': 'v'})
out['decrypted'] = kms.decrypt(CiphertextBlob=sealed['CiphertextBlob'], EncryptionContext={'k': 'v'})['Plaintext'].decode()
dk = kms.generate_data_key(KeyId=key['Arn'], KeySpec='AES_128')
out['dataKey'] = kms.decrypt(CiphertextBlob=dk['CiphertextBlob'])['Plaintext'] == dk['Plaintext']
out['withoutPlaintext'] = 'Plaintext' in kms.generate_data_key_without_plaintext(KeyId=key['KeyId'], KeySpec='AES_256')
policy = kms.get_key_policy(KeyId=key['KeyId'], PolicyName='default')['Policy']
kms.put_key_policy(KeyId=key['KeyId'], PolicyName='default', Policy=policy)
out['policies'] = kms.list_key_policies(KeyId=key['KeyId'])['PolicyNames']
kms.disable_key(KeyId=key['KeyId'])
try:
    kms.encrypt(KeyId=key['KeyId'], Plaintext=b'x')
except kms.exceptions.DisabledException as e:
    out['disabled'] = e.response['Error']['Message']
kms.enable_key(KeyId=key['KeyId'])
kms.schedule_key_deletion(KeyId=key['KeyId'], PendingWindowInDays=30)
try:
    kms.decrypt(CiphertextBlob=sealed['CiphertextBlob'], EncryptionContext={'k': 'v'})
except kms.exceptions.KMSInvalidStateException as e:
    out['pending'] = e.response['Error']['Message']
kms.cancel_key_deletion(KeyId=key['KeyId'])
out['afterCancel'] = kms.describe_key(KeyId=key['KeyId'])['KeyMetadata']['KeyState']
kms.delete_alias(AliasName='alias/notebook')
try:
    kms.describe_key(KeyId='alias/notebook')
except kms.exceptions.NotFoundException as e:
    out['aliasGone'] = e.response['Error']['Code']
out['tags'] = kms.list_resource_tags(KeyId=key['KeyId'])['Tags']
out['arn'] = key['Arn']
print(json.dumps(out))
`;

describe.skipIf(!hasBoto3)('boto3', () => {
  it(
    'drives keys, aliases, policies, states and encryption from python',
    async () => {
      const result = await run('python3', ['-c', BOTO3_KMS], awsEnv(sandbox.endpoint));
      expect(result.code, result.stderr).toBe(0);
      const out = JSON.parse(result.stdout) as Record<string, unknown> & { arn: string };
      expect(out).toEqual({
        state: 'Enabled',
        byAlias: true,
        listed: true,
        aliases: ['alias/notebook'],
        decrypted: 'rows',
        dataKey: true,
        withoutPlaintext: false,
        policies: ['default'],
        disabled: `${out.arn} is disabled.`,
        pending: `${out.arn} is pending deletion.`,
        afterCancel: 'Disabled',
        aliasGone: 'NotFoundException',
        tags: [{ TagKey: 'team', TagValue: 'ml' }],
        arn: out.arn,
      });
    },
    CLI_TIMEOUT_MS,
  );
});
