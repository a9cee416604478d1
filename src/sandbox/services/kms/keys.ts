/**
 * KMS keys and aliases: the records, how a KeyId (key id, key ARN, alias name, alias ARN) finds
 * its key, and the key-state rules AWS applies (a disabled key cannot encrypt, a key pending
 * deletion can do almost nothing). Only symmetric encryption keys, as SSE-KMS uses them.
 */
import { dict, lookup } from '../../dict.js';
import { SANDBOX_ACCOUNT, type SandboxCore, type StateStore } from '../../types.js';
import {
  aliasNotFound,
  disabled,
  invalidKeyId,
  keyNotFound,
  pendingDeletion,
  validation,
} from './errors.js';

export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';

export interface Tag {
  TagKey: string;
  TagValue: string;
}

export interface KeyRecord {
  KeyId: string;
  Arn: string;
  /** Epoch ms, from the sandbox clock. */
  CreationDate: number;
  Description: string;
  KeyState: KeyState;
  /** Set while PendingDeletion: when the key is gone (epoch ms). */
  DeletionDate?: number;
  PendingDeletionWindowInDays?: number;
  /** The key policy, as given (or the default one), the one policy KMS names `default`. */
  Policy: string;
  Tags: Tag[];
  /** The key's 256-bit secret, base64: drawn through core.ids, so replay makes the same one. */
  material: string;
}

export interface AliasRecord {
  AliasName: string;
  AliasArn: string;
  TargetKeyId: string;
  CreationDate: number;
  LastUpdatedDate: number;
}

/** One region's keys (by key id) and aliases (by alias name). */
export interface RegionKeys {
  keys: Record<string, KeyRecord>;
  aliases: Record<string, AliasRecord>;
}

interface KmsState {
  regions: Record<string, RegionKeys>;
}

const KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function regionKeys(store: StateStore, region: string): RegionKeys {
  const state = store.get<KmsState>('kms', () => ({ regions: dict<RegionKeys>() }));
  // Keyed by names a client chooses (alias/constructor): tables without a prototype.
  let keys = lookup(state.regions, region);
  if (!keys) {
    keys = { keys: dict<KeyRecord>(), aliases: dict<AliasRecord>() };
    state.regions[region] = keys;
  }
  return keys;
}

export const keyArn = (region: string, keyId: string) =>
  `arn:aws:kms:${region}:${SANDBOX_ACCOUNT}:key/${keyId}`;

export const aliasArn = (region: string, aliasName: string) =>
  `arn:aws:kms:${region}:${SANDBOX_ACCOUNT}:${aliasName}`;

/** The policy CreateKey gives a key when none is passed: it delegates access to IAM. */
export function defaultKeyPolicy(): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [
        {
          Sid: 'Enable IAM User Permissions',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${SANDBOX_ACCOUNT}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    },
    null,
    2,
  );
}

/** A new key (not yet stored: CreateKey checks its policy against it first). */
export function newKey(
  core: SandboxCore,
  region: string,
  fields: { Description: string; Policy?: string; Tags: Tag[] },
): KeyRecord {
  const keyId = core.ids.uuid();
  const key: KeyRecord = {
    KeyId: keyId,
    Arn: keyArn(region, keyId),
    CreationDate: core.now(),
    Description: fields.Description,
    KeyState: 'Enabled',
    Policy: fields.Policy ?? defaultKeyPolicy(),
    Tags: fields.Tags,
    material: core.ids.randomBytes(32),
  };
  return key;
}

/** A key past its deletion date is gone, whether or not a call has removed it yet. */
function exists(key: KeyRecord | undefined, now: number): key is KeyRecord {
  return key !== undefined && !(key.DeletionDate !== undefined && key.DeletionDate <= now);
}

/** The keys that exist, oldest first (ListKeys' order). */
export function listKeys(keys: RegionKeys, now: number): KeyRecord[] {
  return Object.values(keys.keys)
    .filter((key) => exists(key, now))
    .sort((a, b) => a.CreationDate - b.CreationDate || a.KeyId.localeCompare(b.KeyId));
}

/** The aliases whose key exists, by name. */
export function listAliases(keys: RegionKeys, now: number): AliasRecord[] {
  return Object.values(keys.aliases)
    .filter((alias) => exists(lookup(keys.keys, alias.TargetKeyId), now))
    .sort((a, b) => (a.AliasName < b.AliasName ? -1 : a.AliasName > b.AliasName ? 1 : 0));
}

