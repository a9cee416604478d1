/** CloudTrail's view of S3 calls. */
import type { EventDetails } from '../../types.js';
import { type Input, optString } from '../input.js';
import { bucketArn, objectArn } from './models.js';

/** CloudTrail's view of an S3 call: the bucket (and object) it touched. */
export function describeS3Event(operation: string, input: Input): EventDetails {
  const bucket = optString(input, 'Bucket');
  const key = optString(input, 'Key');
  const resources: NonNullable<EventDetails['resources']> = [];
  if (bucket) resources.push({ ARN: bucketArn(bucket), ResourceType: 'AWS::S3::Bucket' });
  if (bucket && key)
    resources.push({ ARN: objectArn(bucket, key), ResourceType: 'AWS::S3::Object' });
  const requestParameters: Record<string, unknown> = {};
  if (bucket) requestParameters.bucketName = bucket;
  if (key) requestParameters.key = key;
  if (operation.startsWith('ListObjects')) {
    for (const [name, param] of [
      ['Prefix', 'prefix'],
      ['Delimiter', 'delimiter'],
      ['MaxKeys', 'max-keys'],
    ] as const) {
      if (input[name] !== undefined) requestParameters[param] = input[name];
    }
  }
  return { resources, requestParameters };
}
