/** S3's errors: codes, messages, statuses and the extra elements S3 puts beside them. */
import { RestXmlError } from '../../protocol/rest-xml.js';

export const s3Error = (
  code: string,
  message: string,
  status: number,
  fields: Record<string, string> = {},
) => new RestXmlError(code, message, status, fields);

export const noSuchBucket = (bucket: string) =>
  s3Error('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: bucket });

export const noSuchKey = (key: string) =>
  s3Error('NoSuchKey', 'The specified key does not exist.', 404, { Key: key });

export const noSuchVersion = (key: string, versionId: string) =>
  s3Error('NoSuchVersion', 'The specified version does not exist.', 404, {
    Key: key,
    VersionId: versionId,
  });

export const invalidVersionId = (versionId: string) =>
  s3Error('InvalidArgument', 'Invalid version id specified', 400, {
    ArgumentName: 'versionId',
    ArgumentValue: versionId,
  });

/** GetObject of a delete marker by its version id. */
export const methodNotAllowed = (method: string) =>
  s3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405, {
    Method: method,
    ResourceType: 'DeleteMarker',
  });

export const internalError = () =>
  s3Error('InternalError', 'We encountered an internal error. Please try again.', 500);

export const malformedXml = () =>
  s3Error(
    'MalformedXML',
    'The XML you provided was not well-formed or did not validate against our published schema',
    400,
  );

export const invalidArgument = (message: string, name?: string, value?: string) =>
  s3Error('InvalidArgument', message, 400, {
    ...(name !== undefined ? { ArgumentName: name } : {}),
    ...(value !== undefined ? { ArgumentValue: value } : {}),
  });

export const invalidRequest = (message: string) => s3Error('InvalidRequest', message, 400);

/** A bucket subresource that was never set, in S3's words for each. */
export const notConfigured = {
  policy: (bucket: string) =>
    s3Error('NoSuchBucketPolicy', 'The bucket policy does not exist', 404, { BucketName: bucket }),
  publicAccessBlock: (bucket: string) =>
    s3Error(
      'NoSuchPublicAccessBlockConfiguration',
      'The public access block configuration was not found',
      404,
      { BucketName: bucket },
    ),
  encryption: (bucket: string) =>
    s3Error(
      'ServerSideEncryptionConfigurationNotFoundError',
      'The server side encryption configuration was not found',
      404,
      { BucketName: bucket },
    ),
  tagging: (bucket: string) =>
    s3Error('NoSuchTagSet', 'The TagSet does not exist', 404, { BucketName: bucket }),
  ownership: (bucket: string) =>
    s3Error('OwnershipControlsNotFoundError', 'The bucket ownership controls were not found', 404, {
      BucketName: bucket,
    }),
};

/** BlockPublicAcls refusing a public ACL: S3 says no more than Access Denied. */
export const publicAclBlocked = () => s3Error('AccessDenied', 'Access Denied', 403);

/** BlockPublicPolicy refusing a public bucket policy, in AWS's words. */
export const publicPolicyBlocked = (callerArn: string, bucket: string) =>
  s3Error(
    'AccessDenied',
    `User: ${callerArn} is not authorized to perform: s3:PutBucketPolicy on resource: "arn:aws:s3:::${bucket}" because public policies are blocked by the BlockPublicPolicy block public access setting.`,
    403,
  );

/** An ACL on a bucket whose ownership is BucketOwnerEnforced (ACLs disabled). */
export const aclsDisabled = () =>
  s3Error('AccessControlListNotSupported', 'The bucket does not allow ACLs', 400);

export const invalidTag = (message: string) => s3Error('InvalidTag', message, 400);
