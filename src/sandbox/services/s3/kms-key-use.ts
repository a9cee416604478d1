/**
 * Where S3 meets KMS: an SSE-KMS object needs the caller's use of its key, kms:GenerateDataKey to
 * write it and kms:Decrypt to read it, on AWS as well as s3:PutObject / s3:GetObject. This is the
 * one place S3 asks KMS (services/kms/authorize.ts: the key policy AND the caller's IAM policies,
 * as S3 asks on the caller's behalf, `kms:ViaService` set). The denial is the classic one a
 * student must learn to read: AccessDenied, naming the KMS action and the key, not S3's.
 */
import { AwsError, type RequestContext, type SandboxCore } from '../../types.js';
import { mayUseKey } from '../kms/authorize.js';

export type KmsKeyUse = 'kms:Decrypt' | 'kms:GenerateDataKey';

/** The AWS managed key S3 uses when a request names none: usable by everyone in the account. */
const AWS_MANAGED_ALIAS = /^arn:[^:]+:kms:[^:]*:\d{12}:alias\/aws\/s3$/;

/**
 * Throws the error AWS gives when `ctx.caller` may not use `keyArn` for `action`; returns the
 * key's own ARN (an alias resolved), which is what S3 reports as the object's SSEKMSKeyId.
 */
export async function authorizeKmsUse(
  core: SandboxCore,
  ctx: RequestContext,
  keyArn: string,
  action: KmsKeyUse,
): Promise<string> {
  // AWS creates aws/s3 on first use, and its key policy lets every principal of the account use
  // it through S3: what decides is the caller's S3 permission, already checked.
  if (AWS_MANAGED_ALIAS.test(keyArn)) return keyArn;
  const region = keyArn.split(':')[3] || ctx.region;
  const decision = await mayUseKey(core.store, {
    caller: ctx.caller,
    action,
    keyId: keyArn,
    region,
    now: core.now(),
    context: { 'kms:ViaService': `s3.${region}.amazonaws.com` },
  });
  if (decision.allowed) return decision.key.Arn;
  if (decision.code === 'AccessDeniedException') {
    throw new AwsError('AccessDenied', decision.message, 403);
  }
  // S3 passes KMS's other refusals on under their KMS name (KMS.NotFoundException, ...).
  throw new AwsError(`KMS.${decision.code}`, decision.message, 400);
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
