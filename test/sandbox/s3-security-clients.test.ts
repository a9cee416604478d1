/**
 * S3 bucket security through the aws CLI (s3api) and boto3, and against moto_server: every new
 * operation as a course author's commands and scripts call it.
 */
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeletePublicAccessBlockCommand,
  GetBucketAclCommand,
  GetBucketEncryptionCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyStatusCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetObjectTaggingCommand,
  GetPublicAccessBlockCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketAclCommand,
  PutBucketEncryptionCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  type S3ServiceException,
} from '@aws-sdk/client-s3';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { startMoto, type Moto } from '../support/moto.js';
import { requireTool } from '../support/tools.js';
import { policy } from './helpers.js';
import { awsEnv, CLI_TIMEOUT_MS, ROOT, run } from './service-clients.js';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ memory: true });
});
afterAll(async () => {
  await sandbox.stop();
});

describe.skipIf(!requireTool('aws'))('the aws CLI', () => {
  it(
    'protects a bucket with s3api: public access block, encryption, versioning, tags, ownership, ACLs',
    async () => {
      const env = awsEnv(sandbox.endpoint);
      const api = async (...args: string[]) => {
        const result = await run('aws', ['s3api', ...args, '--output', 'json'], env);
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
        return result.stdout.trim() ? (JSON.parse(result.stdout) as Record<string, unknown>) : {};
      };
      const b = ['--bucket', 'cli-secure'];
      const body = join(mkdtempSync(join(tmpdir(), 'labwright-s3sec-')), 'a.csv');
      writeFileSync(body, 'a,b\n');
      await api('create-bucket', ...b);
      await api(
        'put-public-access-block',
        ...b,
        '--public-access-block-configuration',
        'BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true',
      );
      expect(await api('get-public-access-block', ...b)).toEqual({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        },
      });
      const blocked = await run(
        'aws',
        ['s3api', 'put-bucket-acl', ...b, '--acl', 'public-read'],
        env,
      );
      expect(blocked.stderr).toContain('(AccessDenied)');
      await api('delete-public-access-block', ...b);

      // The bucket's default key, made with the aws CLI too.
      const kmsCli = async (...args: string[]) => {
        const result = await run('aws', ['kms', ...args, '--output', 'json'], env);
        expect(result.code, `kms ${args.join(' ')}: ${result.stderr}`).toBe(0);
        return result.stdout.trim() ? (JSON.parse(result.stdout) as Record<string, unknown>) : {};
      };
      const labKey = (await kmsCli('create-key')).KeyMetadata as { KeyId: string; Arn: string };
      await kmsCli(
        'create-alias',
        '--alias-name',
        'alias/lab-key',
        '--target-key-id',
        labKey.KeyId,
      );
      await api(
        'put-bucket-encryption',
        ...b,
        '--server-side-encryption-configuration',
        JSON.stringify({
          Rules: [
            {
              ApplyServerSideEncryptionByDefault: {
                SSEAlgorithm: 'aws:kms',
                KMSMasterKeyID: 'alias/lab-key',
              },
            },
          ],
        }),
      );
      const encryption = await api('get-bucket-encryption', ...b);
      expect(JSON.stringify(encryption)).toContain('alias/lab-key');
      await api('put-object', ...b, '--key', 'train/a.csv', '--body', body);
      const head = await api('head-object', ...b, '--key', 'train/a.csv');
      // S3 reports the key the alias names, as AWS does.
      expect([head.ServerSideEncryption, head.SSEKMSKeyId]).toEqual(['aws:kms', labKey.Arn]);
      await api('delete-bucket-encryption', ...b);

      await api('put-bucket-versioning', ...b, '--versioning-configuration', 'Status=Enabled');
      expect(await api('get-bucket-versioning', ...b)).toEqual({ Status: 'Enabled' });
      await api('delete-object', ...b, '--key', 'train/a.csv');
      const versions = await api('list-object-versions', ...b);
      expect((versions.DeleteMarkers as unknown[]).length).toBe(1);
      expect((versions.Versions as unknown[]).length).toBe(1);

      await api('put-bucket-tagging', ...b, '--tagging', 'TagSet=[{Key=data,Value=restricted}]');
      expect(await api('get-bucket-tagging', ...b)).toEqual({
        TagSet: [{ Key: 'data', Value: 'restricted' }],
      });
      await api('delete-bucket-tagging', ...b);
      await api('put-object', ...b, '--key', 'k', '--body', body);
      await api('put-object-tagging', ...b, '--key', 'k', '--tagging', 'TagSet=[{Key=a,Value=1}]');
      expect((await api('get-object-tagging', ...b, '--key', 'k')).TagSet).toEqual([
        { Key: 'a', Value: '1' },
      ]);
      await api('delete-object-tagging', ...b, '--key', 'k');

      await api('put-bucket-acl', ...b, '--acl', 'public-read');
      const acl = await api('get-bucket-acl', ...b);
      expect(JSON.stringify(acl.Grants)).toContain('AllUsers');
      await api('put-object-acl', ...b, '--key', 'k', '--acl', 'private');
      expect((await api('get-object-acl', ...b, '--key', 'k')).Grants).toHaveLength(1);
      await api(
        'put-bucket-ownership-controls',
        ...b,
        '--ownership-controls',
        'Rules=[{ObjectOwnership=BucketOwnerEnforced}]',
      );
      expect(await api('get-bucket-ownership-controls', ...b)).toEqual({
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      });
      await api('delete-bucket-ownership-controls', ...b);

      await api(
        'put-bucket-policy',
        ...b,
        '--policy',
        policy([
          {
            Effect: 'Allow',
            Principal: '*',
            Action: 's3:GetObject',
            Resource: 'arn:aws:s3:::cli-secure/*',
          },
        ]),
      );
      expect(await api('get-bucket-policy-status', ...b)).toEqual({
        PolicyStatus: { IsPublic: true },
      });
    },
    CLI_TIMEOUT_MS * 3,
  );
});

