/**
 * Identity and authorization end to end with the SDK: STS, SigV4 verification of issued
 * credentials, and the least-privilege story (a role that may GetObject but not ListBucket).
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  GetRoleCommand,
  IAMClient,
  ListRolesCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { expectAwsError, policy, trustRoot, trustSageMaker } from './helpers.js';

interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}
const ROOT: Creds = { accessKeyId: 'test', secretAccessKey: 'test' };

let sandbox: Sandbox;
const clientsFor = (credentials: Creds) => {
  const common = { endpoint: sandbox.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 };
  return {
    iam: new IAMClient(common),
    sts: new STSClient(common),
    s3: new S3Client({ ...common, forcePathStyle: true }),
  };
};

async function assume(roleName: string, session = 'student', from: Creds = ROOT): Promise<Creds> {
  const out = await clientsFor(from).sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::000000000000:role/${roleName}`,
      RoleSessionName: session,
    }),
  );
  const c = out.Credentials;
  return {
    accessKeyId: c!.AccessKeyId!,
    secretAccessKey: c!.SecretAccessKey!,
    sessionToken: c!.SessionToken!,
  };
}

beforeAll(async () => {
  sandbox = await startSandbox({ memory: true });
  const { iam, s3 } = clientsFor(ROOT);
  await iam.send(
    new CreateRoleCommand({ RoleName: 'reader', AssumeRolePolicyDocument: trustRoot }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: 'reader',
      PolicyName: 'get-only',
      PolicyDocument: policy([
        { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::my-bucket/*' },
      ]),
    }),
  );
  await iam.send(new CreateRoleCommand({ RoleName: 'admin', AssumeRolePolicyDocument: trustRoot }));
  await iam.send(
    new AttachRolePolicyCommand({
      RoleName: 'admin',
      PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
    }),
  );
  await iam.send(
    new CreateRoleCommand({ RoleName: 'sm-only', AssumeRolePolicyDocument: trustSageMaker }),
  );
  await s3.send(new CreateBucketCommand({ Bucket: 'my-bucket' }));
  await s3.send(new PutObjectCommand({ Bucket: 'my-bucket', Key: 'data.csv', Body: 'a,b\n1,2\n' }));
});
afterAll(() => sandbox.stop());

describe('STS', () => {
  it('knows the root and any non-issued key as the account root', async () => {
    for (const accessKeyId of ['test', 'AKIAIOSFODNN7EXAMPLE']) {
      const id = await clientsFor({ accessKeyId, secretAccessKey: 'whatever' }).sts.send(
        new GetCallerIdentityCommand({}),
      );
      expect(id).toMatchObject({
        Account: '000000000000',
        Arn: 'arn:aws:iam::000000000000:root',
        UserId: '000000000000',
      });
    }
  });

  it('assumes a role that trusts the account and returns working temporary credentials', async () => {
    const out = await clientsFor(ROOT).sts.send(
      new AssumeRoleCommand({
        RoleArn: 'arn:aws:iam::000000000000:role/reader',
        RoleSessionName: 'S1',
        DurationSeconds: 900,
      }),
    );
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(out.Credentials?.Expiration?.getTime()).toBeGreaterThan(Date.now() + 800_000);
    expect(out.Credentials?.Expiration?.getTime()).toBeLessThan(Date.now() + 1_000_000);
    expect(out.AssumedRoleUser?.Arn).toBe('arn:aws:sts::000000000000:assumed-role/reader/S1');
    expect(out.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[A-Z2-7]{17}:S1$/);
    const creds = {
      accessKeyId: out.Credentials!.AccessKeyId!,
      secretAccessKey: out.Credentials!.SecretAccessKey!,
      sessionToken: out.Credentials!.SessionToken!,
    };
    const id = await clientsFor(creds).sts.send(new GetCallerIdentityCommand({}));
    expect(id.Arn).toBe('arn:aws:sts::000000000000:assumed-role/reader/S1');
  });

  it('refuses roles whose trust policy does not allow the caller, with AWS text', async () => {
    await expectAwsError(
      clientsFor(ROOT).sts.send(
        new AssumeRoleCommand({
          RoleArn: 'arn:aws:iam::000000000000:role/sm-only',
          RoleSessionName: 'x1',
        }),
      ),
      'AccessDenied',
      403,
      'User: arn:aws:iam::000000000000:root is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::000000000000:role/sm-only',
    );
    await expectAwsError(
      clientsFor(ROOT).sts.send(
        new AssumeRoleCommand({
          RoleArn: 'arn:aws:iam::000000000000:role/ghost',
          RoleSessionName: 'x1',
        }),
      ),
      'AccessDenied',
      403,
    );
    await expectAwsError(
      clientsFor(ROOT).sts.send(
        new AssumeRoleCommand({
          RoleArn: 'arn:aws:iam::000000000000:role/reader',
          RoleSessionName: 'x1',
          DurationSeconds: 7200,
        }),
      ),
      'ValidationError',
      400,
      'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    );
  });
});

describe('SigV4', () => {
  it('refuses a wrong secret, an unknown temporary key and a wrong session token', async () => {
    const creds = await assume('reader');
    await expectAwsError(
      clientsFor({ ...creds, secretAccessKey: 'wrong' }).sts.send(new GetCallerIdentityCommand({})),
      'SignatureDoesNotMatch',
      403,
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
    await expectAwsError(
      clientsFor({ ...creds, accessKeyId: 'ASIAAAAAAAAAAAAAAAAA' }).sts.send(
        new GetCallerIdentityCommand({}),
      ),
      'InvalidClientTokenId',
      403,
      'The security token included in the request is invalid.',
    );
    await expectAwsError(
      clientsFor({ ...creds, sessionToken: 'forged' }).sts.send(new GetCallerIdentityCommand({})),
      'InvalidClientTokenId',
      403,
    );
    await expectAwsError(
      clientsFor({ ...creds, secretAccessKey: 'wrong' }).s3.send(
        new GetObjectCommand({ Bucket: 'my-bucket', Key: 'data.csv' }),
      ),
      'SignatureDoesNotMatch',
      403,
    );
  });

  it('refuses expired credentials', async () => {
    const creds = await assume('reader', 'expiring');
    const keys = sandbox.core.store.get<{ keys: Record<string, { expiration: string }> }>(
      'sts',
      () => ({ keys: {} }),
    );
    keys.keys[creds.accessKeyId]!.expiration = new Date(Date.now() - 1000).toISOString();
    await expectAwsError(
      clientsFor(creds).sts.send(new GetCallerIdentityCommand({})),
      'ExpiredToken',
      403,
      'The security token included in the request is expired',
    );
  });

  it('verifies presigned (query) signatures', async () => {
    const creds = await assume('reader', 'presign');
    const presign = async (secret: string) => {
      const signer = new SignatureV4({
        service: 'sts',
        region: 'us-east-1',
        sha256: Sha256,
        credentials: { ...creds, secretAccessKey: secret },
      });
      const url = new URL(sandbox.endpoint);
      const signed = await signer.presign({
        method: 'GET',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: '/',
        query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
        headers: { host: url.host },
      });
      const query = new URLSearchParams(signed.query as Record<string, string>).toString();
      return fetch(`${sandbox.endpoint}/?${query}`);
    };
    const ok = await presign(creds.secretAccessKey);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain(
      '<Arn>arn:aws:sts::000000000000:assumed-role/reader/presign</Arn>',
    );
    const bad = await presign('wrong');
    expect(bad.status).toBe(403);
    expect(await bad.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
  });
});

describe('least privilege', () => {
  it('lets the role GetObject but not ListBucket, with AWS’s denial text', async () => {
    const { s3 } = clientsFor(await assume('reader', 'S1'));
    const object = await s3.send(new GetObjectCommand({ Bucket: 'my-bucket', Key: 'data.csv' }));
    expect(await object.Body?.transformToString()).toBe('a,b\n1,2\n');
    const err = await expectAwsError(
      s3.send(new ListObjectsV2Command({ Bucket: 'my-bucket' })),
      'AccessDenied',
      403,
    );
    expect(err.message).toBe(
      'User: arn:aws:sts::000000000000:assumed-role/reader/S1 is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::my-bucket" because no identity-based policy allows the s3:ListBucket action',
    );
  });

  it('denies IAM calls the role has no policy for, in IAM’s dialect', async () => {
    const { iam } = clientsFor(await assume('reader', 'S2'));
    await expectAwsError(
      iam.send(new GetRoleCommand({ RoleName: 'reader' })),
      'AccessDenied',
      403,
      'User: arn:aws:sts::000000000000:assumed-role/reader/S2 is not authorized to perform: iam:GetRole on resource: arn:aws:iam::000000000000:role/reader because no identity-based policy allows the iam:GetRole action',
    );
  });

  it('authorizes actions without resource types (ListRoles) against "*", as AWS does', async () => {
    await clientsFor(ROOT).iam.send(
      new AttachRolePolicyCommand({
        RoleName: 'reader',
        PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess',
      }),
    );
    const { iam } = clientsFor(await assume('reader', 'lister'));
    const roles = await iam.send(new ListRolesCommand({}));
    expect(roles.Roles?.map((r) => r.RoleName)).toContain('reader');
    await expectAwsError(
      iam.send(new CreateRoleCommand({ RoleName: 'sneaky', AssumeRolePolicyDocument: trustRoot })),
      'AccessDenied',
      403,
    );
  });

  it('lets AdministratorAccess do everything', async () => {
    const { s3, iam } = clientsFor(await assume('admin'));
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'my-bucket' }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual(['data.csv']);
    expect((await iam.send(new GetRoleCommand({ RoleName: 'reader' }))).Role?.RoleName).toBe(
      'reader',
    );
  });

  it('honours an explicit deny over an allow', async () => {
    await clientsFor(ROOT).iam.send(
      new PutRolePolicyCommand({
        RoleName: 'admin',
        PolicyName: 'no-delete-roles',
        PolicyDocument: policy([{ Effect: 'Deny', Action: 'iam:GetRole', Resource: '*' }]),
      }),
    );
    const { iam } = clientsFor(await assume('admin', 'denied'));
    await expectAwsError(
      iam.send(new GetRoleCommand({ RoleName: 'reader' })),
      'AccessDenied',
      403,
      'User: arn:aws:sts::000000000000:assumed-role/admin/denied is not authorized to perform: iam:GetRole on resource: arn:aws:iam::000000000000:role/reader with an explicit deny in an identity-based policy',
    );
  });
});
