/**
 * The IAM action each S3 operation is authorized as (the Service Authorization Reference's
 * "Actions defined by Amazon S3"), where it differs from the operation's name. One table for the
 * sandbox's authorizer and for labwright's own reports (src/aws/clients.ts); plain data, so the
 * check path can import it without the sandbox.
 */
const S3_IAM_ACTIONS: Readonly<Record<string, string>> = {
  ListBuckets: 'ListAllMyBuckets',
  HeadBucket: 'ListBucket',
  ListObjects: 'ListBucket',
  ListObjectsV2: 'ListBucket',
  ListObjectVersions: 'ListBucketVersions',
  HeadObject: 'GetObject',
  DeleteObjects: 'DeleteObject',
  CopyObject: 'PutObject',
  CreateMultipartUpload: 'PutObject',
  UploadPart: 'PutObject',
  CompleteMultipartUpload: 'PutObject',
  PutPublicAccessBlock: 'PutBucketPublicAccessBlock',
  GetPublicAccessBlock: 'GetBucketPublicAccessBlock',
  DeletePublicAccessBlock: 'PutBucketPublicAccessBlock',
  PutBucketEncryption: 'PutEncryptionConfiguration',
  GetBucketEncryption: 'GetEncryptionConfiguration',
  DeleteBucketEncryption: 'PutEncryptionConfiguration',
  DeleteBucketTagging: 'PutBucketTagging',
  DeleteBucketOwnershipControls: 'PutBucketOwnershipControls',
};

/** Operations that act on one version when given a VersionId, and the action they need then. */
const VERSION_ACTIONS: Readonly<Record<string, string>> = {
  GetObject: 'GetObjectVersion',
  HeadObject: 'GetObjectVersion',
  DeleteObject: 'DeleteObjectVersion',
  GetObjectTagging: 'GetObjectVersionTagging',
  PutObjectTagging: 'PutObjectVersionTagging',
  DeleteObjectTagging: 'DeleteObjectVersionTagging',
  GetObjectAcl: 'GetObjectVersionAcl',
  PutObjectAcl: 'PutObjectVersionAcl',
};

/** `s3:<action>` for an S3 operation; `versioned` when the request names a VersionId. */
export function s3IamAction(operation: string, versioned = false): string {
  const action =
    (versioned ? VERSION_ACTIONS[operation] : undefined) ?? S3_IAM_ACTIONS[operation] ?? operation;
  return `s3:${action}`;
}
