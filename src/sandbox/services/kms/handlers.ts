/**
 * KMS (JSON 1.1, TrentService): symmetric keys, aliases, key policies, key states and the
 * cryptographic operations SSE-KMS relies on. Handlers are thin: read the input, find the key,
 * authorize by key policy and IAM (./authorize.ts), apply the model (./keys.ts, ./ciphertext.ts).
 */
import { validatePolicyDocument } from '../../../iam/index.js';
import { dict } from '../../dict.js';
import {
  AwsError,
  type RequestContext,
  type SandboxCore,
  type ServiceHandler,
} from '../../types.js';
import { optBoolean, optNumber, optObject, optString, reqString, type Input } from '../input.js';
import { authorizeKeyAction, keyPolicyAllows } from './authorize.js';
import { open, seal, sealedKeyId, type EncryptionContext } from './ciphertext.js';
import {
  alreadyExists,
  incorrectKey,
  malformedPolicy,
  memberValidation,
  notAuthorized,
  notFound,
  notPendingDeletion,
  pendingDeletion,
  unsupportedOperation,
  validation,
} from './errors.js';
import { kmsEvent } from './events.js';
import {
  aliasArn,
  cancelDeletion,
  newKey,
  findAlias,
  keyById,
  keyMetadata,
  listAliases,
  listKeys,
  regionKeys,
  requireEnabled,
  requireNotPendingDeletion,
  requireTags,
  resolveKey,
  scheduleDeletion,
  type KeyRecord,
} from './keys.js';
import { page } from './paginate.js';

const ALIAS_NAME = /^[a-zA-Z0-9:/_-]+$/;
const MAX_PLAINTEXT = 4096;

function encryptionContextOf(input: Input): EncryptionContext {
  const context = optObject(input, 'EncryptionContext') ?? {};
  const out = dict<string>();
  for (const [key, value] of Object.entries(context)) out[key] = String(value);
  return out;
}

function bytesOf(input: Input, name: string): Buffer {
  const value = input[name];
  if (!(value instanceof Uint8Array) || value.length === 0) {
    throw validation(
      `1 validation error detected: Value at '${name.charAt(0).toLowerCase() + name.slice(1)}' failed to satisfy constraint: Member must have length greater than or equal to 1`,
    );
  }
  return Buffer.from(value);
}

/** The sandbox serves symmetric encryption keys only; any other kind is refused by name. */
function requireSymmetric(input: Input): void {
  const usage = optString(input, 'KeyUsage');
  const spec = optString(input, 'KeySpec') ?? optString(input, 'CustomerMasterKeySpec');
  const origin = optString(input, 'Origin');
  if (
    (usage !== undefined && usage !== 'ENCRYPT_DECRYPT') ||
    (spec !== undefined && spec !== 'SYMMETRIC_DEFAULT') ||
    (origin !== undefined && origin !== 'AWS_KMS') ||
    optBoolean(input, 'MultiRegion') === true
  ) {
    throw unsupportedOperation(
      'The sandbox serves symmetric encryption keys only (KeySpec SYMMETRIC_DEFAULT, KeyUsage ENCRYPT_DECRYPT, Origin AWS_KMS, single-Region).',
    );
  }
}

function requireAlgorithm(input: Input): void {
  const algorithm = optString(input, 'EncryptionAlgorithm');
  if (algorithm !== undefined && algorithm !== 'SYMMETRIC_DEFAULT') {
    throw new AwsError(
      'InvalidKeyUsageException',
      `The encryption algorithm ${algorithm} is not compatible with the type of key.`,
    );
  }
}

function aliasNameOf(input: Input): string {
  const name = reqString(input, 'AliasName');
  if (!name.startsWith('alias/')) {
    throw validation(
      'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html',
    );
  }
  if (!ALIAS_NAME.test(name) || name.length > 256) {
    throw memberValidation(
      'aliasName',
      name,
      'Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$',
    );
  }
  if (name.startsWith('alias/aws/')) throw notAuthorized();
  return name;
}

