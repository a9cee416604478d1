/**
 * The AWS services labwright speaks, named as IAM names them (the prefix of `iam:CreateRole`):
 * the one list. The sandbox serves them, src/aws has an SDK client for each
 * (src/aws/sdk-services.json, which must have the same keys), and a check may call them.
 */
export const SERVICE_NAMES = [
  'iam',
  'sts',
  's3',
  'sagemaker',
  'logs',
  'cloudtrail',
  'kms',
] as const;

export type ServiceName = (typeof SERVICE_NAMES)[number];

export function isServiceName(name: string): name is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(name);
}