describe.skipIf(!requireTool('boto3'))('boto3', () => {
  it(
    'calls every bucket security operation',
    async () => {
      const script = `import boto3, json
s3 = boto3.client('s3')
B = 'boto-secure'
out = {}
s3.create_bucket(Bucket=B)
s3.put_public_access_block(Bucket=B, PublicAccessBlockConfiguration={'BlockPublicAcls': True, 'IgnorePublicAcls': False, 'BlockPublicPolicy': True, 'RestrictPublicBuckets': False})
out['pab'] = s3.get_public_access_block(Bucket=B)['PublicAccessBlockConfiguration']
s3.delete_public_access_block(Bucket=B)
s3.put_bucket_encryption(Bucket=B, ServerSideEncryptionConfiguration={'Rules': [{'ApplyServerSideEncryptionByDefault': {'SSEAlgorithm': 'AES256'}}]})
out['sse'] = s3.get_bucket_encryption(Bucket=B)['ServerSideEncryptionConfiguration']['Rules'][0]['ApplyServerSideEncryptionByDefault']
kms = boto3.client('kms')
key = kms.create_key()['KeyMetadata']
kms.create_alias(AliasName='alias/boto', TargetKeyId=key['KeyId'])
put = s3.put_object(Bucket=B, Key='k', Body=b'v', ServerSideEncryption='aws:kms', SSEKMSKeyId='alias/boto')
out['put'] = [put['ServerSideEncryption'], put['SSEKMSKeyId'] == key['Arn']]
s3.delete_bucket_encryption(Bucket=B)
s3.put_bucket_versioning(Bucket=B, VersioningConfiguration={'Status': 'Enabled'})
out['versioning'] = s3.get_bucket_versioning(Bucket=B)['Status']
v = s3.put_object(Bucket=B, Key='k', Body=b'two')['VersionId']
s3.delete_object(Bucket=B, Key='k')
lv = s3.list_object_versions(Bucket=B)
out['versions'] = [[x['VersionId'] == v, x['IsLatest']] for x in lv['Versions']]
out['markers'] = len(lv['DeleteMarkers'])
out['old'] = s3.get_object(Bucket=B, Key='k', VersionId=v)['Body'].read().decode()
s3.put_bucket_tagging(Bucket=B, Tagging={'TagSet': [{'Key': 't', 'Value': '1'}]})
out['tags'] = s3.get_bucket_tagging(Bucket=B)['TagSet']
s3.delete_bucket_tagging(Bucket=B)
s3.put_object(Bucket=B, Key='o', Body=b'v')
s3.put_object_tagging(Bucket=B, Key='o', Tagging={'TagSet': [{'Key': 'x', 'Value': 'y'}]})
out['otags'] = s3.get_object_tagging(Bucket=B, Key='o')['TagSet']
s3.delete_object_tagging(Bucket=B, Key='o')
s3.put_bucket_acl(Bucket=B, ACL='public-read')
out['acl'] = [g['Grantee']['Type'] for g in s3.get_bucket_acl(Bucket=B)['Grants']]
s3.put_object_acl(Bucket=B, Key='o', ACL='public-read')
out['oacl'] = len(s3.get_object_acl(Bucket=B, Key='o')['Grants'])
s3.put_bucket_ownership_controls(Bucket=B, OwnershipControls={'Rules': [{'ObjectOwnership': 'BucketOwnerEnforced'}]})
out['ownership'] = s3.get_bucket_ownership_controls(Bucket=B)['OwnershipControls']['Rules']
try:
    s3.put_object_acl(Bucket=B, Key='o', ACL='public-read')
except s3.exceptions.ClientError as e:
    out['aclDisabled'] = e.response['Error']['Code']
s3.delete_bucket_ownership_controls(Bucket=B)
s3.put_bucket_policy(Bucket=B, Policy=json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'AWS': 'arn:aws:iam::000000000000:role/r'}, 'Action': 's3:GetObject', 'Resource': 'arn:aws:s3:::boto-secure/*'}]}))
out['public'] = s3.get_bucket_policy_status(Bucket=B)['PolicyStatus']['IsPublic']
print(json.dumps(out))
`;
      const result = await run('python3', ['-'], awsEnv(sandbox.endpoint), script);
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({
        pab: {
          BlockPublicAcls: true,
          IgnorePublicAcls: false,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: false,
        },
        sse: { SSEAlgorithm: 'AES256' },
        put: ['aws:kms', true],
        versioning: 'Enabled',
        versions: [
          [true, false],
          [false, false],
        ],
        markers: 1,
        old: 'two',
        tags: [{ Key: 't', Value: '1' }],
        otags: [{ Key: 'x', Value: 'y' }],
        acl: ['CanonicalUser', 'Group'],
        oacl: 2,
        ownership: [{ ObjectOwnership: 'BucketOwnerEnforced' }],
        aclDisabled: 'AccessControlListNotSupported',
        public: false,
      });
    },
    CLI_TIMEOUT_MS,
  );
});

