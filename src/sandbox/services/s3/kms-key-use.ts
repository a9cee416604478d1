/**
 * Where S3 meets KMS: an SSE-KMS object needs the caller's use of its key, kms:GenerateDataKey to
 * write it and kms:Decrypt to read it, on AWS as well as s3:PutObject / s3:GetObject. The sandbox
 * records the key; this is the one place S3 asks whether the caller may use it, and today it
 * allows every use (the KMS service and its key policies arrive separately).
 */
import type { RequestContext, SandboxCore } from '../../types.js';

export type KmsKeyUse = 'kms:Decrypt' | 'kms:GenerateDataKey';

/** Throws the AccessDenied AWS gives when `ctx.caller` may not use `keyId` for `action`. */
export async function authorizeKmsUse(
  _core: SandboxCore,
  _ctx: RequestContext,
  _keyId: string,
  _action: KmsKeyUse,
): Promise<void> {
  // Every use is allowed until the KMS service evaluates key policies here.
}

/**
 * The key id S3 reports for an SSE-KMS object: a key id or alias as its ARN in the caller's
 * region and account, an ARN as given; without one, the account's AWS managed key for S3.
 */
export function kmsKeyArn(ctx: RequestContext, keyId: string | undefined): string {
  const prefix = `arn:aws:kms:${ctx.region}:${ctx.caller.accountId}`;
  if (keyId === undefined || keyId === '') return `${prefix}:alias/aws/s3`;
  if (keyId.startsWith('arn:')) return keyId;
  if (keyId.startsWith('alias/')) return `${prefix}:${keyId}`;
  return `${prefix}:key/${keyId}`;
}
