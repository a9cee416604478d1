import * as z from 'zod';

/** Pieces of `with` schemas that several check types share. */

export const roleName = z
  .string()
  .min(1)
  .describe('The IAM role, by name (SageMakerExecutionRole) or ARN');

export const bucketName = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    'an S3 bucket name: lowercase letters, digits, dots and hyphens',
  )
  .describe('The S3 bucket name, without s3://');

export const servicePrincipal = z
  .string()
  .regex(
    /^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/,
    'a service principal such as sagemaker.amazonaws.com',
  )
  .describe('A service principal such as sagemaker.amazonaws.com');

/** One IAM action, or several, e.g. s3:ListBucket or ["s3:GetObject", "s3:PutObject"]. */
export const iamActions = z
  .union([z.string().min(3), z.array(z.string().min(3)).min(1)])
  .describe('IAM action(s), service:Action, e.g. s3:ListBucket');

export const arn = z.string().regex(/^(arn:aws[a-z-]*:|\*$)/, 'an ARN (arn:aws:...) or *');

/** A probe: may (or may not) the role do `action` on `resource`? */
export const permissionProbe = z.strictObject({
  action: iamActions,
  resource: arn.describe('The resource ARN the action applies to'),
  context: z
    .record(z.string(), z.union([z.string(), z.array(z.string())]))
    .optional()
    .describe('Request context keys, e.g. aws:SourceIp'),
});
