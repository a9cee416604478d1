/**
 * Target options as a student gives them, and the input an aws action sends: policy documents
 * written as YAML objects become the JSON strings AWS APIs take, decided by the SDK's own
 * operation schemas.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadServiceModule } from '../../src/aws/services.js';
import { coerceInput } from '../../src/aws/operation-schema.js';
import { resolveTarget } from '../../src/aws/target.js';
import { loadFileRefs } from '../../src/engine/actions.js';

describe('resolveTarget', () => {
  it('defaults to the sandbox, as the account root with test/test', () => {
    expect(resolveTarget({}, {})).toEqual({
      kind: 'sandbox',
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    // commander gives --target its default; --profile still means real AWS.
    expect(resolveTarget({ target: 'sandbox', profile: 'dev' }, {})).toEqual({
      kind: 'aws',
      profile: 'dev',
    });
  });

  it('finds a LocalStack-compatible endpoint in --endpoint, AWS_ENDPOINT_URL or LOCALSTACK_HOST', () => {
    expect(resolveTarget({ endpoint: 'http://127.0.0.1:5000/' }, {})).toMatchObject({
      kind: 'endpoint',
      endpoint: 'http://127.0.0.1:5000',
    });
    expect(
      resolveTarget({ target: 'localstack' }, { AWS_ENDPOINT_URL: 'http://moto:5000' }),
    ).toMatchObject({ endpoint: 'http://moto:5000' });
    expect(
      resolveTarget({ target: 'localstack' }, { LOCALSTACK_HOST: 'localstack' }),
    ).toMatchObject({ endpoint: 'http://localstack:4566' });
    expect(resolveTarget({ target: 'localstack' }, {})).toMatchObject({
      endpoint: 'http://localhost:4566',
      region: 'us-east-1',
    });
  });

  it('uses credentials from the environment when both are set, else test/test', () => {
    expect(
      resolveTarget(
        { target: 'localstack' },
        { AWS_ACCESS_KEY_ID: 'AKIA1', AWS_SECRET_ACCESS_KEY: 's', AWS_REGION: 'eu-west-1' },
      ),
    ).toMatchObject({
      credentials: { accessKeyId: 'AKIA1', secretAccessKey: 's' },
      region: 'eu-west-1',
    });
    expect(resolveTarget({ target: 'localstack' }, { AWS_ACCESS_KEY_ID: 'AKIA1' })).toMatchObject({
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  });

  it('real AWS takes the profile and region given, or those of the environment', () => {
    expect(
      resolveTarget(
        { target: 'aws' },
        { AWS_PROFILE: 'school', AWS_DEFAULT_REGION: 'eu-central-1' },
      ),
    ).toEqual({
      kind: 'aws',
      profile: 'school',
      region: 'eu-central-1',
    });
    expect(resolveTarget({ profile: 'dev', region: 'us-west-2' }, {})).toEqual({
      kind: 'aws',
      profile: 'dev',
      region: 'us-west-2',
    });
  });

  it('refuses contradictions and bad endpoints with a sentence', () => {
    expect(() => resolveTarget({ endpoint: 'http://x', profile: 'p' }, {})).toThrow(
      '--endpoint and --profile cannot be used together',
    );
    expect(() => resolveTarget({ target: 'aws', endpoint: 'http://x' }, {})).toThrow(
      '--endpoint cannot be used with --target aws',
    );
    expect(() => resolveTarget({ endpoint: 'localhost:4566' }, {})).toThrow(
      'must start with http:// or https://',
    );
    expect(() => resolveTarget({ target: 'gcp' }, {})).toThrow(
      '--target must be sandbox, localstack or aws',
    );
  });
});

describe('aws action input', () => {
  const policy = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
  };

  it('sends documents as JSON where the API member is a string', async () => {
    const iam = await loadServiceModule('iam');
    const input = coerceInput(iam, 'CreateRole', {
      RoleName: 'R',
      AssumeRolePolicyDocument: policy,
      Tags: [{ Key: 'k', Value: 'v' }],
    });
    expect(input).toEqual({
      RoleName: 'R',
      AssumeRolePolicyDocument: JSON.stringify(policy),
      Tags: [{ Key: 'k', Value: 'v' }],
    });
    expect(coerceInput(iam, 'PutRolePolicy', { PolicyDocument: policy }).PolicyDocument).toBe(
      JSON.stringify(policy),
    );
    const s3 = await loadServiceModule('s3');
    expect(coerceInput(s3, 'PutBucketPolicy', { Bucket: 'b', Policy: policy }).Policy).toBe(
      JSON.stringify(policy),
    );
  });

  it('leaves structures and maps as objects', async () => {
    const sagemaker = await loadServiceModule('sagemaker');
    const input = coerceInput(sagemaker, 'CreateTrainingJob', {
      HyperParameters: { feature_dim: '2' },
      ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
    });
    expect(input).toEqual({
      HyperParameters: { feature_dim: '2' },
      ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
    });
  });

  it('falls back to the member name without a schema', () => {
    expect(coerceInput({}, 'Anything', { PolicyDocument: policy, Config: { a: 1 } })).toEqual({
      PolicyDocument: JSON.stringify(policy),
      Config: { a: 1 },
    });
  });
});

describe('{ file } references in a call input', () => {
  it('loads the document with variables filled in, and leaves dates and bytes alone', () => {
    const since = new Date('2026-11-28T00:00:00Z');
    const bytes = new Uint8Array([1, 2, 3]);
    const labDir = path.resolve('labs/sagemaker-iam-roles');
    const input = loadFileRefs(
      {
        StartTime: since,
        Body: bytes,
        PolicyDocument: { file: 'files/s3-list-bucket-policy.json' },
      },
      { bucket: 'class-bucket' },
      labDir,
    ) as Record<string, unknown>;
    expect(input.StartTime).toBe(since);
    expect(input.Body).toBe(bytes);
    expect(JSON.stringify(input.PolicyDocument)).toContain('arn:aws:s3:::class-bucket');
  });
});
