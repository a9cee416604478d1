/**
 * Every service the sandbox serves: one factory per service, `(core) => ServiceHandler`.
 * Add a service by importing its factory here and listing it below.
 */
import type { ServiceFactory } from '../types.js';
// --- core services (sandbox core owner) ---
import { cloudtrailService } from './cloudtrail.js';
import { iamService } from './iam.js';
import { stsService } from './sts.js';
// --- S3 / SageMaker / CloudWatch Logs (their owner adds imports here) ---
import { logsService } from './logs.js';
import { s3Service } from './s3.js';
import { sagemakerService } from './sagemaker.js';

export const serviceFactories: readonly ServiceFactory[] = [
  // --- core services ---
  iamService,
  stsService,
  cloudtrailService,
  // --- S3 / SageMaker / CloudWatch Logs ---
  s3Service,
  sagemakerService,
  logsService,
];
