/**
 * IAM through the real AWS SDK v3: roles, managed policies and their versions, attachments,
 * inline policies, tags and SimulatePrincipalPolicy, with IAM's own errors.
 */
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListPoliciesCommand,
  ListPolicyVersionsCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  ListRoleTagsCommand,
  PutRolePolicyCommand,
  SetDefaultPolicyVersionCommand,
  SimulatePrincipalPolicyCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { expectAwsError, policy, trustRoot } from './helpers.js';

let sandbox: Sandbox;
let iam: IAMClient;

beforeAll(async () => {
  sandbox = await startSandbox({ memory: true });
  iam = new IAMClient({
    endpoint: sandbox.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
});
afterAll(() => sandbox.stop());

describe('roles', () => {
  it('creates, reads, lists, updates and deletes a role, with a path', async () => {
    const created = await iam.send(
      new CreateRoleCommand({
        RoleName: 'lab-role',
        Path: '/labs/',
        AssumeRolePolicyDocument: trustRoot,
        Description: 'for the lab',
        Tags: [{ Key: 'course', Value: 'ml' }],
      }),
    );
    expect(created.Role).toMatchObject({
      RoleName: 'lab-role',
      Path: '/labs/',
      Arn: 'arn:aws:iam::000000000000:role/labs/lab-role',
      Description: 'for the lab',
      MaxSessionDuration: 3600,
    });
    expect(created.Role?.RoleId).toMatch(/^AROA[A-Z2-7]{17}$/);
    // IAM returns policy documents URL-encoded.
    expect(created.Role?.AssumeRolePolicyDocument).toBe(encodeURIComponent(trustRoot));
    expect(created.Role?.CreateDate).toBeInstanceOf(Date);

    const got = await iam.send(new GetRoleCommand({ RoleName: 'lab-role' }));
    expect(got.Role?.Tags).toEqual([{ Key: 'course', Value: 'ml' }]);

    const listed = await iam.send(new ListRolesCommand({ PathPrefix: '/labs/' }));
    expect(listed.Roles?.map((r) => r.RoleName)).toEqual(['lab-role']);

    await iam.send(
      new UpdateRoleCommand({
        RoleName: 'lab-role',
        Description: 'changed',
        MaxSessionDuration: 7200,
      }),
    );
    const trust2 = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'sagemaker.amazonaws.com' },
          Action: 'sts:AssumeRole',
        },
      ],
    });
    await iam.send(
      new UpdateAssumeRolePolicyCommand({ RoleName: 'lab-role', PolicyDocument: trust2 }),
    );
    const updated = await iam.send(new GetRoleCommand({ RoleName: 'lab-role' }));
    expect(updated.Role).toMatchObject({ Description: 'changed', MaxSessionDuration: 7200 });
    expect(decodeURIComponent(updated.Role?.AssumeRolePolicyDocument ?? '')).toBe(trust2);

    await iam.send(
      new TagRoleCommand({ RoleName: 'lab-role', Tags: [{ Key: 'team', Value: 'a' }] }),
    );
    await iam.send(new UntagRoleCommand({ RoleName: 'lab-role', TagKeys: ['course'] }));
    expect((await iam.send(new ListRoleTagsCommand({ RoleName: 'lab-role' }))).Tags).toEqual([
      { Key: 'team', Value: 'a' },
    ]);

    await iam.send(new DeleteRoleCommand({ RoleName: 'lab-role' }));
    await expectAwsError(
      iam.send(new GetRoleCommand({ RoleName: 'lab-role' })),
      'NoSuchEntity',
      404,
    );
  });

  it('answers with IAM error codes and messages', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'dup', AssumeRolePolicyDocument: trustRoot }));
    await expectAwsError(
      iam.send(new CreateRoleCommand({ RoleName: 'DUP', AssumeRolePolicyDocument: trustRoot })),
      'EntityAlreadyExists',
      409,
      'Role with name DUP already exists.',
    );
    await expectAwsError(
      iam.send(new GetRoleCommand({ RoleName: 'missing' })),
      'NoSuchEntity',
      404,
      'The role with name missing cannot be found.',
    );
    await expectAwsError(
      iam.send(new CreateRoleCommand({ RoleName: 'bad', AssumeRolePolicyDocument: '{not json' })),
      'MalformedPolicyDocument',
      400,
      'This policy contains invalid Json',
    );
    await expectAwsError(
      iam.send(
        new CreateRoleCommand({ RoleName: 'bad name!', AssumeRolePolicyDocument: trustRoot }),
      ),
      'ValidationError',
      400,
    );
    await expectAwsError(
      iam.send(
        new CreateRoleCommand({
          RoleName: 'badpath',
          Path: 'nope',
          AssumeRolePolicyDocument: trustRoot,
        }),
      ),
      'ValidationError',
      400,
    );
  });
});

