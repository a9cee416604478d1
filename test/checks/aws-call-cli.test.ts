/**
 * `aws.call` reads a target's answer as `aws ... --query` does: the same query gives the value
 * the aws CLI prints for the same call, on the sandbox and on moto_server. IAM policy documents
 * are parsed (botocore URL-decodes them), dates are ISO 8601, an object's body is its text, and a
 * HEAD request's bare 404 is NotFound, "Not Found".
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  CreateBucketCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckOutcome } from '../../checks/define.js';
import { checkTypes } from '../../checks/index.js';
import { startSandbox } from '../../src/sandbox/server.js';
import { testCheckContext } from '../support/check-context.js';
import { startMoto } from '../support/moto.js';
import { requireTool } from '../support/tools.js';
import { awsEnv, CLI_TIMEOUT_MS, run } from '../sandbox/service-clients.js';
import { policy, trustSageMaker } from '../sandbox/helpers.js';

const hasAws = requireTool('aws');
const hasMoto = requireTool('moto_server');

const BUCKET = 'training-data';
const KEY = 'data/train.csv';
const BODY = 'label,feature\n1,0.5\n';
const ROLE_POLICY = policy([
  { Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: '*' },
]);
const BUCKET_POLICY = policy([
  {
    Sid: 'AccountReads',
    Effect: 'Allow',
    Principal: { AWS: 'arn:aws:iam::000000000000:root' },
    Action: 's3:GetObject',
    Resource: `arn:aws:s3:::${BUCKET}/*`,
  },
]);

interface Target {
  endpoint: string;
  stop(): Promise<void>;
}

const targets: [string, boolean, () => Promise<Target>][] = [
  ['the sandbox', true, () => startSandbox({ port: 0, memory: true, log: () => {} })],
  ['moto_server', hasMoto, () => startMoto()],
];

describe.each(targets)('aws.call on %s reads as `aws --query`', (_name, available, start) => {
  let target: Target;
  const dir = mkdtempSync(join(tmpdir(), 'labwright-aws-call-'));
  // cli_timestamp_format iso8601 is CLI v2's default; CLI v1 prints timestamps as received.
  const config = join(dir, 'config');
  writeFileSync(config, '[default]\ncli_timestamp_format = iso8601\n');

  const check = async (input: Record<string, unknown>): Promise<CheckOutcome> => {
    const type = checkTypes.get('aws.call')!;
    return type.run(type.with.parse(input), testCheckContext({ endpoint: target.endpoint }));
  };
  /** The value of the check's only query. */
  const queried = async (call: string, input: object, query: string): Promise<unknown> => {
    const outcome = await check({ call, input, expect: [{ query, minLength: 0 }] });
    expect(outcome.status, outcome.message).toBe('passed');
    return (outcome.evidence?.results as { result: unknown }[])[0]?.result;
  };
  const cli = async (args: string[]) => {
    const result = await run('aws', [...args, '--output', 'json'], {
      ...awsEnv(target.endpoint),
      AWS_CONFIG_FILE: config,
    });
    return { ...result, json: () => JSON.parse(result.stdout) as unknown };
  };

  beforeAll(async () => {
    if (!available || !hasAws) return;
    target = await start();
    const common = {
      endpoint: target.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    };
    const iam = new IAMClient(common);
    const s3 = new S3Client({ ...common, forcePathStyle: true });
    await iam.send(
      new CreateRoleCommand({ RoleName: 'R', AssumeRolePolicyDocument: trustSageMaker }),
    );
    await iam.send(
      new PutRolePolicyCommand({ RoleName: 'R', PolicyName: 'Read', PolicyDocument: ROLE_POLICY }),
    );
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: BODY }));
    await s3.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: BUCKET_POLICY }));
  }, 60_000);
  afterAll(async () => {
    await target?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!available || !hasAws)(
    "queries into IAM policy documents, as the CLI's decoded ones",
    async () => {
      const service = 'Role.AssumeRolePolicyDocument.Statement[0].Principal.Service';
      const outcome = await check({
        call: 'iam:GetRole',
        input: { RoleName: 'R' },
        expect: [{ query: service, equals: 'sagemaker.amazonaws.com' }],
      });
      expect(outcome.status, outcome.message).toBe('passed');
      const byCli = await cli(['iam', 'get-role', '--role-name', 'R', '--query', service]);
      expect(byCli.json()).toBe('sagemaker.amazonaws.com');

      const action = 'PolicyDocument.Statement[0].Action';
      const inline = { RoleName: 'R', PolicyName: 'Read' };
      const fromCli = await cli([
        'iam',
        'get-role-policy',
        '--role-name',
        'R',
        '--policy-name',
        'Read',
        '--query',
        action,
      ]);
      expect(await queried('iam:GetRolePolicy', inline, action)).toEqual(fromCli.json());
      expect(fromCli.json()).toEqual(['s3:GetObject', 's3:ListBucket']);
    },
    CLI_TIMEOUT_MS,
  );

  it.skipIf(!available || !hasAws)(
    'gives dates in ISO 8601, as the CLI prints them',
    async () => {
      const created = await queried('iam:GetRole', { RoleName: 'R' }, 'Role.CreateDate');
      const byCli = await cli([
        'iam',
        'get-role',
        '--role-name',
        'R',
        '--query',
        'Role.CreateDate',
      ]);
      expect(created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/);
      // The SDK keeps milliseconds where botocore keeps microseconds (moto sends them).
      const cliTime = byCli.json() as string;
      expect(Math.abs(Date.parse(created as string) - Date.parse(cliTime))).toBeLessThanOrEqual(1);
      if (!/\.\d{6}/.test(cliTime)) expect(created).toBe(cliTime);
    },
    CLI_TIMEOUT_MS,
  );

  it.skipIf(!available || !hasAws)(
    "parses the bucket policy, and reads an object's body as text",
    async () => {
      const effect = await check({
        call: 's3:GetBucketPolicy',
        input: { Bucket: BUCKET },
        expect: [{ query: "Policy.Statement[?Sid=='AccountReads'].Effect | [0]", equals: 'Allow' }],
      });
      expect(effect.status, effect.message).toBe('passed');
      // The CLI prints the policy as JSON text: the same document once parsed.
      const policyText = await cli(['s3api', 'get-bucket-policy', '--bucket', BUCKET]);
      const { Policy } = policyText.json() as { Policy: string };
      expect(await queried('s3:GetBucketPolicy', { Bucket: BUCKET }, 'Policy')).toEqual(
        JSON.parse(Policy),
      );

      const body = await check({
        call: 's3:GetObject',
        input: { Bucket: BUCKET, Key: KEY },
        expect: [{ query: 'Body', matches: '^label,feature\\n' }],
      });
      expect(body.status, body.message).toBe('passed');
      const copied = await run('aws', ['s3', 'cp', `s3://${BUCKET}/${KEY}`, '-'], {
        ...awsEnv(target.endpoint),
      });
      expect(await queried('s3:GetObject', { Bucket: BUCKET, Key: KEY }, 'Body')).toBe(
        copied.stdout,
      );
      expect(await queried('s3:GetObject', { Bucket: BUCKET, Key: KEY }, 'ContentLength')).toBe(
        BODY.length,
      );
    },
    CLI_TIMEOUT_MS,
  );

  it.skipIf(!available || !hasAws)(
    "says NotFound with AWS's text for a missing object's HeadObject",
    async () => {
      const input = { Bucket: BUCKET, Key: 'data/missing.csv' };
      const unexpected = await check({ call: 's3:HeadObject', input });
      expect(unexpected.status).toBe('failed');
      expect(unexpected.message).toBe('s3:HeadObject failed with NotFound: Not Found');
      for (const expectError of ['NotFound', '404']) {
        const expected = await check({ call: 's3:HeadObject', input, expectError });
        expect(expected.status, expected.message).toBe('passed');
      }
      const byCli = await cli(['s3api', 'head-object', '--bucket', BUCKET, '--key', input.Key]);
      expect(byCli.code).not.toBe(0);
      expect(byCli.stderr).toContain(
        'An error occurred (404) when calling the HeadObject operation: Not Found',
      );
    },
    CLI_TIMEOUT_MS,
  );
});
