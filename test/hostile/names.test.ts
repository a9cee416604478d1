/**
 * Names that are members of every JavaScript object (`__proto__`, `constructor`, `toString`, ...)
 * through every IAM and STS operation, and as operation names and access keys: each is a name like
 * any other. Created resources exist, others stay as they were, listings show exactly what was
 * created, and nothing answers 500. Real SDK v3 clients against the real sandbox over HTTP.
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
  UpdateRoleDescriptionCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { expectAwsError, policy, trustRoot } from '../sandbox/helpers.js';
import { clients } from '../sandbox/service-clients.js';
import {
  expectPristinePrototype,
  IAM_NAMES,
  PROTOTYPE_NAMES,
  signedFetch,
  sorted,
} from './names-support.js';

const ACCOUNT = '000000000000';
const prototypeSnapshot = Object.getOwnPropertyNames(Object.prototype).sort();
const failures: string[] = [];
let sandbox: Sandbox;
let aws: ReturnType<typeof clients>;

const listBuckets = policy([{ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' }]);

beforeAll(async () => {
  sandbox = await startSandbox({ memory: true, log: (m) => failures.push(m) });
  aws = clients(sandbox.endpoint);
  await aws.iam.send(
    new CreateRoleCommand({
      RoleName: 'control-role',
      AssumeRolePolicyDocument: trustRoot,
      Description: 'control',
    }),
  );
});
afterAll(async () => {
  await sandbox.stop();
  // No request answered 500: the sandbox logs every internal failure.
  expect(failures).toEqual([]);
  expectPristinePrototype(prototypeSnapshot);
});

async function roleNames(): Promise<string[]> {
  const { Roles } = await aws.iam.send(new ListRolesCommand({}));
  return (Roles ?? []).map((r) => r.RoleName ?? '');
}

describe('IAM roles named like Object.prototype members', () => {
  it('do not exist before they are created', async () => {
    for (const name of IAM_NAMES) {
      await expectAwsError(
        aws.iam.send(new GetRoleCommand({ RoleName: name })),
        'NoSuchEntity',
        404,
        `The role with name ${name} cannot be found.`,
      );
      await expectAwsError(
        aws.iam.send(new UpdateRoleCommand({ RoleName: name, Description: 'X' })),
        'NoSuchEntity',
        404,
      );
      await expectAwsError(
        aws.iam.send(new DeleteRoleCommand({ RoleName: name })),
        'NoSuchEntity',
        404,
      );
      await expectAwsError(
        aws.iam.send(new ListRolePoliciesCommand({ RoleName: name })),
        'NoSuchEntity',
        404,
      );
    }
    // update-role --role-name __proto__ on no such role changed nothing else.
    const control = await aws.iam.send(new GetRoleCommand({ RoleName: 'control-role' }));
    expect(control.Role?.Description).toBe('control');
    expect(await roleNames()).toEqual(['control-role']);
  });

  it('are created, read, updated, tagged and listed like any role, without touching others', async () => {
    for (const name of IAM_NAMES) {
      const created = await aws.iam.send(
        new CreateRoleCommand({
          RoleName: name,
          AssumeRolePolicyDocument: trustRoot,
          Description: `created ${name}`,
        }),
      );
      expect(created.Role?.RoleName).toBe(name);
      expect(created.Role?.Arn).toBe(`arn:aws:iam::${ACCOUNT}:role/${name}`);
    }
    // IAM names are unique regardless of case.
    await expectAwsError(
      aws.iam.send(
        new CreateRoleCommand({ RoleName: 'CONSTRUCTOR', AssumeRolePolicyDocument: trustRoot }),
      ),
      'EntityAlreadyExists',
      409,
      'Role with name CONSTRUCTOR already exists.',
    );
    expect(await roleNames()).toEqual(sorted([...IAM_NAMES, 'control-role']));

    for (const name of IAM_NAMES) {
      await aws.iam.send(new UpdateRoleCommand({ RoleName: name, Description: `updated ${name}` }));
      const got = await aws.iam.send(new GetRoleCommand({ RoleName: name }));
      expect(got.Role?.RoleName).toBe(name);
      expect(got.Role?.Description).toBe(`updated ${name}`);
      const described = await aws.iam.send(
        new UpdateRoleDescriptionCommand({ RoleName: name, Description: `again ${name}` }),
      );
      expect(described.Role?.Description).toBe(`again ${name}`);
      await aws.iam.send(
        new UpdateAssumeRolePolicyCommand({ RoleName: name, PolicyDocument: trustRoot }),
      );
    }
    const control = await aws.iam.send(new GetRoleCommand({ RoleName: 'control-role' }));
    expect(control.Role?.Description).toBe('control');

    const tags = PROTOTYPE_NAMES.map((key) => ({ Key: key, Value: `v-${key}` }));
    await aws.iam.send(new TagRoleCommand({ RoleName: '__proto__', Tags: tags }));
    const listed = await aws.iam.send(new ListRoleTagsCommand({ RoleName: '__proto__' }));
    expect(listed.Tags).toEqual(tags);
    await aws.iam.send(
      new UntagRoleCommand({ RoleName: '__proto__', TagKeys: ['constructor', '__proto__'] }),
    );
    const left = await aws.iam.send(new ListRoleTagsCommand({ RoleName: '__proto__' }));
    expect(left.Tags?.map((t) => t.Key)).toEqual(
      PROTOTYPE_NAMES.filter((k) => k !== 'constructor' && k !== '__proto__'),
    );
    const controlTags = await aws.iam.send(new ListRoleTagsCommand({ RoleName: 'control-role' }));
    expect(controlTags.Tags).toEqual([]);
  });

  it('hold inline policies with hostile names, and only their own', async () => {
    for (const policyName of PROTOTYPE_NAMES) {
      await expectAwsError(
        aws.iam.send(new GetRolePolicyCommand({ RoleName: 'constructor', PolicyName: policyName })),
        'NoSuchEntity',
        404,
        `The role policy with name ${policyName} cannot be found.`,
      );
      await expectAwsError(
        aws.iam.send(
          new DeleteRolePolicyCommand({ RoleName: 'constructor', PolicyName: policyName }),
        ),
        'NoSuchEntity',
        404,
      );
      await aws.iam.send(
        new PutRolePolicyCommand({
          RoleName: 'constructor',
          PolicyName: policyName,
          PolicyDocument: listBuckets,
        }),
      );
    }
    const { PolicyNames } = await aws.iam.send(
      new ListRolePoliciesCommand({ RoleName: 'constructor' }),
    );
    expect(PolicyNames).toEqual(sorted(PROTOTYPE_NAMES));
    for (const policyName of PROTOTYPE_NAMES) {
      const got = await aws.iam.send(
        new GetRolePolicyCommand({ RoleName: 'constructor', PolicyName: policyName }),
      );
      expect(got.PolicyName).toBe(policyName);
      expect(JSON.parse(decodeURIComponent(got.PolicyDocument ?? ''))).toEqual(
        JSON.parse(listBuckets),
      );
    }
    const other = await aws.iam.send(new ListRolePoliciesCommand({ RoleName: 'toString' }));
    expect(other.PolicyNames).toEqual([]);
    for (const policyName of PROTOTYPE_NAMES) {
      await aws.iam.send(
        new DeleteRolePolicyCommand({ RoleName: 'constructor', PolicyName: policyName }),
      );
    }
    const after = await aws.iam.send(new ListRolePoliciesCommand({ RoleName: 'constructor' }));
    expect(after.PolicyNames).toEqual([]);
  });

  it('attach customer managed policies with hostile names', async () => {
    const arns: string[] = [];
    for (const name of PROTOTYPE_NAMES) {
      const arn = `arn:aws:iam::${ACCOUNT}:policy/${name}`;
      await expectAwsError(
        aws.iam.send(new GetPolicyCommand({ PolicyArn: arn })),
        'NoSuchEntity',
        404,
        `Policy ${arn} was not found.`,
      );
      const created = await aws.iam.send(
        new CreatePolicyCommand({ PolicyName: name, PolicyDocument: listBuckets }),
      );
      expect(created.Policy?.Arn).toBe(arn);
      arns.push(arn);
    }
    const local = await aws.iam.send(new ListPoliciesCommand({ Scope: 'Local' }));
    expect(local.Policies?.map((p) => p.PolicyName)).toEqual(sorted(PROTOTYPE_NAMES));

    const arn = `arn:aws:iam::${ACCOUNT}:policy/__proto__`;
    await aws.iam.send(
      new CreatePolicyVersionCommand({
        PolicyArn: arn,
        PolicyDocument: listBuckets,
        SetAsDefault: false,
      }),
    );
    await aws.iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' }));
    const versions = await aws.iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }));
    expect(versions.Versions?.map((v) => [v.VersionId, v.IsDefaultVersion])).toEqual([
      ['v2', true],
      ['v1', false],
    ]);
    await expectAwsError(
      aws.iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'constructor' })),
      'NoSuchEntity',
      404,
    );
    await aws.iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' }));

    for (const policyArn of arns.slice(0, 5)) {
      await aws.iam.send(
        new AttachRolePolicyCommand({ RoleName: 'valueOf', PolicyArn: policyArn }),
      );
    }
    const attached = await aws.iam.send(
      new ListAttachedRolePoliciesCommand({ RoleName: 'valueOf' }),
    );
    expect(attached.AttachedPolicies?.map((p) => p.PolicyArn)).toEqual(arns.slice(0, 5));
    const entities = await aws.iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: arn }));
    expect(entities.PolicyRoles?.map((r) => r.RoleName)).toEqual(['valueOf']);
    const controlAttached = await aws.iam.send(
      new ListAttachedRolePoliciesCommand({ RoleName: 'control-role' }),
    );
    expect(controlAttached.AttachedPolicies).toEqual([]);

    const simulated = await aws.iam.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: `arn:aws:iam::${ACCOUNT}:role/valueOf`,
        ActionNames: ['s3:ListAllMyBuckets', 's3:GetObject'],
        ContextEntries: [
          { ContextKeyName: '__proto__', ContextKeyType: 'string', ContextKeyValues: ['x'] },
          { ContextKeyName: 'constructor', ContextKeyType: 'stringList', ContextKeyValues: ['y'] },
        ],
      }),
    );
    expect(simulated.EvaluationResults?.map((r) => r.EvalDecision)).toEqual([
      'allowed',
      'implicitDeny',
    ]);

    for (const policyArn of arns.slice(0, 5)) {
      await aws.iam.send(
        new DetachRolePolicyCommand({ RoleName: 'valueOf', PolicyArn: policyArn }),
      );
    }
    for (const policyArn of arns)
      await aws.iam.send(new DeletePolicyCommand({ PolicyArn: policyArn }));
    const none = await aws.iam.send(new ListPoliciesCommand({ Scope: 'Local' }));
    expect(none.Policies).toEqual([]);
  });

  it('are assumed through STS with hostile session names', async () => {
    for (const name of ['__proto__', 'constructor', 'toString']) {
      await aws.iam.send(
        new PutRolePolicyCommand({
          RoleName: name,
          PolicyName: 'list',
          PolicyDocument: listBuckets,
        }),
      );
      const assumed = await aws.sts.send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
          RoleSessionName: name,
        }),
      );
      const session = clients(sandbox.endpoint, {
        accessKeyId: assumed.Credentials?.AccessKeyId ?? '',
        secretAccessKey: assumed.Credentials?.SecretAccessKey ?? '',
        sessionToken: assumed.Credentials?.SessionToken ?? '',
      });
      const identity = await session.sts.send(new GetCallerIdentityCommand({}));
      expect(identity.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/${name}/${name}`);
      await aws.iam.send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: 'list' }));
    }
  });

  it('are deleted one at a time, leaving the others', async () => {
    for (const name of IAM_NAMES) {
      await aws.iam.send(new DeleteRoleCommand({ RoleName: name }));
      await expectAwsError(
        aws.iam.send(new GetRoleCommand({ RoleName: name })),
        'NoSuchEntity',
        404,
      );
    }
    expect(await roleNames()).toEqual(['control-role']);
  });
});

describe('access keys named like Object.prototype members', () => {
  it('are the account root, as any key the sandbox did not issue', async () => {
    for (const key of PROTOTYPE_NAMES) {
      const caller = clients(sandbox.endpoint, { accessKeyId: key, secretAccessKey: 'test' });
      const identity = await caller.sts.send(new GetCallerIdentityCommand({}));
      expect(identity.Arn).toBe(`arn:aws:iam::${ACCOUNT}:root`);
    }
  });
});

describe('operations named like Object.prototype members', () => {
  it('are unknown to the query services, as IAM and STS word it', async () => {
    for (const service of ['iam', 'sts']) {
      for (const action of PROTOTYPE_NAMES) {
        const response = await signedFetch(sandbox.endpoint, service, {
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `Action=${encodeURIComponent(action)}&Version=${service === 'iam' ? '2010-05-08' : '2011-06-15'}`,
        });
        const text = await response.text();
        expect(response.status, `${service} ${action}: ${text}`).toBe(400);
        expect(text).toContain('<Code>InvalidAction</Code>');
      }
    }
  });

  it('are unknown to the JSON services', async () => {
    const targets: [string, string][] = [
      ['logs', 'Logs_20140328'],
      ['sagemaker', 'SageMaker'],
      ['cloudtrail', 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101'],
    ];
    for (const [service, prefix] of targets) {
      for (const operation of PROTOTYPE_NAMES) {
        const response = await signedFetch(sandbox.endpoint, service, {
          headers: {
            'content-type': 'application/x-amz-json-1.1',
            'x-amz-target': `${prefix}.${operation}`,
          },
          body: '{}',
        });
        const text = await response.text();
        expect(response.status, `${service} ${operation}: ${text}`).toBe(400);
        expect(text).toMatch(/UnknownOperationException|InvalidAction/);
      }
    }
  });
});
