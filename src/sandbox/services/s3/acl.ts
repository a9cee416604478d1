/**
 * Object ownership and canned ACLs. With ownership BucketOwnerEnforced, ACLs are disabled as on
 * AWS: a request that sets any ACL but the owner-only ones is refused with
 * AccessControlListNotSupported. With BlockPublicAcls, a public ACL is refused (AccessDenied).
 * A bucket without ownership controls keeps ACLs enabled, as moto and LocalStack do (AWS itself
 * sets BucketOwnerEnforced on new buckets; a lab sets it explicitly).
 */
import type { OperationHandler } from '../../types.js';
import { type Input, optList, optObject, optString } from '../input.js';
import type { S3Context } from './context.js';
import {
  aclsDisabled,
  invalidArgument,
  malformedXml,
  notConfigured,
  publicAclBlocked,
  s3Error,
} from './errors.js';
import { OWNER, type Bucket, type ObjectOwnership } from './models.js';
import type { ObjectAccess } from './object-access.js';
import { isPublicAcl } from './public-access.js';

const CANNED_ACLS = new Set([
  'private',
  'public-read',
  'public-read-write',
  'authenticated-read',
  'aws-exec-read',
  'bucket-owner-read',
  'bucket-owner-full-control',
  'log-delivery-write',
]);
const OWNERSHIPS = new Set<ObjectOwnership>([
  'BucketOwnerEnforced',
  'BucketOwnerPreferred',
  'ObjectWriter',
]);
/** ACLs a bucket with ACLs disabled still accepts: they grant only the owner. */
const OWNER_ONLY = new Set(['private', 'bucket-owner-full-control']);

const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const AUTHENTICATED_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';
const LOG_DELIVERY = 'http://acs.amazonaws.com/groups/s3/LogDelivery';

/**
 * Checks an ACL a request sets (x-amz-acl, or an AccessControlPolicy body read as the canned ACL
 * it amounts to) against the bucket's ownership and Block Public Access; returns it.
 */
export function acceptAcl(bucket: Bucket, acl: string | undefined): string | undefined {
  if (acl === undefined) return undefined;
  if (!CANNED_ACLS.has(acl)) throw invalidArgument('', 'x-amz-acl', acl);
  if (bucket.ownership === 'BucketOwnerEnforced' && !OWNER_ONLY.has(acl)) throw aclsDisabled();
  if (bucket.publicAccessBlock?.BlockPublicAcls && isPublicAcl(acl)) throw publicAclBlocked();
  return acl === 'private' ? undefined : acl;
}

/** CreateBucket's ownership and ACL, checked together as S3 does. */
export function creationOwnership(input: Input): { ownership?: ObjectOwnership; acl?: string } {
  const ownership = optString(input, 'ObjectOwnership') as ObjectOwnership | undefined;
  if (ownership !== undefined && !OWNERSHIPS.has(ownership)) {
    throw invalidArgument(
      'Invalid x-amz-object-ownership header',
      'x-amz-object-ownership',
      ownership,
    );
  }
  const acl = optString(input, 'ACL');
  if (acl !== undefined && !CANNED_ACLS.has(acl)) throw invalidArgument('', 'x-amz-acl', acl);
  if (ownership === 'BucketOwnerEnforced' && acl !== undefined && !OWNER_ONLY.has(acl)) {
    throw s3Error(
      'InvalidBucketAclWithObjectOwnership',
      "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
      400,
    );
  }
  return {
    ...(ownership ? { ownership } : {}),
    ...(acl && acl !== 'private' ? { acl } : {}),
  };
}