export function kmsService(core: SandboxCore): ServiceHandler {
  const keysOf = (ctx: RequestContext) => regionKeys(core.store, ctx.region);

  /** The key a KeyId names (any form when `aliases`), authorized for `action`. */
  async function keyFor(
    input: Input,
    ctx: RequestContext,
    action: string,
    options: { aliases?: boolean; context?: EncryptionContext } = {},
  ): Promise<KeyRecord> {
    const ref = reqString(input, 'KeyId');
    const keys = keysOf(ctx);
    const key = options.aliases
      ? resolveKey(keys, ctx.region, ref, core.now())
      : keyById(keys, ctx.region, ref, core.now());
    await authorizeKeyAction(core.store, ctx.caller, action, key, options.context);
    return key;
  }

  /** A new key policy: valid JSON and grammar, and (unless bypassed) one that lets the caller manage the key. */
  async function checkedPolicy(input: Input, ctx: RequestContext, key: KeyRecord): Promise<string> {
    const policy = reqString(input, 'Policy');
    const problems = validatePolicyDocument(policy, 'resource');
    if (problems.length > 0) throw malformedPolicy(problems[0]?.message ?? 'Invalid policy');
    if (optBoolean(input, 'BypassPolicyLockoutSafetyCheck') !== true) {
      const decision = await keyPolicyAllows(core.store, ctx.caller, 'kms:PutKeyPolicy', {
        ...key,
        Policy: policy,
      });
      if (!decision.allowed) {
        throw malformedPolicy(
          'The new key policy will not allow you to update the key policy in the future.',
        );
      }
    }
    return policy;
  }

  function cryptoKey(
    input: Input,
    ctx: RequestContext,
    action: string,
    context: EncryptionContext,
  ): Promise<KeyRecord> {
    return keyFor(input, ctx, action, { aliases: true, context }).then((key) => {
      requireEnabled(key);
      return key;
    });
  }

  function sealFor(key: KeyRecord, plaintext: Uint8Array, context: EncryptionContext): Buffer {
    return seal(key.KeyId, key.material, core.ids.randomBytes(12), plaintext, context);
  }

  function dataKeyLength(input: Input): number {
    const spec = optString(input, 'KeySpec');
    const bytes = optNumber(input, 'NumberOfBytes');
    if ((spec === undefined) === (bytes === undefined)) {
      throw validation('Please specify either number of bytes or key spec.');
    }
    if (spec !== undefined) {
      if (spec !== 'AES_256' && spec !== 'AES_128') {
        throw memberValidation(
          'keySpec',
          spec,
          'Member must satisfy enum value set: [AES_256, AES_128]',
        );
      }
      return spec === 'AES_256' ? 32 : 16;
    }
    if (!Number.isInteger(bytes) || (bytes as number) < 1 || (bytes as number) > 1024) {
      throw memberValidation(
        'numberOfBytes',
        bytes,
        (bytes as number) < 1
          ? 'Member must have value greater than or equal to 1'
          : 'Member must have value less than or equal to 1024',
      );
    }
    return bytes as number;
  }

  async function generateDataKey(input: Input, ctx: RequestContext, action: string) {
    const length = dataKeyLength(input);
    const context = encryptionContextOf(input);
    const key = await cryptoKey(input, ctx, action, context);
    const plaintext = Buffer.from(core.ids.randomBytes(length), 'base64');
    return { key, plaintext, blob: sealFor(key, plaintext, context) };
  }

  return {
    name: 'kms',
    operations: {
      async CreateKey(input, ctx) {
        requireSymmetric(input);
        const description = optString(input, 'Description') ?? '';
        if (description.length > 8192) {
          throw memberValidation(
            'description',
            description,
            'Member must have length less than or equal to 8192',
          );
        }
        const tags = requireTags(input.Tags);
        await core.authorize(ctx, 'kms:CreateKey', '*');
        const policy = optString(input, 'Policy');
        const key = newKey(core, ctx.region, {
          Description: description,
          Tags: tags,
          Policy: policy,
        });
        if (policy !== undefined) key.Policy = await checkedPolicy(input, ctx, key);
        keysOf(ctx).keys[key.KeyId] = key;
        return { KeyMetadata: keyMetadata(key) };
      },

      async DescribeKey(input, ctx) {
        const key = await keyFor(input, ctx, 'kms:DescribeKey', { aliases: true });
        return { KeyMetadata: keyMetadata(key) };
      },

      async ListKeys(input, ctx) {
        await core.authorize(ctx, 'kms:ListKeys', '*');
        const { items, ...rest } = page(listKeys(keysOf(ctx), core.now()), input, 100);
        return { Keys: items.map((key) => ({ KeyId: key.KeyId, KeyArn: key.Arn })), ...rest };
      },

      async CreateAlias(input, ctx) {
        const name = aliasNameOf(input);
        const target = reqString(input, 'TargetKeyId');
        if (target.startsWith('alias/') || target.includes(':alias/')) {
          throw validation('Aliases must refer to keys. Not aliases');
        }
        const keys = keysOf(ctx);
        await core.authorize(ctx, 'kms:CreateAlias', aliasArn(ctx.region, name));
        const key = await keyFor({ KeyId: target }, ctx, 'kms:CreateAlias');
        requireNotPendingDeletion(key);
        if (keys.aliases[name]) {
          throw alreadyExists(
            `An alias with the name ${aliasArn(ctx.region, name)} already exists`,
          );
        }
        const now = core.now();
        keys.aliases[name] = {
          AliasName: name,
          AliasArn: aliasArn(ctx.region, name),
          TargetKeyId: key.KeyId,
          CreationDate: now,
          LastUpdatedDate: now,
        };
        return {};
      },

      async UpdateAlias(input, ctx) {
        const name = aliasNameOf(input);
        const target = reqString(input, 'TargetKeyId');
        if (target.startsWith('alias/') || target.includes(':alias/')) {
          throw validation('Aliases must refer to keys. Not aliases');
        }
        const keys = keysOf(ctx);
        const alias = findAlias(keys, ctx.region, name, core.now());
        await core.authorize(ctx, 'kms:UpdateAlias', alias.AliasArn);
        await keyFor({ KeyId: alias.TargetKeyId }, ctx, 'kms:UpdateAlias');
        const key = await keyFor({ KeyId: target }, ctx, 'kms:UpdateAlias');
        requireNotPendingDeletion(key);
        alias.TargetKeyId = key.KeyId;
        alias.LastUpdatedDate = core.now();
        return {};
      },

      async DeleteAlias(input, ctx) {
        const name = aliasNameOf(input);
        const keys = keysOf(ctx);
        const alias = findAlias(keys, ctx.region, name, core.now());
        await core.authorize(ctx, 'kms:DeleteAlias', alias.AliasArn);
        await keyFor({ KeyId: alias.TargetKeyId }, ctx, 'kms:DeleteAlias');
        delete keys.aliases[name];
        return {};
      },

      async ListAliases(input, ctx) {
        await core.authorize(ctx, 'kms:ListAliases', '*');
        const keys = keysOf(ctx);
        const keyId = optString(input, 'KeyId');
        let aliases = listAliases(keys, core.now());
        if (keyId !== undefined) {
          const key = keyById(keys, ctx.region, keyId, core.now());
          aliases = aliases.filter((alias) => alias.TargetKeyId === key.KeyId);
        }
        const { items, ...rest } = page(aliases, input, 50);
        return {
          Aliases: items.map((alias) => ({
            ...alias,
            CreationDate: new Date(alias.CreationDate),
            LastUpdatedDate: new Date(alias.LastUpdatedDate),
          })),
          ...rest,
        };
      },

      async GetKeyPolicy(input, ctx) {
        const key = await keyFor(input, ctx, 'kms:GetKeyPolicy');
        const name = optString(input, 'PolicyName') ?? 'default';
        if (name !== 'default') throw notFound('No such policy exists');
        return { Policy: key.Policy, PolicyName: 'default' };
      },

      async PutKeyPolicy(input, ctx) {
        const key = await keyFor(input, ctx, 'kms:PutKeyPolicy');
        const name = optString(input, 'PolicyName') ?? 'default';
        if (name !== 'default') throw notFound('No such policy exists');
        key.Policy = await checkedPolicy(input, ctx, key);
        return {};
      },

      async ListKeyPolicies(input, ctx) {
        await keyFor(input, ctx, 'kms:ListKeyPolicies');
        return { PolicyNames: ['default'], Truncated: false };
      },

      async EnableKey(input, ctx) {
        const key = await keyFor(input, ctx, 'kms:EnableKey');
        requireNotPendingDeletion(key);
        key.KeyState = 'Enabled';
        return {};
      },

      async DisableKey(input, ctx) {
        const key = await keyFor(input, ctx, 'kms:DisableKey');
        requireNotPendingDeletion(key);
        key.KeyState = 'Disabled';
        return {};
      },

      async ScheduleKeyDeletion(input, ctx) {
        const days = optNumber(input, 'PendingWindowInDays') ?? 30;
        if (!Number.isInteger(days) || days < 7 || days > 30) {
          throw memberValidation(
            'pendingWindowInDays',
            input.PendingWindowInDays,
            days < 7
              ? 'Member must have value greater than or equal to 7'
              : 'Member must have value less than or equal to 30',
          );
        }
        const key = await keyFor(input, ctx, 'kms:ScheduleKeyDeletion');
        if (key.KeyState === 'PendingDeletion') throw pendingDeletion(key.Arn);
        scheduleDeletion(key, days, core.now());
        return {
          KeyId: key.Arn,
          DeletionDate: new Date(key.DeletionDate as number),
          KeyState: key.KeyState,
          PendingWindowInDays: days,
        };
      },

      async CancelKeyDeletion(input, ctx) {
        const key = await keyFor(input, ctx, 'kms:CancelKeyDeletion');
        if (key.KeyState !== 'PendingDeletion') throw notPendingDeletion(key.Arn);
        cancelDeletion(key);
        return { KeyId: key.Arn };
      },

      async Encrypt(input, ctx) {
        const plaintext = bytesOf(input, 'Plaintext');
        if (plaintext.length > MAX_PLAINTEXT) {
          throw validation(
            "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096",
          );
        }
        requireAlgorithm(input);
        const context = encryptionContextOf(input);
        const key = await cryptoKey(input, ctx, 'kms:Encrypt', context);
        return {
          CiphertextBlob: sealFor(key, plaintext, context),
          KeyId: key.Arn,
          EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        };
      },

      async Decrypt(input, ctx) {
        const blob = bytesOf(input, 'CiphertextBlob');
        requireAlgorithm(input);
        const context = encryptionContextOf(input);
        const keys = keysOf(ctx);
        const sealedId = sealedKeyId(blob);
        let key: KeyRecord;
        try {
          key = keyById(keys, ctx.region, sealedId, core.now());
        } catch {
          throw new AwsError(
            'AccessDeniedException',
            'The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.',
          );
        }
        if (optString(input, 'KeyId') !== undefined) {
          const named = resolveKey(
            keys,
            ctx.region,
            optString(input, 'KeyId') as string,
            core.now(),
          );
          if (named.KeyId !== key.KeyId) throw incorrectKey();
        }
        await authorizeKeyAction(core.store, ctx.caller, 'kms:Decrypt', key, context);
        requireEnabled(key);
        return {
          KeyId: key.Arn,
          Plaintext: open(blob, key.material, context),
          EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        };
      },

      async GenerateDataKey(input, ctx) {
        const { key, plaintext, blob } = await generateDataKey(input, ctx, 'kms:GenerateDataKey');
        return { CiphertextBlob: blob, Plaintext: plaintext, KeyId: key.Arn };
      },

      async GenerateDataKeyWithoutPlaintext(input, ctx) {
        const { key, blob } = await generateDataKey(
          input,
          ctx,
          'kms:GenerateDataKeyWithoutPlaintext',
        );
        return { CiphertextBlob: blob, KeyId: key.Arn };
      },

      async TagResource(input, ctx) {
        const tags = requireTags(input.Tags);
        const key = await keyFor(input, ctx, 'kms:TagResource');
        requireNotPendingDeletion(key);
        for (const tag of tags) {
          const existing = key.Tags.find((t) => t.TagKey === tag.TagKey);
          if (existing) existing.TagValue = tag.TagValue;
          else key.Tags.push(tag);
        }
        return {};
      },

      async UntagResource(input, ctx) {
        const names = Array.isArray(input.TagKeys) ? input.TagKeys.map(String) : [];
        const key = await keyFor(input, ctx, 'kms:UntagResource');
        requireNotPendingDeletion(key);
        key.Tags = key.Tags.filter((tag) => !names.includes(tag.TagKey));
        return {};
      },

      async ListResourceTags(input, ctx) {
        const key = await keyFor(input, ctx, 'kms:ListResourceTags');
        const { items, ...rest } = page(key.Tags, input, 50);
        return { Tags: items, ...rest };
      },
    },

    describeEvent: kmsEvent,
  };
}
