/**
 * S3 bucket security through the AWS SDK v3: Block Public Access, default encryption and the SSE
 * headers, versioning, tagging, ownership controls, canned ACLs, GetBucketPolicyStatus and the
 * bucket-policy conditions the data-protection lesson uses.
 */
import {
  CreateBucketCommand,
  DeleteBucketEncryptionCommand,
  DeleteBucketOwnershipControlsCommand,
  DeleteBucketTaggingCommand,
  DeleteObjectCommand,
  DeletePublicAccessBlockCommand,
  GetBucketAclCommand,
  GetBucketEncryptionCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyStatusCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  GetPublicAccessBlockCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketAclCommand,
  PutBucketEncryptionCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateAliasCommand, CreateKeyCommand } from '@aws-sdk/client-kms';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { implementedOperations } from '../../src/sandbox/implemented-operations.js';
import { serviceModel } from '../../src/sandbox/models/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { expectAwsError, policy, trustRoot } from './helpers.js';
import { clients } from './service-clients.js';

const ACCOUNT = '000000000000';
let sandbox: Sandbox;
let s3: S3Client;

beforeAll(async () => {
  sandbox = await startSandbox({ memory: true });
  s3 = clients(sandbox.endpoint).s3;
});
afterAll(async () => {
  await sandbox.stop();
});

