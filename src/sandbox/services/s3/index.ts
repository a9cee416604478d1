/**
 * Amazon S3, after moto's layout: the resources in models.ts (versions in versioning.ts), named
 * errors in errors.ts, and thin handlers by concern: buckets, objects, multipart uploads,
 * versioning, encryption, Block Public Access, tagging, ACLs and ownership. Every operation is
 * authorized with its IAM action (iam-actions.ts) and the bucket policy; errors are S3's codes,
 * messages and statuses.
 */
import { serviceModel } from '../../models/index.js';
import { restXmlProtocol } from '../../protocol/rest-xml.js';
import type { SandboxCore, ServiceHandler } from '../../types.js';
import { aclHandlers } from './acl.js';
import { bucketHandlers } from './buckets.js';
import { s3Context } from './context.js';
import { encryptionHandlers } from './encryption.js';
import { describeS3Event } from './events.js';
import { multipartHandlers } from './multipart.js';
import { objectAccess } from './object-access.js';
import { objectHandlers } from './objects.js';
import { publicAccessHandlers } from './public-access.js';
import { taggingHandlers } from './tagging.js';
import { versioningHandlers } from './versioning-handlers.js';

export function s3Service(core: SandboxCore): ServiceHandler {
  const s3 = s3Context(core);
  const objects = objectAccess(s3);
  return {
    name: 's3',
    protocol: restXmlProtocol(serviceModel('s3')),
    operations: {
      ...bucketHandlers(s3),
      ...objectHandlers(s3, objects),
      ...multipartHandlers(s3),
      ...versioningHandlers(s3),
      ...encryptionHandlers(s3),
      ...publicAccessHandlers(s3),
      ...taggingHandlers(s3, objects),
      ...aclHandlers(s3, objects),
    },
    describeEvent: (operation, input) => describeS3Event(operation, input),
  };
}
