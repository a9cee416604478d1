/**
 * KMS calls as CloudTrail records them: the key as the event's resource, request parameters in
 * camelCase without plaintext or ciphertext, and the cryptographic operations read-only, as AWS
 * marks Encrypt, Decrypt and GenerateDataKey.
 */
import type { EventDetails } from '../../types.js';

const READ_ONLY = new Set([
  'Encrypt',
  'Decrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
]);

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

/** The key ARN an output names (KeyMetadata.Arn, or KeyId as the crypto operations answer it). */
function keyArnOf(output: unknown): string | undefined {
  const out = output as { KeyMetadata?: { Arn?: string }; KeyId?: string } | undefined;
  const arn = out?.KeyMetadata?.Arn ?? out?.KeyId;
  return typeof arn === 'string' && arn.startsWith('arn:') ? arn : undefined;
}

export function kmsEvent(
  operation: string,
  input: Record<string, unknown>,
  output: unknown,
): EventDetails {
  const arn = keyArnOf(output);
  const requestParameters = camel(input);
  if (READ_ONLY.has(operation)) {
    (requestParameters ?? {}).encryptionAlgorithm = 'SYMMETRIC_DEFAULT';
  }
  const details: EventDetails = {
    requestParameters,
    responseElements:
      operation === 'CreateKey' ||
      operation === 'ScheduleKeyDeletion' ||
      operation === 'CancelKeyDeletion'
        ? camel(output as Record<string, unknown>)
        : null,
  };
  if (READ_ONLY.has(operation)) details.readOnly = true;
  if (arn) details.resources = [{ ARN: arn, ResourceType: 'AWS::KMS::Key' }];
  return details;
}