describe.skipIf(!requireTool('moto_server'))('against moto server', () => {
  let moto: Moto;

  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto.stop();
  });

  /** The same calls on both, outcomes normalized to what a lab's checks read. */
  async function scenario(endpoint: string) {
    const s3 = new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: ROOT,
    });
    const outcome = async <T>(call: () => Promise<T>, pick: (r: T) => unknown = () => 'ok') => {
      try {
        return pick(await call());
      } catch (error) {
        const e = error as S3ServiceException;
        return `${e.name} ${e.$metadata?.httpStatusCode}`;
      }
    };
    const Bucket = 'diff-secure';
    const r: Record<string, unknown> = {};
    /** Where moto does not follow AWS (it neither enforces Block Public Access nor refuses a
     * policy status without a policy): compared with AWS's documented answers instead. */
    const awsOnly: Record<string, unknown> = {};
    await s3.send(new CreateBucketCommand({ Bucket }));
    r.noPab = await outcome(() => s3.send(new GetPublicAccessBlockCommand({ Bucket })));
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
    r.pab = await outcome(
      () => s3.send(new GetPublicAccessBlockCommand({ Bucket })),
      (o) => o.PublicAccessBlockConfiguration,
    );
    r.noTags = await outcome(() => s3.send(new GetBucketTaggingCommand({ Bucket })));
    r.noOwnership = await outcome(() => s3.send(new GetBucketOwnershipControlsCommand({ Bucket })));
    awsOnly.noPolicyStatus = await outcome(() =>
      s3.send(new GetBucketPolicyStatusCommand({ Bucket })),
    );
    const kms = new KMSClient({ endpoint, region: 'us-east-1', credentials: ROOT });
    const diffKey = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await kms.send(
      new CreateAliasCommand({ AliasName: 'alias/diff', TargetKeyId: diffKey.KeyId! }),
    );
    kms.destroy();
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket,
        ServerSideEncryptionConfiguration: {
          Rules: [
            {
              ApplyServerSideEncryptionByDefault: {
                SSEAlgorithm: 'aws:kms',
                KMSMasterKeyID: 'alias/diff',
              },
            },
          ],
        },
      }),
    );
    r.encryption = await outcome(
      () => s3.send(new GetBucketEncryptionCommand({ Bucket })),
      (o) => o.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault,
    );
    r.putKms = await outcome(
      () => s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'v' })),
      (o) => o.ServerSideEncryption,
    );
    r.headKms = await outcome(
      () => s3.send(new HeadObjectCommand({ Bucket, Key: 'k' })),
      (o) => o.ServerSideEncryption,
    );
    r.noVersioning = await outcome(
      () => s3.send(new GetBucketVersioningCommand({ Bucket })),
      (o) => o.Status ?? 'none',
    );
    await s3.send(
      new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }),
    );
    r.versioning = await outcome(
      () => s3.send(new GetBucketVersioningCommand({ Bucket })),
      (o) => o.Status,
    );
    await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'v2' }));
    r.deleted = await outcome(
      () => s3.send(new DeleteObjectCommand({ Bucket, Key: 'k' })),
      (o) => o.DeleteMarker,
    );
    r.versions = await outcome(
      () => s3.send(new ListObjectVersionsCommand({ Bucket })),
      (o) => ({
        versions: o.Versions?.map((v) => [v.Key, v.IsLatest]),
        markers: o.DeleteMarkers?.map((m) => [m.Key, m.IsLatest]),
      }),
    );
    await s3.send(
      new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: [{ Key: 'a', Value: 'b' }] } }),
    );
    r.tags = await outcome(
      () => s3.send(new GetBucketTaggingCommand({ Bucket })),
      (o) => o.TagSet,
    );
    await s3.send(new PutObjectCommand({ Bucket, Key: 'o', Body: 'v' }));
    await s3.send(
      new PutObjectTaggingCommand({
        Bucket,
        Key: 'o',
        Tagging: { TagSet: [{ Key: 'x', Value: 'y' }] },
      }),
    );
    r.objectTags = await outcome(
      () => s3.send(new GetObjectTaggingCommand({ Bucket, Key: 'o' })),
      (o) => o.TagSet,
    );
    awsOnly.publicAclBlocked = await outcome(() =>
      s3.send(new PutBucketAclCommand({ Bucket, ACL: 'public-read' })),
    );
    awsOnly.publicPolicyBlocked = await outcome(() =>
      s3.send(
        new PutBucketPolicyCommand({
          Bucket,
          Policy: policy([
            {
              Effect: 'Allow',
              Principal: '*',
              Action: 's3:GetObject',
              Resource: `arn:aws:s3:::${Bucket}/*`,
            },
          ]),
        }),
      ),
    );
    await s3.send(
      new PutBucketOwnershipControlsCommand({
        Bucket,
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] },
      }),
    );
    r.ownership = await outcome(
      () => s3.send(new GetBucketOwnershipControlsCommand({ Bucket })),
      (o) => o.OwnershipControls?.Rules,
    );
    await s3.send(new DeletePublicAccessBlockCommand({ Bucket }));
    await s3.send(new PutBucketAclCommand({ Bucket, ACL: 'public-read' }));
    r.acl = await outcome(
      () => s3.send(new GetBucketAclCommand({ Bucket })),
      (o) => o.Grants?.map((g) => [g.Grantee?.Type, g.Permission]),
    );
    return { r, awsOnly };
  }

  it('answers the bucket security calls as moto does', async () => {
    const ours = await scenario(sandbox.endpoint);
    const theirs = await scenario(moto.endpoint);
    expect(ours.r).toEqual(theirs.r);
    expect(ours.awsOnly).toEqual({
      noPolicyStatus: 'NoSuchBucketPolicy 404',
      publicAclBlocked: 'AccessDenied 403',
      publicPolicyBlocked: 'AccessDenied 403',
    });
    expect(ours.r).toMatchObject({
      noPab: 'NoSuchPublicAccessBlockConfiguration 404',
      versioning: 'Enabled',
      deleted: true,
    });
  });
});
