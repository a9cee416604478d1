/**
 * S3's resources as the sandbox keeps them: plain JSON in the service's state; object bodies live
 * in the blob store and are named by their SHA-256.
 */

/** How an object is encrypted at rest (SSE-S3 or SSE-KMS; the sandbox stores bytes as sent). */
export interface ObjectEncryption {
  algorithm: 'AES256' | 'aws:kms' | 'aws:kms:dsse';
  /** The KMS key, as given or resolved to its ARN, for aws:kms. */
  kmsKeyId?: string;
  bucketKeyEnabled?: boolean;
}

export interface S3Object {
  key: string;
  size: number;
  etag: string;
  lastModified: string;
  blob: string;
  contentType: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  expires?: string;
  metadata: Record<string, string>;
  checksums?: Record<string, string>;
  /** Absent on a bucket that never had versioning: the `null` version. */
  versionId?: string;
  encryption?: ObjectEncryption;
  tags?: Record<string, string>;
  /** A canned ACL; absent means `private`. */
  acl?: string;
}

/** A version of a key in a versioned bucket: an object, or a delete marker. */
export type ObjectVersion =
  | (S3Object & { deleteMarker?: undefined })
  | { deleteMarker: true; key: string; versionId: string; lastModified: string };

export interface Upload {
  uploadId: string;
  key: string;
  initiated: string;
  object: Omit<S3Object, 'size' | 'etag' | 'lastModified' | 'blob'>;
  parts: Record<string, { etag: string; size: number; blob: string }>;
}

export interface PublicAccessBlock {
  BlockPublicAcls: boolean;
  IgnorePublicAcls: boolean;
  BlockPublicPolicy: boolean;
  RestrictPublicBuckets: boolean;
}

export type ObjectOwnership = 'BucketOwnerEnforced' | 'BucketOwnerPreferred' | 'ObjectWriter';

export interface Bucket {
  name: string;
  region: string;
  creationDate: string;
  policy?: string;
  /** The current version of each key (what GetObject without a version id reads). */
  objects: Record<string, S3Object>;
  uploads?: Record<string, Upload>;
  /** Once versioning was ever set: every version of each key, newest first. */
  versions?: Record<string, ObjectVersion[]>;
  versioning?: 'Enabled' | 'Suspended';
  publicAccessBlock?: PublicAccessBlock;
  /** Default encryption; absent means SSE-S3 (AES256), as S3 applies to every bucket since 2023. */
  encryption?: ObjectEncryption;
  tags?: Record<string, string>;
  /** Absent means BucketOwnerEnforced, S3's default for new buckets since April 2023. */
  ownership?: ObjectOwnership;
  acl?: string;
}

export interface S3State {
  buckets: Record<string, Bucket>;
  /** Bodies kept inside the JSON state (base64) when the store offers no blob storage. */
  inline?: Record<string, string>;
}

/** The account's canonical user id, as S3 shows owners (LocalStack's value for 000000000000). */
export const OWNER = {
  ID: '75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a',
  DisplayName: 'webfile',
};

export const bucketArn = (bucket: string) => `arn:aws:s3:::${bucket}`;
export const objectArn = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;

/** S3 lists keys in UTF-8 binary order. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