const publicRead = (bucket: string) =>
  policy([
    {
      Effect: 'Allow',
      Principal: '*',
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${bucket}/*`,
    },
  ]);

describe('Block Public Access', () => {
  it('is absent until put, then refuses public policies and public ACLs as S3 does', async () => {
    const Bucket = 'bpa-bucket';
    await s3.send(new CreateBucketCommand({ Bucket }));
    await expectAwsError(
      s3.send(new GetPublicAccessBlockCommand({ Bucket })),
      'NoSuchPublicAccessBlockConfiguration',
      404,
    );
    await s3.send(
      new PutPublicAccessBlockCommand({
        Bucket,
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        },
      }),
    );
    const got = await s3.send(new GetPublicAccessBlockCommand({ Bucket }));
    expect(got.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    await expectAwsError(
      s3.send(new PutBucketPolicyCommand({ Bucket, Policy: publicRead(Bucket) })),
      'AccessDenied',
      403,
      `User: arn:aws:iam::${ACCOUNT}:root is not authorized to perform: s3:PutBucketPolicy on resource: "arn:aws:s3:::${Bucket}" because public policies are blocked by the BlockPublicPolicy block public access setting.`,
    );
    // A policy naming one role is not public: it goes in.
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket,
        Policy: policy([
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/reader` },
            Action: 's3:GetObject',
            Resource: `arn:aws:s3:::${Bucket}/*`,
          },
        ]),
      }),
    );
    await expectAwsError(
      s3.send(new PutBucketAclCommand({ Bucket, ACL: 'public-read' })),
      'AccessDenied',
      403,
    );
    await expectAwsError(
      s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'v', ACL: 'public-read' })),
      'AccessDenied',
      403,
    );
    await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'v', ACL: 'private' }));
    await s3.send(new DeletePublicAccessBlockCommand({ Bucket }));
    await s3.send(new PutBucketPolicyCommand({ Bucket, Policy: publicRead(Bucket) }));
  });
});

describe('GetBucketPolicyStatus', () => {
  it('reports IsPublic as S3 computes it', async () => {
    const Bucket = 'status-bucket';
    await s3.send(new CreateBucketCommand({ Bucket }));
    await expectAwsError(
      s3.send(new GetBucketPolicyStatusCommand({ Bucket })),
      'NoSuchBucketPolicy',
      404,
    );
    const status = async (statements: object[]) => {
      await s3.send(new PutBucketPolicyCommand({ Bucket, Policy: policy(statements) }));
      const got = await s3.send(new GetBucketPolicyStatusCommand({ Bucket }));
      return got.PolicyStatus?.IsPublic;
    };
    const objects = `arn:aws:s3:::${Bucket}/*`;
    expect(
      await status([
        { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: objects },
      ]),
    ).toBe(true);
    expect(
      await status([
        { Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:*', Resource: objects },
      ]),
    ).toBe(true);
    // The lesson's policy: deny plain HTTP to everyone, allow one role. Not public.
    expect(
      await status([
        {
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: objects,
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/trainer` },
          Action: 's3:GetObject',
          Resource: objects,
        },
      ]),
    ).toBe(false);
    // Anyone, but only from one VPC endpoint: a fixed aws:SourceVpce is not public.
    expect(
      await status([
        {
          Effect: 'Allow',
          Principal: '*',
          Action: 's3:GetObject',
          Resource: objects,
          Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } },
        },
      ]),
    ).toBe(false);
  });
});

describe('default encryption and the SSE headers', () => {
  it('applies SSE-S3 by default, the bucket default, or the request header', async () => {
    const Bucket = 'sse-bucket';
    const kms = clients(sandbox.endpoint).kms;
    const trainingKey = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await kms.send(
      new CreateAliasCommand({ AliasName: 'alias/training-data', TargetKeyId: trainingKey.KeyId! }),
    );
    const ownKey = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await s3.send(new CreateBucketCommand({ Bucket }));
    const initial = await s3.send(new GetBucketEncryptionCommand({ Bucket }));
    expect(
      initial.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault,
    ).toEqual({ SSEAlgorithm: 'AES256' });
    const plain = await s3.send(new PutObjectCommand({ Bucket, Key: 'plain', Body: 'x' }));
    expect(plain.ServerSideEncryption).toBe('AES256');

    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket,
        ServerSideEncryptionConfiguration: {
          Rules: [
            {
              ApplyServerSideEncryptionByDefault: {
                SSEAlgorithm: 'aws:kms',
                KMSMasterKeyID: 'alias/training-data',
              },
              BucketKeyEnabled: true,
            },
          ],
        },
      }),
    );
    const rule = (await s3.send(new GetBucketEncryptionCommand({ Bucket })))
      .ServerSideEncryptionConfiguration?.Rules?.[0];
    expect(rule).toEqual({
      ApplyServerSideEncryptionByDefault: {
        SSEAlgorithm: 'aws:kms',
        KMSMasterKeyID: 'alias/training-data',
      },
      BucketKeyEnabled: true,
    });
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'kms', Body: 'secret' }));
    expect(put.ServerSideEncryption).toBe('aws:kms');
    // S3 reports the key itself, the alias resolved, as AWS does.
    expect(put.SSEKMSKeyId).toBe(trainingKey.Arn);
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'kms' }));
    expect([head.ServerSideEncryption, head.SSEKMSKeyId, head.BucketKeyEnabled]).toEqual([
      'aws:kms',
      trainingKey.Arn,
      true,
    ]);
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'kms' }));
    expect(got.ServerSideEncryption).toBe('aws:kms');
    expect(await got.Body?.transformToString()).toBe('secret');

    // The request's own header wins over the bucket default.
    const keyId = ownKey.KeyId!;
    await s3.send(
      new PutObjectCommand({
        Bucket,
        Key: 'own-key',
        Body: 'x',
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: keyId,
      }),
    );
    const own = await s3.send(new HeadObjectCommand({ Bucket, Key: 'own-key' }));
    expect(own.SSEKMSKeyId).toBe(`arn:aws:kms:us-east-1:${ACCOUNT}:key/${keyId}`);
    await s3.send(
      new PutObjectCommand({
        Bucket,
        Key: 's3-managed',
        Body: 'x',
        ServerSideEncryption: 'AES256',
      }),
    );
    const managed = await s3.send(new HeadObjectCommand({ Bucket, Key: 's3-managed' }));
    expect([managed.ServerSideEncryption, managed.SSEKMSKeyId]).toEqual(['AES256', undefined]);

    await s3.send(new DeleteBucketEncryptionCommand({ Bucket }));
    const after = await s3.send(new PutObjectCommand({ Bucket, Key: 'after', Body: 'x' }));
    expect(after.ServerSideEncryption).toBe('AES256');
  });
});

describe('versioning', () => {
  it('keeps versions, leaves delete markers and reads any version back', async () => {
    const Bucket = 'versions-bucket';
    await s3.send(new CreateBucketCommand({ Bucket }));
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status).toBeUndefined();
    await s3.send(new PutObjectCommand({ Bucket, Key: 'data.csv', Body: 'before' }));
    await s3.send(
      new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }),
    );
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status).toBe('Enabled');
    const v1 = await s3.send(new PutObjectCommand({ Bucket, Key: 'data.csv', Body: 'one' }));
    const v2 = await s3.send(new PutObjectCommand({ Bucket, Key: 'data.csv', Body: 'two' }));
    expect(v1.VersionId).toMatch(/^[A-Za-z0-9]+$/);
    expect(v2.VersionId).not.toBe(v1.VersionId);

    const removed = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'data.csv' }));
    expect(removed.DeleteMarker).toBe(true);
    await expectAwsError(
      s3.send(new GetObjectCommand({ Bucket, Key: 'data.csv' })),
      'NoSuchKey',
      404,
    );
    const listed = await s3.send(new ListObjectsV2Command({ Bucket }));
    expect(listed.Contents).toBeUndefined();

    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket }));
    expect(versions.Versions?.map((v) => [v.VersionId, v.IsLatest])).toEqual([
      [v2.VersionId, false],
      [v1.VersionId, false],
      ['null', false],
    ]);
    expect(versions.DeleteMarkers?.map((m) => [m.Key, m.VersionId, m.IsLatest])).toEqual([
      ['data.csv', removed.VersionId, true],
    ]);

    const old = await s3.send(
      new GetObjectCommand({ Bucket, Key: 'data.csv', VersionId: v1.VersionId }),
    );
    expect([await old.Body?.transformToString(), old.VersionId]).toEqual(['one', v1.VersionId]);
    const original = await s3.send(
      new GetObjectCommand({ Bucket, Key: 'data.csv', VersionId: 'null' }),
    );
    expect(await original.Body?.transformToString()).toBe('before');
    await expectAwsError(
      s3.send(new GetObjectCommand({ Bucket, Key: 'data.csv', VersionId: removed.VersionId })),
      'MethodNotAllowed',
      405,
    );

    // Deleting the marker by its version id brings the last version back.
    await s3.send(
      new DeleteObjectCommand({ Bucket, Key: 'data.csv', VersionId: removed.VersionId }),
    );
    const back = await s3.send(new GetObjectCommand({ Bucket, Key: 'data.csv' }));
    expect([await back.Body?.transformToString(), back.VersionId]).toEqual(['two', v2.VersionId]);
  });
});

describe('tagging', () => {
  it('tags buckets and objects, on PutObject too', async () => {
    const Bucket = 'tagged-bucket';
    await s3.send(new CreateBucketCommand({ Bucket }));
    await expectAwsError(s3.send(new GetBucketTaggingCommand({ Bucket })), 'NoSuchTagSet', 404);
    await s3.send(
      new PutBucketTaggingCommand({
        Bucket,
        Tagging: { TagSet: [{ Key: 'data-class', Value: 'confidential' }] },
      }),
    );
    expect((await s3.send(new GetBucketTaggingCommand({ Bucket }))).TagSet).toEqual([
      { Key: 'data-class', Value: 'confidential' },
    ]);
    await s3.send(new DeleteBucketTaggingCommand({ Bucket }));
    await expectAwsError(s3.send(new GetBucketTaggingCommand({ Bucket })), 'NoSuchTagSet', 404);

    await s3.send(
      new PutObjectCommand({ Bucket, Key: 'k', Body: 'v', Tagging: 'team=ml&stage=raw' }),
    );
    expect((await s3.send(new GetObjectCommand({ Bucket, Key: 'k' }))).TagCount).toBe(2);
    await s3.send(
      new PutObjectTaggingCommand({
        Bucket,
        Key: 'k',
        Tagging: { TagSet: [{ Key: 'stage', Value: 'clean' }] },
      }),
    );
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket, Key: 'k' }))).TagSet).toEqual([
      { Key: 'stage', Value: 'clean' },
    ]);
    await expectAwsError(
      s3.send(
        new PutBucketTaggingCommand({
          Bucket,
          Tagging: { TagSet: [{ Key: 'aws:owner', Value: 'me' }] },
        }),
      ),
      'InvalidTag',
      400,
    );
  });
});

describe('ownership controls and canned ACLs', () => {
  it('shows canned ACLs as grants, and refuses ACLs once BucketOwnerEnforced', async () => {
    const Bucket = 'acl-bucket';
    await s3.send(new CreateBucketCommand({ Bucket }));
    await expectAwsError(
      s3.send(new GetBucketOwnershipControlsCommand({ Bucket })),
      'OwnershipControlsNotFoundError',
      404,
    );
    await s3.send(new PutBucketAclCommand({ Bucket, ACL: 'public-read' }));
    const acl = await s3.send(new GetBucketAclCommand({ Bucket }));
    expect(acl.Grants?.map((g) => [g.Grantee?.Type, g.Grantee?.URI, g.Permission])).toEqual([
      ['CanonicalUser', undefined, 'FULL_CONTROL'],
      ['Group', 'http://acs.amazonaws.com/groups/global/AllUsers', 'READ'],
    ]);
    await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'v' }));
    await s3.send(new PutObjectAclCommand({ Bucket, Key: 'k', ACL: 'authenticated-read' }));
    const objectAcl = await s3.send(new GetObjectAclCommand({ Bucket, Key: 'k' }));
    expect(objectAcl.Grants?.[1]?.Grantee?.URI).toBe(
      'http://acs.amazonaws.com/groups/global/AuthenticatedUsers',
    );

    await s3.send(
      new PutBucketOwnershipControlsCommand({
        Bucket,
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      }),
    );
    expect(
      (await s3.send(new GetBucketOwnershipControlsCommand({ Bucket }))).OwnershipControls,
    ).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    await expectAwsError(
      s3.send(new PutBucketAclCommand({ Bucket, ACL: 'public-read' })),
      'AccessControlListNotSupported',
      400,
      'The bucket does not allow ACLs',
    );
    await s3.send(
      new PutObjectCommand({ Bucket, Key: 'k2', Body: 'v', ACL: 'bucket-owner-full-control' }),
    );
    await s3.send(new DeleteBucketOwnershipControlsCommand({ Bucket }));
    await s3.send(new PutBucketAclCommand({ Bucket, ACL: 'private' }));
  });
});

describe('bucket-policy conditions of the lesson', () => {
  it('aws:SecureTransport is true on the sandbox; aws:PrincipalArn and s3:prefix scope a role', async () => {
    const { iam, sts } = clients(sandbox.endpoint);
    const Bucket = 'training-data-secure';
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'train/a.csv', Body: 'a' }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'other/b.csv', Body: 'b' }));
    for (const name of ['trainer', 'intruder']) {
      await iam.send(
        new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trustRoot }),
      );
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: name,
          PolicyName: 's3',
          PolicyDocument: policy([{ Effect: 'Allow', Action: 's3:*', Resource: '*' }]),
        }),
      );
    }
    const trainerArn = `arn:aws:iam::${ACCOUNT}:role/trainer`;
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket,
        Policy: policy([
          {
            Sid: 'DenyPlainHttp',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: [`arn:aws:s3:::${Bucket}`, `arn:aws:s3:::${Bucket}/*`],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
          {
            Sid: 'OnlyTheTrainer',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:GetObject',
            Resource: `arn:aws:s3:::${Bucket}/*`,
            Condition: { StringNotEquals: { 'aws:PrincipalArn': trainerArn } },
          },
          {
            Sid: 'ListTrainOnly',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:ListBucket',
            Resource: `arn:aws:s3:::${Bucket}`,
            Condition: { StringNotLike: { 's3:prefix': 'train/*' } },
          },
        ]),
      }),
    );
    const as = async (RoleName: string) => {
      const { Credentials } = await sts.send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${ACCOUNT}:role/${RoleName}`,
          RoleSessionName: 'session',
        }),
      );
      return clients(sandbox.endpoint, {
        accessKeyId: Credentials?.AccessKeyId ?? '',
        secretAccessKey: Credentials?.SecretAccessKey ?? '',
        sessionToken: Credentials?.SessionToken,
      }).s3;
    };
    const trainer = await as('trainer');
    const intruder = await as('intruder');
    // Not denied as plain HTTP: the sandbox answers as AWS does over TLS.
    const read = await trainer.send(new GetObjectCommand({ Bucket, Key: 'train/a.csv' }));
    expect(await read.Body?.transformToString()).toBe('a');
    const denied = await expectAwsError(
      intruder.send(new GetObjectCommand({ Bucket, Key: 'train/a.csv' })),
      'AccessDenied',
      403,
    );
    expect(denied.message).toContain('with an explicit deny in a resource-based policy');
    const listed = await trainer.send(new ListObjectsV2Command({ Bucket, Prefix: 'train/' }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual(['train/a.csv']);
    await expectAwsError(
      trainer.send(new ListObjectsV2Command({ Bucket, Prefix: 'other/' })),
      'AccessDenied',
      403,
    );
  });
});

describe('implementedOperations', () => {
  it('lists what the handlers serve, each an operation of the service model', () => {
    const operations = implementedOperations();
    expect(operations.s3).toEqual(
      expect.arrayContaining([
        'PutPublicAccessBlock',
        'GetBucketEncryption',
        'ListObjectVersions',
        'PutObjectTagging',
        'PutBucketOwnershipControls',
        'GetBucketAcl',
        'GetBucketPolicyStatus',
      ]),
    );
    for (const [service, names] of Object.entries(operations)) {
      const model = serviceModel(service as Parameters<typeof serviceModel>[0]);
      for (const name of names) expect(model.operations[name], `${service}:${name}`).toBeDefined();
    }
  });
});
