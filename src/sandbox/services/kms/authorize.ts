/**
 * Who may use a KMS key, as AWS decides it: the key policy AND IAM. A key policy is not like a
 * bucket policy: IAM policies count only when the key policy lets the account's IAM decide (the
 * default policy's `"Principal": {"AWS": "arn:aws:iam::<account>:root"}`); without that
 * statement only principals the key policy names directly get access. @cloud-copilot/iam-simulate
 * applies that rule for kms actions on key ARNs; this module feeds it the key policy and the
 * condition keys KMS sets, and words a denial as AWS does.
 *
 * `mayUseKey` is the entry point for other services (S3 SSE-KMS): "may this principal
 * kms:Decrypt with this key?", answered without throwing.
 */
import { denialMessage, type DenyReason } from '../../../iam/index.js';
import { evaluateCaller } from '../../auth/authorize.js';
import { AwsError, type Caller, type StateStore } from '../../types.js';
import { parsedPolicy } from '../iam-state.js';
import type { EncryptionContext } from './ciphertext.js';
import { regionKeys, requireEnabled, resolveKey, type KeyRecord } from './keys.js';

/** The condition keys KMS adds to a request on a key. */
export function kmsContext(
  caller: Caller,
  encryptionContext?: EncryptionContext,
): Record<string, string | string[]> {
  const context: Record<string, string | string[]> = { 'kms:CallerAccount': caller.accountId };
  if (encryptionContext) {
    for (const [key, value] of Object.entries(encryptionContext)) {
      context[`kms:EncryptionContext:${key}`] = value;
    }
    context['kms:EncryptionContextKeys'] = Object.keys(encryptionContext);
  }
  return context;
}

export type KeyPolicyDecision =
  { allowed: true } | { allowed: false; reason: DenyReason; message: string };

/**
 * Whether `caller` may perform `action` (`kms:Decrypt`, ...) on `key`, by its key policy and the
 * caller's IAM policies. Unlike other resources, the account root too needs the key policy: a
 * policy without the account statement locks it out, which is why CreateKey and PutKeyPolicy
 * refuse such a policy unless BypassPolicyLockoutSafetyCheck is set, as on AWS.
 */
export async function keyPolicyAllows(
  store: StateStore,
  caller: Caller,
  action: string,
  key: KeyRecord,
  extraContext: Record<string, string | string[]> = {},
): Promise<KeyPolicyDecision> {
  const evaluation = await evaluateCaller(store, caller, action, key.Arn, {
    resourcePolicy: parsedPolicy(key.Policy),
    context: extraContext,
  });
  if (evaluation.decision === 'allowed') return { allowed: true };
  const reason = evaluation.denyReason ?? 'no identity-based policy allows';
  return {
    allowed: false,
    reason,
    message: denialMessage({ principalArn: caller.arn, action, resource: key.Arn, reason }),
  };
}

/** KMS's own AccessDeniedException (400) for a denied call on a key. */
export async function authorizeKeyAction(
  store: StateStore,
  caller: Caller,
  action: string,
  key: KeyRecord,
  encryptionContext?: EncryptionContext,
): Promise<void> {
  const decision = await keyPolicyAllows(
    store,
    caller,
    action,
    key,
    kmsContext(caller, encryptionContext),
  );
  if (!decision.allowed) throw new AwsError('AccessDeniedException', decision.message);
}

/** What `mayUseKey` answers: the key, or why it cannot be used, in KMS's terms. */
export type KeyUseDecision =
  | { allowed: true; key: KeyRecord }
  | {
      allowed: false;
      /** AccessDeniedException, NotFoundException, DisabledException, KMSInvalidStateException... */
      code: string;
      /** AWS's text: for a denial, `User: <arn> is not authorized to perform: kms:Decrypt on ...`. */
      message: string;
    };

/**
 * May `caller` use the key `keyId` (key id, key ARN, alias name or alias ARN) for `action`? The
 * key must exist and be enabled, and its key policy and the caller's IAM policies must allow the
 * action. For a service acting for the caller (S3 reading an SSE-KMS object), pass its condition
 * keys in `context` (`kms:ViaService: s3.us-east-1.amazonaws.com`).
 */
export async function mayUseKey(
  store: StateStore,
  request: {
    caller: Caller;
    action: 'kms:Decrypt' | 'kms:Encrypt' | 'kms:GenerateDataKey' | 'kms:ReEncrypt*' | string;
    keyId: string;
    region: string;
    now: number;
    encryptionContext?: EncryptionContext;
    context?: Record<string, string | string[]>;
  },
): Promise<KeyUseDecision> {
  try {
    const key = resolveKey(
      regionKeys(store, request.region),
      request.region,
      request.keyId,
      request.now,
    );
    const decision = await keyPolicyAllows(store, request.caller, request.action, key, {
      ...kmsContext(request.caller, request.encryptionContext),
      ...request.context,
    });
    if (!decision.allowed) {
      return { allowed: false, code: 'AccessDeniedException', message: decision.message };
    }
    requireEnabled(key);
    return { allowed: true, key };
  } catch (error) {
    if (error instanceof AwsError)
      return { allowed: false, code: error.code, message: error.message };
    throw error;
  }
}
