/**
 * Environment problems a student can act on: exit 3 and one sentence, never a stack trace, and
 * never the AWS SDK's Node version warning. A lab that does not load exits 2 with file:line:col.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/server.js';
import { startSandbox } from '../../src/sandbox/server.js';
import { freePort } from '../support/moto.js';
import { labwright, makeHome, STACK_FRAME, type Home } from './support.js';

let home: Home;
let sandbox: Sandbox;

beforeAll(async () => {
  home = makeHome();
  sandbox = await startSandbox({ port: 0, memory: true, log: () => undefined });
});

afterAll(async () => {
  await sandbox?.stop();
});

function expectClean(stderr: string) {
  expect(stderr).not.toMatch(STACK_FRAME);
  expect(stderr).not.toContain('NodeVersionSupportWarning');
}

describe('targets that cannot be used', () => {
  it('an endpoint where nothing listens: exit 3, and how to get one', async () => {
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const result = await labwright(home, ['check', 'sagemaker-iam-roles', '--endpoint', endpoint]);
    expectClean(result.stderr);
    expect(result.status).toBe(3);
    expect(result.stderr.trim()).toBe(
      `labwright: nothing answers at ${endpoint}: is LocalStack running? \`labwright sandbox\` starts a local one`,
    );
    expect(result.stdout).toBe('');
  });

  it('AWS_ENDPOINT_URL is used for --target localstack', async () => {
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const result = await labwright(
      home,
      ['check', 'sagemaker-iam-roles', '--target', 'localstack'],
      { AWS_ENDPOINT_URL: endpoint },
    );
    expect(result.status).toBe(3);
    expect(result.stderr).toContain(`nothing answers at ${endpoint}`);
  });

  it('credentials the endpoint refuses: exit 3 with a sentence', async () => {
    // The sandbox takes any long-term key as the root user (LocalStack's convention) but
    // refuses temporary (ASIA) keys it never issued, as AWS does.
    const result = await labwright(
      home,
      ['check', 'sagemaker-iam-roles', '--endpoint', sandbox.endpoint],
      {
        AWS_ACCESS_KEY_ID: 'ASIAEXAMPLEWRONGKEY1',
        AWS_SECRET_ACCESS_KEY: 'not-the-secret',
        AWS_SESSION_TOKEN: 'not-a-token',
      },
    );
    expectClean(result.stderr);
    expect(result.status).toBe(3);
    expect(result.stderr).toMatch(
      new RegExp(
        `^labwright: ${sandbox.endpoint.replace(/[.]/g, '\\.')} refused the credentials \\((InvalidClientTokenId|SignatureDoesNotMatch|UnrecognizedClientException)\\): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or unset them to use test/test\\n$`,
      ),
    );
  });

  it('the endpoint that works: the same command reaches it (exit 1: nothing is done yet)', async () => {
    const result = await labwright(home, [
      'check',
      'sagemaker-iam-roles',
      '--endpoint',
      sandbox.endpoint,
      '--no-wait',
      '--json',
    ]);
    expectClean(result.stderr);
    expect(result.status).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.target).toMatchObject({
      kind: 'endpoint',
      endpoint: sandbox.endpoint,
      account: '000000000000',
    });
    expect(report.steps[0].checks[0]).toMatchObject({ id: 'whoami', status: 'passed' });
  });

  it('an expired AWS SSO session: exit 3, and the login command for that profile', async () => {
    // A real ~/.aws of a student whose SSO token has expired; the SDK reads it and refuses.
    const awsHome = path.join(home.dir, 'sso-home');
    mkdirSync(path.join(awsHome, '.aws', 'sso', 'cache'), { recursive: true });
    writeFileSync(
      path.join(awsHome, '.aws', 'config'),
      [
        '[profile course]',
        'sso_session = school',
        'sso_account_id = 123456789012',
        'sso_role_name = Student',
        'region = us-east-1',
        '',
        '[sso-session school]',
        'sso_start_url = https://example.awsapps.com/start',
        'sso_region = us-east-1',
        'sso_registration_scopes = sso:account:access',
        '',
      ].join('\n'),
    );
    const cacheName = `${createHash('sha1').update('school').digest('hex')}.json`;
    writeFileSync(
      path.join(awsHome, '.aws', 'sso', 'cache', cacheName),
      JSON.stringify({
        accessToken: 'expired',
        expiresAt: '2020-01-01T00:00:00Z',
        region: 'us-east-1',
        startUrl: 'https://example.awsapps.com/start',
      }),
    );
    const result = await labwright(home, ['check', 'sagemaker-iam-roles', '--profile', 'course'], {
      HOME: awsHome,
    });
    expectClean(result.stderr);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain('run `aws sso login --profile course`');
  });

  it("labwright's own identity lacking a permission: the check says which action, exit 3", async () => {
    // The checker runs as a role that may do nothing but exist (GetCallerIdentity needs no permission).
    const config = {
      endpoint: sandbox.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    };
    const iam = new IAMClient(config);
    const sts = new STSClient(config);
    try {
      await iam.send(
        new CreateRoleCommand({
          RoleName: 'NothingAllowed',
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: 'arn:aws:iam::000000000000:root' },
                Action: 'sts:AssumeRole',
              },
            ],
          }),
        }),
      );
      const { Credentials } = await sts.send(
        new AssumeRoleCommand({
          RoleArn: 'arn:aws:iam::000000000000:role/NothingAllowed',
          RoleSessionName: 'checker',
        }),
      );
      const result = await labwright(
        home,
        [
          'check',
          'sagemaker-iam-roles',
          '--endpoint',
          sandbox.endpoint,
          '--step',
          'create-role',
          '--no-wait',
        ],
        {
          AWS_ACCESS_KEY_ID: Credentials!.AccessKeyId!,
          AWS_SECRET_ACCESS_KEY: Credentials!.SecretAccessKey!,
          AWS_SESSION_TOKEN: Credentials!.SessionToken!,
        },
      );
      expectClean(result.stderr);
      expect(result.status).toBe(3);
      expect(result.stdout).toMatch(
        /! role-exists: .*\n\s+labwright's identity \(arn:aws:sts::000000000000:assumed-role\/NothingAllowed\/checker\) is not allowed to call iam:GetRole/,
      );
      expect(result.stderr).toContain(
        'labwright: the identity labwright runs as may not call iam:GetRole',
      );
    } finally {
      iam.destroy();
      sts.destroy();
    }
  });

  it('contradictory target options: exit 2', async () => {
    const result = await labwright(home, [
      'check',
      'sagemaker-iam-roles',
      '--endpoint',
      sandbox.endpoint,
      '--profile',
      'dev',
    ]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--endpoint and --profile cannot be used together');
  });

  it('a lab that does not load: exit 2 with file:line:col', async () => {
    const dir = path.join(home.dir, 'broken');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'lab.yaml'),
      [
        'id: broken',
        'title: Broken',
        'steps:',
        '  - id: one',
        '    title: One',
        '    checks:',
        '      - id: c',
        '        type: iam.role.exist',
        '',
      ].join('\n'),
    );
    const result = await labwright(home, [
      'check',
      path.join(dir, 'lab.yaml'),
      '--endpoint',
      sandbox.endpoint,
    ]);
    expectClean(result.stderr);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /lab\.yaml:8:\d+: unknown check type "iam\.role\.exist" \(did you mean "iam\.role\.exists"\?\)/,
    );
  });
});
