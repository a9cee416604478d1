/** The checks AWS makes before accepting an execution role: the caller may pass it, SageMaker may assume it. */
import { AwsError, type RequestContext, type SandboxCore } from '../../types.js';
import { invalidRoleArn, ROLE_ARN, roleNotAssumable } from './errors.js';
import { SERVICE_PRINCIPAL, SESSION_NAME } from './models.js';

export async function acceptRole(
  core: SandboxCore,
  ctx: RequestContext,
  roleArn: string,
  kind: 'notebook' | 'job',
): Promise<void> {
  if (!ROLE_ARN.test(roleArn)) throw invalidRoleArn(roleArn);
  await core.authorize(ctx, 'iam:PassRole', roleArn, {
    context: { 'iam:PassedToService': SERVICE_PRINCIPAL },
  });
  try {
    await core.assumeRoleAsService(SERVICE_PRINCIPAL, roleArn, SESSION_NAME);
  } catch (error) {
    if (!(error instanceof AwsError)) throw error;
    throw roleNotAssumable(roleArn, kind, SERVICE_PRINCIPAL);
  }
}
