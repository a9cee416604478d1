#!/usr/bin/env node
// Extracts the AWS service models the sandbox serves from an unpacked `aws-sdk` v2 package,
// trimmed to the operations the sandbox implements and the shapes they reach, so the sandbox
// ships a few hundred KB of data instead of depending on a 90 MB package at run time.
//
// Usage: cd /tmp && npm pack aws-sdk && tar xzf aws-sdk-*.tgz
//        node scripts/extract-models.mjs /tmp/package
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** service name in the sandbox -> [model file stem, operations kept] */
const SERVICES = {
  iam: [
    'iam-2010-05-08',
    [
      'CreateRole',
      'GetRole',
      'ListRoles',
      'DeleteRole',
      'UpdateRole',
      'UpdateRoleDescription',
      'UpdateAssumeRolePolicy',
      'TagRole',
      'UntagRole',
      'ListRoleTags',
      'CreatePolicy',
      'GetPolicy',
      'ListPolicies',
      'DeletePolicy',
      'CreatePolicyVersion',
      'GetPolicyVersion',
      'ListPolicyVersions',
      'DeletePolicyVersion',
      'SetDefaultPolicyVersion',
      'AttachRolePolicy',
      'DetachRolePolicy',
      'ListAttachedRolePolicies',
      'ListEntitiesForPolicy',
      'PutRolePolicy',
      'GetRolePolicy',
      'ListRolePolicies',
      'DeleteRolePolicy',
      'SimulatePrincipalPolicy',
      'GetUser',
    ],
  ],
  sts: ['sts-2011-06-15', ['GetCallerIdentity', 'AssumeRole']],
  s3: [
    's3-2006-03-01',
    [
      'CreateBucket',
      'HeadBucket',
      'ListBuckets',
      'DeleteBucket',
      'GetBucketLocation',
      'PutObject',
      'GetObject',
      'HeadObject',
      'DeleteObject',
      'DeleteObjects',
      'CopyObject',
      'ListObjectsV2',
      'ListObjects',
      'PutBucketPolicy',
      'GetBucketPolicy',
      'DeleteBucketPolicy',
      'CreateMultipartUpload',
      'UploadPart',
      'CompleteMultipartUpload',
      'AbortMultipartUpload',
      'PutPublicAccessBlock',
      'GetPublicAccessBlock',
      'DeletePublicAccessBlock',
      'PutBucketEncryption',
      'GetBucketEncryption',
      'DeleteBucketEncryption',
      'PutBucketVersioning',
      'GetBucketVersioning',
      'ListObjectVersions',
      'PutBucketTagging',
      'GetBucketTagging',
      'DeleteBucketTagging',
      'PutObjectTagging',
      'GetObjectTagging',
      'DeleteObjectTagging',
      'PutBucketOwnershipControls',
      'GetBucketOwnershipControls',
      'DeleteBucketOwnershipControls',
      'PutBucketAcl',
      'GetBucketAcl',
      'PutObjectAcl',
      'GetObjectAcl',
      'GetBucketPolicyStatus',
    ],
  ],
  sagemaker: [
    'sagemaker-2017-07-24',
    [
      'CreateNotebookInstance',
      'DescribeNotebookInstance',
      'ListNotebookInstances',
      'StopNotebookInstance',
      'StartNotebookInstance',
      'DeleteNotebookInstance',
      'UpdateNotebookInstance',
      'CreateTrainingJob',
      'DescribeTrainingJob',
      'ListTrainingJobs',
      'StopTrainingJob',
    ],
  ],
  logs: [
    'logs-2014-03-28',
    [
      'CreateLogGroup',
      'DescribeLogGroups',
      'DeleteLogGroup',
      'CreateLogStream',
      'DescribeLogStreams',
      'DeleteLogStream',
      'PutLogEvents',
      'GetLogEvents',
      'FilterLogEvents',
    ],
  ],
  cloudtrail: [
    'cloudtrail-2013-11-01',
    [
      'CreateTrail',
      'GetTrail',
      'DescribeTrails',
      'ListTrails',
      'DeleteTrail',
      'StartLogging',
      'StopLogging',
      'GetTrailStatus',
      'LookupEvents',
    ],
  ],
  kms: [
    'kms-2014-11-01',
    [
      'CreateKey',
      'DescribeKey',
      'ListKeys',
      'CreateAlias',
      'DeleteAlias',
      'UpdateAlias',
      'ListAliases',
      'GetKeyPolicy',
      'PutKeyPolicy',
      'ListKeyPolicies',
      'EnableKey',
      'DisableKey',
      'ScheduleKeyDeletion',
      'CancelKeyDeletion',
      'Encrypt',
      'Decrypt',
      'GenerateDataKey',
      'GenerateDataKeyWithoutPlaintext',
      'TagResource',
      'UntagResource',
      'ListResourceTags',
    ],
  ],
};

const sdk = process.argv[2];
if (!sdk) {
  console.error('usage: node scripts/extract-models.mjs <path to unpacked aws-sdk package>');
  process.exit(2);
}
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'sandbox', 'models');
mkdirSync(out, { recursive: true });

/** Collects the named shapes a shape definition references, transitively. */
function reach(shapes, node, seen) {
  if (!node || typeof node !== 'object') return;
  if (typeof node.shape === 'string' && !seen.has(node.shape)) {
    seen.add(node.shape);
    reach(shapes, shapes[node.shape], seen);
  }
  for (const [key, value] of Object.entries(node)) {
    if (key !== 'shape' && value && typeof value === 'object') reach(shapes, value, seen);
  }
}

for (const [name, [stem, operations]] of Object.entries(SERVICES)) {
  const model = JSON.parse(readFileSync(join(sdk, 'apis', `${stem}.min.json`), 'utf8'));
  const kept = {};
  const seen = new Set();
  for (const op of operations) {
    const def = model.operations[op];
    if (!def) throw new Error(`${stem} has no operation ${op}`);
    kept[op] = def;
    reach(model.shapes, def, seen);
  }
  const shapes = Object.fromEntries([...seen].sort().map((id) => [id, model.shapes[id]]));
  const trimmed = { metadata: model.metadata, operations: kept, shapes };
  writeFileSync(join(out, `${name}.json`), JSON.stringify(trimmed) + '\n');
  console.log(`${name}: ${operations.length} operations, ${seen.size} shapes`);
}
