/**
 * Bucket policy validation as PutBucketPolicy does it: S3 answers MalformedPolicy with short
 * messages of its own ("Policy has invalid resource", "Missing required field Principal"), and
 * only accepts resources inside the bucket and s3 actions.
 */
import { validatePolicyDocument } from '../../../iam/index.js';
import type { PolicyDocument } from '../../types.js';
import { RestXmlError } from '../../protocol/rest-xml.js';

const malformed = (message: string) => new RestXmlError('MalformedPolicy', message, 400);

const asList = (value: unknown): unknown[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** Parses and validates `text` as the policy of `bucket`; throws MalformedPolicy otherwise. */
export function parseBucketPolicy(text: string, bucket: string): PolicyDocument {
  if (!text.trimStart().startsWith('{')) {
    throw malformed("Policies must be valid JSON and the first byte must be '{'");
  }
  let policy: PolicyDocument;
  try {
    policy = JSON.parse(text) as PolicyDocument;
  } catch {
    throw malformed("Policies must be valid JSON and the first byte must be '{'");
  }
  const statements = asList(policy.Statement);
  if (statements.length === 0) throw malformed('Missing required field Statement');
  for (const raw of statements) {
    if (!raw || typeof raw !== 'object') throw malformed('Invalid policy syntax.');
    const statement = raw as Record<string, unknown>;
    if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') {
      throw malformed('Invalid effect: ' + String(statement.Effect));
    }
    if (statement.Principal === undefined && statement.NotPrincipal === undefined) {
      throw malformed('Missing required field Principal');
    }
    const actions = asList(statement.Action ?? statement.NotAction);
    if (actions.length === 0) throw malformed('Missing required field Action');
    if (actions.some((a) => typeof a !== 'string' || !/^(s3:[A-Za-z*?]+|\*)$/.test(a))) {
      throw malformed('Policy has invalid action');
    }
    const resources = asList(statement.Resource ?? statement.NotResource);
    if (resources.length === 0) throw malformed('Missing required field Resource');
    const inBucket = (r: unknown) =>
      typeof r === 'string' &&
      (r === `arn:aws:s3:::${bucket}` || r.startsWith(`arn:aws:s3:::${bucket}/`));
    if (!resources.every(inBucket)) throw malformed('Policy has invalid resource');
  }
  const problems = validatePolicyDocument(policy, 'resource');
  if (problems.length > 0) throw malformed('Invalid policy syntax.');
  return policy;
}