/** The grants a canned ACL stands for, as GetBucketAcl and GetObjectAcl show them. */
function grantsOf(acl: string | undefined) {
  const owner = { Grantee: { ...OWNER, Type: 'CanonicalUser' }, Permission: 'FULL_CONTROL' };
  const group = (uri: string, permission: string) => ({
    Grantee: { URI: uri, Type: 'Group' },
    Permission: permission,
  });
  switch (acl) {
    case 'public-read':
      return [owner, group(ALL_USERS, 'READ')];
    case 'public-read-write':
      return [owner, group(ALL_USERS, 'READ'), group(ALL_USERS, 'WRITE')];
    case 'authenticated-read':
      return [owner, group(AUTHENTICATED_USERS, 'READ')];
    case 'log-delivery-write':
      return [owner, group(LOG_DELIVERY, 'WRITE'), group(LOG_DELIVERY, 'READ_ACP')];
    default:
      return [owner];
  }
}

/** The canned ACL an AccessControlPolicy body amounts to (the grants to AWS's groups decide). */
function cannedFromPolicy(policy: Input): string {
  const grants = optList<Input>(policy, 'Grants') ?? [];
  const to = (uri: string, permission: string) =>
    grants.some(
      (g) =>
        optString(optObject(g, 'Grantee') ?? {}, 'URI') === uri &&
        (optString(g, 'Permission') === permission ||
          optString(g, 'Permission') === 'FULL_CONTROL'),
    );
  if (to(ALL_USERS, 'WRITE')) return 'public-read-write';
  if (to(ALL_USERS, 'READ')) return 'public-read';
  if (to(AUTHENTICATED_USERS, 'READ')) return 'authenticated-read';
  return 'private';
}

/** The ACL a PutBucketAcl / PutObjectAcl request sets: the header, or the body's grants. */
function requestedAcl(input: Input): string {
  const header = optString(input, 'ACL');
  const body = optObject(input, 'AccessControlPolicy');
  if (header !== undefined && body !== undefined) {
    throw s3Error('UnexpectedContent', 'This request does not support content', 400);
  }
  if (header !== undefined) return header;
  if (body !== undefined) return cannedFromPolicy(body);
  throw malformedXml();
}

const aclView = (acl: string | undefined) => ({ Owner: OWNER, Grants: grantsOf(acl) });

export function aclHandlers(
  s3: S3Context,
  objects: ObjectAccess,
): Record<string, OperationHandler> {
  return {
    async PutBucketAcl(input, ctx) {
      const bucket = await s3.bucketFor(ctx, input);
      const acl = acceptAcl(bucket, requestedAcl(input));
      if (acl) bucket.acl = acl;
      else delete bucket.acl;
      s3.core.store.changed();
      return {};
    },

    async GetBucketAcl(input, ctx) {
      const bucket = await s3.bucketFor(ctx, input);
      return aclView(bucket.acl);
    },

    async PutObjectAcl(input, ctx) {
      const bucket = s3.requireBucket(optString(input, 'Bucket'));
      const acl = acceptAcl(bucket, requestedAcl(input));
      const object = await objects.update(ctx, input, (o) => {
        if (acl) o.acl = acl;
        else delete o.acl;
      });
      return { VersionId: object.versionId };
    },

    async GetObjectAcl(input, ctx) {
      const object = await objects.find(ctx, input);
      return { ...aclView(object.acl), VersionId: object.versionId };
    },

    async PutBucketOwnershipControls(input, ctx) {
      const bucket = await s3.bucketFor(ctx, input);
      const rules = optList<Input>(optObject(input, 'OwnershipControls') ?? {}, 'Rules') ?? [];
      const ownership = rules[0] && optString(rules[0], 'ObjectOwnership');
      if (rules.length !== 1 || !ownership || !OWNERSHIPS.has(ownership as ObjectOwnership)) {
        throw malformedXml();
      }
      bucket.ownership = ownership as ObjectOwnership;
      s3.core.store.changed();
      return {};
    },

    async GetBucketOwnershipControls(input, ctx) {
      const bucket = await s3.bucketFor(ctx, input);
      if (!bucket.ownership) throw notConfigured.ownership(bucket.name);
      return { OwnershipControls: { Rules: [{ ObjectOwnership: bucket.ownership }] } };
    },

    async DeleteBucketOwnershipControls(input, ctx) {
      const bucket = await s3.bucketFor(ctx, input);
      delete bucket.ownership;
      s3.core.store.changed();
      return {};
    },
  };
}
