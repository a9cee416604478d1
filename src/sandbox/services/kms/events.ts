/**
 * KMS calls as CloudTrail records them: the key as the event's resource, request parameters in
 * camelCase without plaintext or ciphertext. Encrypt, Decrypt and GenerateDataKey are read-only
 * events by trail.ts's rule, as CloudTrail marks them.
 */
import { SANDBOX_ACCOUNT, SANDBOX_REGION, type EventDetails } from '../../types.js';

/** Members never written to a trail: key material in and out. */
const SECRET = new Set(['Plaintext', 'CiphertextBlob']);

function camel(input: Record<string, unknown>): Record<string, unknown> | null {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined || SECRET.has(key)) continue;
    out[key.charAt(0).toLowerCase() + key.slice(1)] = value;
  }
  return Object.keys(out).length > 0 ? out : null;
}

/** The cryptographic operations, whose events name the algorithm as AWS's do. */
const CRYPTO = /^(Encrypt|Decrypt|GenerateDataKey)/;

const KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The key ARN a call names: in its output (KeyMetadata.Arn, or KeyId as the crypto operations
 * answer it), else its input's key id or key ARN (EnableKey, PutKeyPolicy, CreateAlias...).
 */
function keyArnOf(input: Record<string, unknown>, output: unknown): string | undefined {
  const out = output as { KeyMetadata?: { Arn?: string }; KeyId?: string } | undefined;
  const answered = out?.KeyMetadata?.Arn ?? out?.KeyId;
  if (typeof answered === 'string' && answered.startsWith('arn:')) return answered;
  const named = input.KeyId ?? input.TargetKeyId;
  if (typeof named !== 'string') return undefined;
  if (/^arn:aws:kms:[^:]*:\d*:key\//.test(named)) return named;
  return KEY_ID.test(named)
    ? `arn:aws:kms:${SANDBOX_REGION}:${SANDBOX_ACCOUNT}:key/${named}`
    : undefined;
}

export function kmsEvent(
  operation: string,
  input: Record<string, unknown>,
  output: unknown,
): EventDetails {
  const arn = keyArnOf(input, output);
  const crypto = CRYPTO.test(operation);
  const requestParameters = camel(input);
  const parameters =
    crypto && requestParameters
      ? { ...requestParameters, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' }
      : requestParameters;
  const details: EventDetails = {
    requestParameters: parameters,
    responseElements:
      operation === 'CreateKey' ||
      operation === 'ScheduleKeyDeletion' ||
      operation === 'CancelKeyDeletion'
        ? camel(output as Record<string, unknown>)
        : null,
  };
  if (arn) details.resources = [{ ARN: arn, ResourceType: 'AWS::KMS::Key' }];
  return details;
}