describe('managed and inline policies', () => {
  it('manages customer policies and versions', async () => {
    const doc1 = policy([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' },
    ]);
    const doc2 = policy([{ Effect: 'Allow', Action: 's3:*', Resource: '*' }]);
    const created = await iam.send(
      new CreatePolicyCommand({ PolicyName: 'read-b', PolicyDocument: doc1 }),
    );
    const arn = created.Policy?.Arn as string;
    expect(arn).toBe('arn:aws:iam::000000000000:policy/read-b');
    expect(created.Policy).toMatchObject({
      DefaultVersionId: 'v1',
      AttachmentCount: 0,
      IsAttachable: true,
    });
    expect(created.Policy?.PolicyId).toMatch(/^ANPA/);
    await expectAwsError(
      iam.send(new CreatePolicyCommand({ PolicyName: 'read-b', PolicyDocument: doc1 })),
      'EntityAlreadyExists',
      409,
      'A policy called read-b already exists. Duplicate names are not allowed.',
    );

    const v2 = await iam.send(
      new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc2, SetAsDefault: true }),
    );
    expect(v2.PolicyVersion).toMatchObject({ VersionId: 'v2', IsDefaultVersion: true });
    const got = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' }));
    expect(decodeURIComponent(got.PolicyVersion?.Document ?? '')).toBe(doc2);
    await expectAwsError(
      iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' })),
      'DeleteConflict',
      409,
      'Cannot delete the default version of a policy.',
    );
    await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' }));
    expect(
      (await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy?.DefaultVersionId,
    ).toBe('v1');
    expect(
      (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }))).Versions?.map(
        (v) => v.VersionId,
      ),
    ).toEqual(['v2', 'v1']);
    for (let i = 0; i < 3; i++) {
      await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc1 }));
    }
    await expectAwsError(
      iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc1 })),
      'LimitExceeded',
      409,
    );
    await expectAwsError(
      iam.send(new DeletePolicyCommand({ PolicyArn: arn })),
      'DeleteConflict',
      409,
    );
    for (const v of ['v2', 'v3', 'v4', 'v5']) {
      await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: v }));
    }
    await iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
    await expectAwsError(iam.send(new GetPolicyCommand({ PolicyArn: arn })), 'NoSuchEntity', 404);
  });

  it('serves the real AWS managed policies', async () => {
    const arn = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
    const got = await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
    expect(got.Policy).toMatchObject({ PolicyName: 'AmazonS3ReadOnlyAccess', Path: '/' });
    const version = await iam.send(
      new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: got.Policy?.DefaultVersionId }),
    );
    const document = JSON.parse(decodeURIComponent(version.PolicyVersion?.Document ?? ''));
    expect(JSON.stringify(document)).toContain('s3:Get*');
    const aws = await iam.send(new ListPoliciesCommand({ Scope: 'AWS' }));
    expect(aws.Policies?.map((p) => p.PolicyName)).toEqual(
      expect.arrayContaining([
        'AdministratorAccess',
        'AmazonSageMakerFullAccess',
        'CloudWatchLogsFullAccess',
      ]),
    );
    await expectAwsError(
      iam.send(
        new DeletePolicyCommand({ PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }),
      ),
      'AccessDenied',
      403,
    );
  });

  it('attaches, lists, limits and detaches managed policies; inline policies', async () => {
    await iam.send(
      new CreateRoleCommand({ RoleName: 'worker', AssumeRolePolicyDocument: trustRoot }),
    );
    const s3ro = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'worker', PolicyArn: s3ro }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'worker', PolicyArn: s3ro }));
    expect(
      (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'worker' })))
        .AttachedPolicies,
    ).toEqual([{ PolicyName: 'AmazonS3ReadOnlyAccess', PolicyArn: s3ro }]);
    const entities = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: s3ro }));
    expect(entities.PolicyRoles?.map((r) => r.RoleName)).toEqual(['worker']);
    expect(
      (await iam.send(new GetPolicyCommand({ PolicyArn: s3ro }))).Policy?.AttachmentCount,
    ).toBe(1);

    await expectAwsError(
      iam.send(
        new AttachRolePolicyCommand({
          RoleName: 'worker',
          PolicyArn: 'arn:aws:iam::aws:policy/Nope',
        }),
      ),
      'NoSuchEntity',
      404,
      'Policy arn:aws:iam::aws:policy/Nope does not exist or is not attachable.',
    );
    const others = [
      'AmazonS3FullAccess',
      'CloudWatchLogsFullAccess',
      'CloudWatchLogsReadOnlyAccess',
      'AmazonEC2ContainerRegistryReadOnly',
      'AmazonEC2ContainerRegistryFullAccess',
      'AdministratorAccess',
      'PowerUserAccess',
      'ReadOnlyAccess',
      'AmazonSageMakerFullAccess',
    ];
    for (const name of others) {
      await iam.send(
        new AttachRolePolicyCommand({
          RoleName: 'worker',
          PolicyArn: `arn:aws:iam::aws:policy/${name}`,
        }),
      );
    }
    await expectAwsError(
      iam.send(
        new AttachRolePolicyCommand({
          RoleName: 'worker',
          PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess',
        }),
      ),
      'LimitExceeded',
      409,
      'Cannot exceed quota for PoliciesPerRole: 10',
    );
    await expectAwsError(
      iam.send(new DeleteRoleCommand({ RoleName: 'worker' })),
      'DeleteConflict',
      409,
      'Cannot delete entity, must detach all policies first.',
    );
    for (const name of ['AmazonS3ReadOnlyAccess', ...others]) {
      await iam.send(
        new DetachRolePolicyCommand({
          RoleName: 'worker',
          PolicyArn: `arn:aws:iam::aws:policy/${name}`,
        }),
      );
    }
    await expectAwsError(
      iam.send(new DetachRolePolicyCommand({ RoleName: 'worker', PolicyArn: s3ro })),
      'NoSuchEntity',
      404,
    );

    const inline = policy([{ Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: '*' }]);
    await iam.send(
      new PutRolePolicyCommand({ RoleName: 'worker', PolicyName: 'logs', PolicyDocument: inline }),
    );
    const got = await iam.send(
      new GetRolePolicyCommand({ RoleName: 'worker', PolicyName: 'logs' }),
    );
    expect(decodeURIComponent(got.PolicyDocument ?? '')).toBe(inline);
    expect(
      (await iam.send(new ListRolePoliciesCommand({ RoleName: 'worker' }))).PolicyNames,
    ).toEqual(['logs']);
    await expectAwsError(
      iam.send(
        new PutRolePolicyCommand({
          RoleName: 'worker',
          PolicyName: 'bad',
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Permit', Action: 's3:*' }],
          }),
        }),
      ),
      'MalformedPolicyDocument',
      400,
    );
    await expectAwsError(
      iam.send(new DeleteRoleCommand({ RoleName: 'worker' })),
      'DeleteConflict',
      409,
      'Cannot delete entity, must delete policies first.',
    );
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'worker', PolicyName: 'logs' }));
    await expectAwsError(
      iam.send(new GetRolePolicyCommand({ RoleName: 'worker', PolicyName: 'logs' })),
      'NoSuchEntity',
      404,
      'The role policy with name logs cannot be found.',
    );
    await iam.send(new DeleteRoleCommand({ RoleName: 'worker' }));
  });

  it('simulates a role’s policies with the same evaluator', async () => {
    const role = await iam.send(
      new CreateRoleCommand({ RoleName: 'sim', AssumeRolePolicyDocument: trustRoot }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'sim',
        PolicyName: 'p',
        PolicyDocument: policy([
          { Sid: 'Read', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' },
          {
            Sid: 'NoSecrets',
            Effect: 'Deny',
            Action: 's3:GetObject',
            Resource: 'arn:aws:s3:::data/secret/*',
          },
        ]),
      }),
    );
    const result = await iam.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: role.Role?.Arn,
        ActionNames: ['s3:GetObject', 's3:ListBucket'],
        ResourceArns: ['arn:aws:s3:::data/a.csv', 'arn:aws:s3:::data/secret/k'],
      }),
    );
    const decisions = result.EvaluationResults?.map((r) => [
      r.EvalActionName,
      r.EvalResourceName,
      r.EvalDecision,
    ]);
    expect(decisions).toEqual([
      ['s3:GetObject', 'arn:aws:s3:::data/a.csv', 'allowed'],
      ['s3:GetObject', 'arn:aws:s3:::data/secret/k', 'explicitDeny'],
      ['s3:ListBucket', 'arn:aws:s3:::data/a.csv', 'implicitDeny'],
      ['s3:ListBucket', 'arn:aws:s3:::data/secret/k', 'implicitDeny'],
    ]);
    expect(result.EvaluationResults?.[0]?.MatchedStatements?.[0]).toMatchObject({
      SourcePolicyId: 'p',
      SourcePolicyType: 'role',
    });
  });

  it('answers GetUser for the account root', async () => {
    const user = await iam.send(new GetUserCommand({}));
    expect(user.User).toMatchObject({
      UserId: '000000000000',
      Arn: 'arn:aws:iam::000000000000:root',
    });
  });
});
