/**
 * Every service the sandbox serves: one factory per service, `(core) => ServiceHandler`. A
 * service not listed here is not served.
 */
import type { ServiceFactory } from '../types.js';
import { cloudtrailService } from './cloudtrail.js';
import { iamService } from './iam.js';
import { stsService } from './sts.js';
import { logsService } from './logs.js';
import { s3Service } from './s3/index.js';
import { sagemakerService } from './sagemaker/index.js';
import { kmsService } from './kms/handlers.js';

export const serviceFactories: readonly ServiceFactory[] = [
  iamService,
  stsService,
  cloudtrailService,
  s3Service,
  sagemakerService,
  logsService,
  kmsService,
];