export function findAlias(
  keys: RegionKeys,
  region: string,
  aliasName: string,
  now: number,
): AliasRecord {
  const alias = lookup(keys.aliases, aliasName);
  if (!alias || !exists(lookup(keys.keys, alias.TargetKeyId), now)) {
    throw aliasNotFound(aliasArn(region, aliasName));
  }
  return alias;
}

/** The key an id or key ARN names (aliases not accepted: TargetKeyId, ScheduleKeyDeletion...). */
export function keyById(keys: RegionKeys, region: string, ref: string, now: number): KeyRecord {
  const arn = /^arn:aws:kms:([^:]*):(\d*):key\/(.+)$/.exec(ref);
  const keyId = arn?.[3] ?? ref;
  if (!arn && !KEY_ID.test(ref)) throw invalidKeyId(ref);
  const key = lookup(keys.keys, keyId);
  if (arn && (arn[1] !== region || arn[2] !== SANDBOX_ACCOUNT)) throw keyNotFound(ref);
  if (!exists(key, now)) throw keyNotFound(keyArn(region, keyId));
  return key;
}

/** The key any KeyId form names: key id, key ARN, alias name or alias ARN. */
export function resolveKey(keys: RegionKeys, region: string, ref: string, now: number): KeyRecord {
  const aliasInArn = /^arn:aws:kms:([^:]*):(\d*):(alias\/.+)$/.exec(ref);
  const aliasName = aliasInArn ? aliasInArn[3] : ref.startsWith('alias/') ? ref : undefined;
  if (aliasName === undefined) return keyById(keys, region, ref, now);
  if (aliasInArn && (aliasInArn[1] !== region || aliasInArn[2] !== SANDBOX_ACCOUNT)) {
    throw aliasNotFound(ref);
  }
  const alias = findAlias(keys, region, aliasName, now);
  return keyById(keys, region, alias.TargetKeyId, now);
}

/** Cryptographic operations need an enabled key. */
export function requireEnabled(key: KeyRecord): void {
  if (key.KeyState === 'PendingDeletion') throw pendingDeletion(key.Arn);
  if (key.KeyState === 'Disabled') throw disabled(key.Arn);
}

/** Management operations (enable, disable, aliases, tags) refuse a key pending deletion. */
export function requireNotPendingDeletion(key: KeyRecord): void {
  if (key.KeyState === 'PendingDeletion') throw pendingDeletion(key.Arn);
}

/** KeyMetadata as DescribeKey, CreateKey answer it. */
export function keyMetadata(key: KeyRecord) {
  return {
    AWSAccountId: SANDBOX_ACCOUNT,
    KeyId: key.KeyId,
    Arn: key.Arn,
    CreationDate: new Date(key.CreationDate),
    Enabled: key.KeyState === 'Enabled',
    Description: key.Description,
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeyState: key.KeyState,
    ...(key.DeletionDate !== undefined
      ? {
          DeletionDate: new Date(key.DeletionDate),
          PendingDeletionWindowInDays: key.PendingDeletionWindowInDays,
        }
      : {}),
    Origin: 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
    KeySpec: 'SYMMETRIC_DEFAULT',
    EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    MultiRegion: false,
  };
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** ScheduleKeyDeletion: 7 to 30 days, as AWS allows. */
export function scheduleDeletion(key: KeyRecord, days: number, now: number): void {
  key.KeyState = 'PendingDeletion';
  key.DeletionDate = now + days * DAY_MS;
  key.PendingDeletionWindowInDays = days;
}

/** CancelKeyDeletion leaves the key disabled, as AWS does. */
export function cancelDeletion(key: KeyRecord): void {
  key.KeyState = 'Disabled';
  delete key.DeletionDate;
  delete key.PendingDeletionWindowInDays;
}

export function requireTags(value: unknown): Tag[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw validation('Tags must be a list of TagKey/TagValue pairs.');
  return value.map((tag: { TagKey?: unknown; TagValue?: unknown }) => {
    if (typeof tag?.TagKey !== 'string' || typeof tag.TagValue !== 'string') {
      throw validation('Each tag needs a TagKey and a TagValue.');
    }
    return { TagKey: tag.TagKey, TagValue: tag.TagValue };
  });
}
