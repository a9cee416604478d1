/**
 * IAM: roles, customer and AWS managed policies, attachments, inline role policies and
 * SimulatePrincipalPolicy, with IAM's own error codes and messages. IAM is global: ARNs carry
 * no region. Policy documents are returned URL-encoded, as IAM does.
 */
import { evaluateRequest, validatePolicyDocument, type PolicyKind } from '../../iam/index.js';
import { callerContext } from '../auth/authorize.js';
import { AWS_MANAGED_POLICIES } from '../data/managed-policies.js';
import {
  AwsError,
  SANDBOX_ACCOUNT,
  type RequestContext,
  type SandboxCore,
  type ServiceHandler,
} from '../types.js';
import { dict } from '../dict.js';
import {
  customerManagedPolicy,
  findRole,
  iamState,
  inlinePolicy,
  managedPolicyDocument,
  parsedPolicy,
  rolePolicies,
  type ManagedPolicyRecord,
  type RoleRecord,
  type TagRecord,
} from './iam-state.js';
import { paginate } from './paginate.js';
import { constraint, validationError } from './errors.js';
import { compareText } from '../../compare-text.js';

const MAX_MANAGED_POLICIES_PER_ROLE = 10;
const MAX_POLICY_VERSIONS = 5;
const NAME_PATTERN = /^[\w+=,.@-]+$/;
const PATH_PATTERN = /^\/([\x21-\x7e]*\/)?$/;

type Input = Record<string, unknown>;

function str(input: Input, key: string): string | undefined {
  const value = input[key];
  return typeof value === 'string' ? value : undefined;
}

function required(input: Input, key: string, field: string): string {
  const value = str(input, key);
  if (value === undefined || value === '') {
    throw validationError(field, null, constraint.notNull, 'ValidationError');
  }
  return value;
}

function checkName(value: string, field: string, max: number): void {
  if (value.length > max) {
    throw validationError(field, value, constraint.lengthAtMost(max), 'ValidationError');
  }
  if (!NAME_PATTERN.test(value)) {
    throw validationError(field, value, constraint.pattern('[\\w+=,.@-]+'), 'ValidationError');
  }
}

function checkPath(path: string): void {
  if (!PATH_PATTERN.test(path) || path.length > 512) {
    throw new AwsError(
      'ValidationError',
      'The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.',
    );
  }
}

/** MalformedPolicyDocument with IAM's wording for the first problem found. */
function checkPolicy(document: string, kind: PolicyKind): void {
  const problems = validatePolicyDocument(document, kind);
  if (problems.length === 0) return;
  const first = problems[0];
  const message = first?.message.startsWith('Syntax errors')
    ? 'This policy contains invalid Json'
    : problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ');
  throw new AwsError('MalformedPolicyDocument', message);
}

const encode = (document: string | object) =>
  encodeURIComponent(typeof document === 'string' ? document : JSON.stringify(document));

function noSuchRole(name: string): AwsError {
  return new AwsError('NoSuchEntity', `The role with name ${name} cannot be found.`, 404);
}

function notAttachable(arn: string): AwsError {
  return new AwsError('NoSuchEntity', `Policy ${arn} does not exist or is not attachable.`, 404);
}

function roleView(role: RoleRecord, full: boolean): Record<string, unknown> {
  const view: Record<string, unknown> = {
    Path: role.Path,
    RoleName: role.RoleName,
    RoleId: role.RoleId,
    Arn: role.Arn,
    CreateDate: role.CreateDate,
    AssumeRolePolicyDocument: encode(role.AssumeRolePolicyDocument),
    MaxSessionDuration: role.MaxSessionDuration,
  };
  if (role.Description !== undefined) view.Description = role.Description;
  if (full) {
    if (role.Tags.length > 0) view.Tags = role.Tags;
    view.RoleLastUsed = {};
  }
  return view;
}

function tagsOf(input: Input): TagRecord[] {
  const tags = input.Tags;
  return Array.isArray(tags)
    ? (tags as TagRecord[]).map((t) => ({ Key: t.Key, Value: t.Value ?? '' }))
    : [];
}

export function iamService(core: SandboxCore): ServiceHandler {
  const state = () => iamState(core.store);
  const roleArn = (path: string, name: string) =>
    `arn:aws:iam::${SANDBOX_ACCOUNT}:role${path}${name}`;
  const policyArn = (path: string, name: string) =>
    `arn:aws:iam::${SANDBOX_ACCOUNT}:policy${path}${name}`;
  const allow = (ctx: RequestContext, action: string, resource: string) =>
    core.authorize(ctx, `iam:${action}`, resource);

  /** The role's ARN (path included) when it exists, as authorization sees it. */
  const arnOf = (name: string) => findRole(core.store, name)?.Arn ?? roleArn('/', name);

  function getRole(name: string): RoleRecord {
    const role = findRole(core.store, name);
    if (!role) throw noSuchRole(name);
    return role;
  }

  /** Customer managed policies only (those the account can change). */
  function customerPolicy(arn: string): ManagedPolicyRecord {
    const policy = customerManagedPolicy(core.store, arn);
    if (!policy) {
      if (AWS_MANAGED_POLICIES.has(arn)) {
        throw new AwsError('AccessDenied', `Cannot modify AWS managed policy ${arn}.`, 403);
      }
      throw new AwsError('NoSuchEntity', `Policy ${arn} was not found.`, 404);
    }
    return policy;
  }

  function attachmentCount(arn: string): number {
    return Object.values(state().roles).filter((r) => r.AttachedPolicies.includes(arn)).length;
  }

  function policyView(arn: string): Record<string, unknown> | undefined {
    const aws = AWS_MANAGED_POLICIES.get(arn);
    if (aws) {
      return {
        PolicyName: aws.name,
        PolicyId: `ANPA${Buffer.from(aws.name).toString('hex').toUpperCase().slice(0, 17)}`,
        Arn: aws.arn,
        Path: aws.path,
        DefaultVersionId: aws.version,
        AttachmentCount: attachmentCount(arn),
        PermissionsBoundaryUsageCount: 0,
        IsAttachable: true,
        CreateDate: aws.createDate,
        UpdateDate: aws.updateDate,
      };
    }
    const p = customerManagedPolicy(core.store, arn);
    if (!p) return undefined;
    const view: Record<string, unknown> = {
      PolicyName: p.PolicyName,
      PolicyId: p.PolicyId,
      Arn: p.Arn,
      Path: p.Path,
      DefaultVersionId: p.DefaultVersionId,
      AttachmentCount: attachmentCount(arn),
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
      CreateDate: p.CreateDate,
      UpdateDate: p.UpdateDate,
    };
    if (p.Description !== undefined) view.Description = p.Description;
    if (p.Tags.length > 0) view.Tags = p.Tags;
    return view;
  }

  const operations: ServiceHandler['operations'] = {
    async CreateRole(input, ctx) {
      const name = required(input, 'RoleName', 'roleName');
      const path = str(input, 'Path') ?? '/';
      checkName(name, 'roleName', 64);
      checkPath(path);
      const arn = roleArn(path, name);
      await allow(ctx, 'CreateRole', arn);
      const trust = required(input, 'AssumeRolePolicyDocument', 'assumeRolePolicyDocument');
      if (findRole(core.store, name)) {
        throw new AwsError('EntityAlreadyExists', `Role with name ${name} already exists.`, 409);
      }
      checkPolicy(trust, 'trust');
      const maxSession = (input.MaxSessionDuration as number | undefined) ?? 3600;
      if (maxSession < 3600 || maxSession > 43200) {
        throw validationError(
          'maxSessionDuration',
          maxSession,
          constraint.between(3600, 43200),
          'ValidationError',
        );
      }
      const role: RoleRecord = {
        RoleName: name,
        RoleId: core.ids.uniqueId('AROA'),
        Arn: arn,
        Path: path,
        CreateDate: new Date(core.now()).toISOString(),
        AssumeRolePolicyDocument: trust,
        MaxSessionDuration: maxSession,
        Tags: tagsOf(input),
        AttachedPolicies: [],
        InlinePolicies: dict(),
      };
      const description = str(input, 'Description');
      if (description !== undefined) role.Description = description;
      state().roles[name.toLowerCase()] = role;
      core.store.changed();
      return { Role: roleView(role, true) };
    },

    async GetRole(input, ctx) {
      const name = required(input, 'RoleName', 'roleName');
      await allow(ctx, 'GetRole', arnOf(name));
      return { Role: roleView(getRole(name), true) };
    },

    async ListRoles(input, ctx) {
      await allow(ctx, 'ListRoles', `arn:aws:iam::${SANDBOX_ACCOUNT}:role/`);
      const prefix = str(input, 'PathPrefix') ?? '/';
      const roles = Object.values(state().roles)
        .filter((r) => r.Path.startsWith(prefix))
        .sort((a, b) => compareText(a.RoleName, b.RoleName));
      const page = paginate(roles, input);
      return {
        Roles: page.items.map((r) => roleView(r, false)),
        IsTruncated: page.IsTruncated,
        Marker: page.Marker,
      };
    },

    async DeleteRole(input, ctx) {
      const name = required(input, 'RoleName', 'roleName');
      await allow(ctx, 'DeleteRole', arnOf(name));
      const role = getRole(name);
      if (role.AttachedPolicies.length > 0) {
        throw new AwsError(
          'DeleteConflict',
          'Cannot delete entity, must detach all policies first.',
          409,
        );
      }
      if (Object.keys(role.InlinePolicies).length > 0) {
        throw new AwsError(
          'DeleteConflict',
          'Cannot delete entity, must delete policies first.',
          409,
        );
      }
      delete state().roles[name.toLowerCase()];
      core.store.changed();
      return {};
    },

    async UpdateRole(input, ctx) {
      const name = required(input, 'RoleName', 'roleName');
      await allow(ctx, 'UpdateRole', arnOf(name));
      const role = getRole(name);
      const description = str(input, 'Description');
      if (description !== undefined) role.Description = description;
      if (typeof input.MaxSessionDuration === 'number')
        role.MaxSessionDuration = input.MaxSessionDuration;
      core.store.changed();
      return {};
    },

    async UpdateRoleDescription(input, ctx) {
      const name = required(input, 'RoleName', 'roleName');
      await allow(ctx, 'UpdateRoleDescription', arnOf(name));
      const role = getRole(name);
      role.Description = str(input, 'Description') ?? '';
      core.store.changed();
      return { Role: roleView(role, true) };
    },

    async UpdateAssumeRolePolicy(input, ctx) {
      const name = required(input, 'RoleName', 'roleName');
      await allow(ctx, 'UpdateAssumeRolePolicy', arnOf(name));
      const role = getRole(name);
      const document = required(input, 'PolicyDocument', 'policyDocument');
      checkPolicy(document, 'trust');
      role.AssumeRolePolicyDocument = document;
      core.store.changed();
      return {};
    },

    async TagRole(input, ctx) {
      const name = required(input, 'RoleName', 'roleName');
      await allow(ctx, 'TagRole', arnOf(name));
      const role = getRole(name);
      for (const tag of tagsOf(input)) {
        const existing = role.Tags.find((t) => t.Key === tag.Key);
        if (existing) existing.Value = tag.Value;
        else role.Tags.push(tag);
      }
      if (role.Tags.length > 50) {
        throw new AwsError('LimitExceeded', 'Cannot exceed quota for TagsPerRole: 50', 409);
      }
      core.store.changed();
      return {};
    },

    async UntagRole(input, ctx) {
      const name = required(input, 'RoleName', 'roleName');
      await allow(ctx, 'UntagRole', arnOf(name));
      const role = getRole(name);
      const keys = new Set((input.TagKeys as string[] | undefined) ?? []);
      role.Tags = role.Tags.filter((t) => !keys.has(t.Key));
      core.store.changed();
      return {};
    },

    async ListRoleTags(input, ctx) {
      const name = required(input, 'RoleName', 'roleName');
      await allow(ctx, 'ListRoleTags', arnOf(name));
      const page = paginate(getRole(name).Tags, input);
      return { Tags: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
    },

    async CreatePolicy(input, ctx) {
      const name = required(input, 'PolicyName', 'policyName');
      const path = str(input, 'Path') ?? '/';
      checkName(name, 'policyName', 128);
      checkPath(path);
      const arn = policyArn(path, name);
      await allow(ctx, 'CreatePolicy', arn);
      const document = required(input, 'PolicyDocument', 'policyDocument');
      if (Object.values(state().policies).some((p) => p.PolicyName === name)) {
        throw new AwsError(
          'EntityAlreadyExists',
          `A policy called ${name} already exists. Duplicate names are not allowed.`,
          409,
        );
      }
      checkPolicy(document, 'identity');
      const now = new Date(core.now()).toISOString();
      const policy: ManagedPolicyRecord = {
        PolicyName: name,
        PolicyId: core.ids.uniqueId('ANPA'),
        Arn: arn,
        Path: path,
        CreateDate: now,
        UpdateDate: now,
        DefaultVersionId: 'v1',
        Versions: [{ VersionId: 'v1', Document: document, CreateDate: now }],
        NextVersion: 2,
        Tags: tagsOf(input),
      };
      const description = str(input, 'Description');
      if (description !== undefined) policy.Description = description;
      state().policies[arn] = policy;
      core.store.changed();
      return { Policy: policyView(arn) };
    },

    async GetPolicy(input, ctx) {
      const arn = required(input, 'PolicyArn', 'policyArn');
      await allow(ctx, 'GetPolicy', arn);
      const view = policyView(arn);
      if (!view) throw new AwsError('NoSuchEntity', `Policy ${arn} was not found.`, 404);
      return { Policy: view };
    },

    async ListPolicies(input, ctx) {
      await allow(ctx, 'ListPolicies', `arn:aws:iam::${SANDBOX_ACCOUNT}:policy/`);
      const scope = str(input, 'Scope') ?? 'All';
      const prefix = str(input, 'PathPrefix') ?? '/';
      const arns = [
        ...(scope === 'Local' ? [] : [...AWS_MANAGED_POLICIES.keys()]),
        ...(scope === 'AWS' ? [] : Object.keys(state().policies)),
      ];
      const views = arns
        .map((arn) => policyView(arn) as Record<string, unknown>)
        .filter((v) => (v.Path as string).startsWith(prefix))
        .filter((v) => input.OnlyAttached !== true || (v.AttachmentCount as number) > 0)
        .sort((a, b) => compareText(String(a.PolicyName), String(b.PolicyName)));
      const page = paginate(views, input);
      return { Policies: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
    },

    async DeletePolicy(input, ctx) {
      const arn = required(input, 'PolicyArn', 'policyArn');
      await allow(ctx, 'DeletePolicy', arn);
      const policy = customerPolicy(arn);
      if (attachmentCount(arn) > 0) {
        throw new AwsError('DeleteConflict', 'Cannot delete a policy attached to entities.', 409);
      }
      if (policy.Versions.length > 1) {
        throw new AwsError(
          'DeleteConflict',
          "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
          409,
        );
      }
      delete state().policies[arn];
      core.store.changed();
      return {};
    },

    async CreatePolicyVersion(input, ctx) {
      const arn = required(input, 'PolicyArn', 'policyArn');
      await allow(ctx, 'CreatePolicyVersion', arn);
      const policy = customerPolicy(arn);
      const document = required(input, 'PolicyDocument', 'policyDocument');
      checkPolicy(document, 'identity');
      if (policy.Versions.length >= MAX_POLICY_VERSIONS) {
        throw new AwsError(
          'LimitExceeded',
          'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.',
          409,
        );
      }
      const now = new Date(core.now()).toISOString();
      const version = {
        VersionId: `v${policy.NextVersion++}`,
        Document: document,
        CreateDate: now,
      };
      policy.Versions.push(version);
      policy.UpdateDate = now;
      if (input.SetAsDefault === true) policy.DefaultVersionId = version.VersionId;
      core.store.changed();
      return {
        PolicyVersion: {
          VersionId: version.VersionId,
          IsDefaultVersion: policy.DefaultVersionId === version.VersionId,
          CreateDate: now,
        },
      };
    },

    async GetPolicyVersion(input, ctx) {
      const arn = required(input, 'PolicyArn', 'policyArn');
      const versionId = required(input, 'VersionId', 'versionId');
      await allow(ctx, 'GetPolicyVersion', arn);
      const aws = AWS_MANAGED_POLICIES.get(arn);
      if (aws && aws.version === versionId) {
        return {
          PolicyVersion: {
            Document: encode(aws.document),
            VersionId: aws.version,
            IsDefaultVersion: true,
            CreateDate: aws.updateDate,
          },
        };
      }
      const policy = customerManagedPolicy(core.store, arn);
      const version = policy?.Versions.find((v) => v.VersionId === versionId);
      if (!policy || !version) {
        throw new AwsError(
          'NoSuchEntity',
          `Policy ${arn} version ${versionId} does not exist or is not attachable.`,
          404,
        );
      }
      return {
        PolicyVersion: {
          Document: encode(version.Document),
          VersionId: version.VersionId,
          IsDefaultVersion: version.VersionId === policy.DefaultVersionId,
          CreateDate: version.CreateDate,
        },
      };
    },

    async ListPolicyVersions(input, ctx) {
      const arn = required(input, 'PolicyArn', 'policyArn');
      await allow(ctx, 'ListPolicyVersions', arn);
      const aws = AWS_MANAGED_POLICIES.get(arn);
      if (aws) {
        return {
          Versions: [
            { VersionId: aws.version, IsDefaultVersion: true, CreateDate: aws.updateDate },
          ],
          IsTruncated: false,
        };
      }
      const policy = customerManagedPolicy(core.store, arn);
      if (!policy) throw new AwsError('NoSuchEntity', `Policy ${arn} was not found.`, 404);
      const versions = [...policy.Versions].reverse().map((v) => ({
        VersionId: v.VersionId,
        IsDefaultVersion: v.VersionId === policy.DefaultVersionId,
        CreateDate: v.CreateDate,
      }));
      const page = paginate(versions, input);
      return { Versions: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
    },

    async DeletePolicyVersion(input, ctx) {
      const arn = required(input, 'PolicyArn', 'policyArn');
      const versionId = required(input, 'VersionId', 'versionId');
      await allow(ctx, 'DeletePolicyVersion', arn);
      const policy = customerPolicy(arn);
      const index = policy.Versions.findIndex((v) => v.VersionId === versionId);
      if (index < 0) {
        throw new AwsError(
          'NoSuchEntity',
          `Policy ${arn} version ${versionId} does not exist or is not attachable.`,
          404,
        );
      }
      if (versionId === policy.DefaultVersionId) {
        throw new AwsError('DeleteConflict', 'Cannot delete the default version of a policy.', 409);
      }
      policy.Versions.splice(index, 1);
      core.store.changed();
      return {};
    },

    async SetDefaultPolicyVersion(input, ctx) {
      const arn = required(input, 'PolicyArn', 'policyArn');
      const versionId = required(input, 'VersionId', 'versionId');
      await allow(ctx, 'SetDefaultPolicyVersion', arn);
      const policy = customerPolicy(arn);
      if (!policy.Versions.some((v) => v.VersionId === versionId)) {
        throw new AwsError(
          'NoSuchEntity',
          `Policy ${arn} version ${versionId} does not exist or is not attachable.`,
          404,
        );
      }
      policy.DefaultVersionId = versionId;
      policy.UpdateDate = new Date(core.now()).toISOString();
      core.store.changed();
      return {};
    },

    async AttachRolePolicy(input, ctx) {
      const name = required(input, 'RoleName', 'roleName');
      const arn = required(input, 'PolicyArn', 'policyArn');
      await allow(ctx, 'AttachRolePolicy', arnOf(name));
      const role = getRole(name);
      if (!managedPolicyDocument(core.store, arn)) throw notAttachable(arn);
      if (role.AttachedPolicies.includes(arn)) return {};
      if (role.AttachedPolicies.length >= MAX_MANAGED_POLICIES_PER_ROLE) {
        throw new AwsError(
          'LimitExceeded',
          `Cannot exceed quota for PoliciesPerRole: ${MAX_MANAGED_POLICIES_PER_ROLE}`,
          409,
        );
      }
      role.AttachedPolicies.push(arn);
      core.store.changed();
      return {};
    },

    async DetachRolePolicy(input, ctx) {
      const name = required(input, 'RoleName', 'roleName');
      const arn = required(input, 'PolicyArn', 'policyArn');
      await allow(ctx, 'DetachRolePolicy', arnOf(name));
      const role = getRole(name);
      if (!role.AttachedPolicies.includes(arn)) {
        throw new AwsError('NoSuchEntity', `Policy ${arn} was not found.`, 404);
      }
      role.AttachedPolicies = role.AttachedPolicies.filter((a) => a !== arn);
      core.store.changed();
      return {};
    },

    async ListAttachedRolePolicies(input, ctx) {
      const name = required(input, 'RoleName', 'roleName');
      await allow(ctx, 'ListAttachedRolePolicies', arnOf(name));
      const prefix = str(input, 'PathPrefix') ?? '/';
      const attached = getRole(name)
        .AttachedPolicies.map((arn) => policyView(arn))
        .filter((v): v is Record<string, unknown> => !!v && String(v.Path).startsWith(prefix))
        .map((v) => ({ PolicyName: v.PolicyName, PolicyArn: v.Arn }));
      const page = paginate(attached, input);
      return { AttachedPolicies: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
    },

    async ListEntitiesForPolicy(input, ctx) {
      const arn = required(input, 'PolicyArn', 'policyArn');
      await allow(ctx, 'ListEntitiesForPolicy', arn);
      if (!policyView(arn)) throw new AwsError('NoSuchEntity', `Policy ${arn} was not found.`, 404);
      const filter = str(input, 'EntityFilter');
      const roles =
        filter &&
        filter !== 'Role' &&
        filter !== 'LocalManagedPolicy' &&
        filter !== 'AWSManagedPolicy'
          ? []
          : Object.values(state().roles)
              .filter((r) => r.AttachedPolicies.includes(arn))
              .map((r) => ({ RoleName: r.RoleName, RoleId: r.RoleId }));
      return { PolicyGroups: [], PolicyUsers: [], PolicyRoles: roles, IsTruncated: false };
    },

    async PutRolePolicy(input, ctx) {
      const name = required(input, 'RoleName', 'roleName');
      const policyName = required(input, 'PolicyName', 'policyName');
      checkName(policyName, 'policyName', 128);
      await allow(ctx, 'PutRolePolicy', arnOf(name));
      const role = getRole(name);
      const document = required(input, 'PolicyDocument', 'policyDocument');
      checkPolicy(document, 'identity');
      role.InlinePolicies[policyName] = document;
      core.store.changed();
      return {};
    },

    async GetRolePolicy(input, ctx) {
      const name = required(input, 'RoleName', 'roleName');
      const policyName = required(input, 'PolicyName', 'policyName');
      await allow(ctx, 'GetRolePolicy', arnOf(name));
      const role = getRole(name);
      const document = inlinePolicy(role, policyName);
      if (document === undefined) {
        throw new AwsError(
          'NoSuchEntity',
          `The role policy with name ${policyName} cannot be found.`,
          404,
        );
      }
      return { RoleName: role.RoleName, PolicyName: policyName, PolicyDocument: encode(document) };
    },

    async ListRolePolicies(input, ctx) {
      const name = required(input, 'RoleName', 'roleName');
      await allow(ctx, 'ListRolePolicies', arnOf(name));
      const page = paginate(Object.keys(getRole(name).InlinePolicies).sort(), input);
      return { PolicyNames: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
    },

    async DeleteRolePolicy(input, ctx) {
      const name = required(input, 'RoleName', 'roleName');
      const policyName = required(input, 'PolicyName', 'policyName');
      await allow(ctx, 'DeleteRolePolicy', arnOf(name));
      const role = getRole(name);
      if (inlinePolicy(role, policyName) === undefined) {
        throw new AwsError(
          'NoSuchEntity',
          `The role policy with name ${policyName} cannot be found.`,
          404,
        );
      }
      delete role.InlinePolicies[policyName];
      core.store.changed();
      return {};
    },

    async SimulatePrincipalPolicy(input, ctx) {
      const source = required(input, 'PolicySourceArn', 'policySourceArn');
      await allow(ctx, 'SimulatePrincipalPolicy', source);
      const roleName = /:role\/(?:.*\/)?([^/]+)$/.exec(source)?.[1];
      const role = roleName ? findRole(core.store, roleName) : undefined;
      if (!role || role.Arn !== source) {
        throw new AwsError(
          'NoSuchEntity',
          `The role with name ${roleName ?? source} cannot be found.`,
          404,
        );
      }
      const extra = ((input.PolicyInputList as string[] | undefined) ?? []).map((text, i) => {
        checkPolicy(text, 'identity');
        return { name: `PolicyInputList.${i + 1}`, document: parsedPolicy(text) };
      });
      const policies: { name: string; arn?: string; document: object }[] = [
        ...rolePolicies(core.store, role),
        ...extra,
      ];
      const resourcePolicyText = str(input, 'ResourcePolicy');
      const resourcePolicy = resourcePolicyText ? parsedPolicy(resourcePolicyText) : undefined;
      const context = dict<string | string[]>();
      for (const entry of (input.ContextEntries as Record<string, unknown>[] | undefined) ?? []) {
        const values = (entry.ContextKeyValues as string[] | undefined) ?? [];
        const key = String(entry.ContextKeyName);
        context[key] = String(entry.ContextKeyType ?? '').endsWith('List')
          ? values
          : (values[0] ?? '');
      }
      const actions = (input.ActionNames as string[] | undefined) ?? [];
      const resources = (input.ResourceArns as string[] | undefined) ?? ['*'];
      const sourceType = (name: string, arn?: string) =>
        arn
          ? AWS_MANAGED_POLICIES.has(arn)
            ? 'aws-managed'
            : 'user-managed'
          : name.startsWith('PolicyInputList')
            ? 'none'
            : 'role';
      const results = [];
      for (const action of actions) {
        for (const resource of resources) {
          const evaluation = await evaluateRequest({
            principalArn: role.Arn,
            accountId: SANDBOX_ACCOUNT,
            identityPolicies: policies,
            resourcePolicy,
            action,
            resource,
            context: {
              ...callerContext({
                kind: 'assumed-role',
                accountId: SANDBOX_ACCOUNT,
                arn: role.Arn,
                principalId: role.RoleId,
                accessKeyId: '',
                roleName: role.RoleName,
                roleArn: role.Arn,
                sessionName: '',
              }),
              ...context,
            },
          });
          const effect = evaluation.decision === 'explicitDeny' ? 'Deny' : 'Allow';
          const matched = evaluation.statements
            .filter(
              (s) => s.applies && s.effect === effect && evaluation.decision !== 'implicitDeny',
            )
            .map((s) => {
              const policy = policies.find((p) => p.name === s.policyName);
              return {
                SourcePolicyId: s.policyType === 'resource' ? 'ResourcePolicy' : s.policyName,
                SourcePolicyType:
                  s.policyType === 'resource' ? 'resource' : sourceType(s.policyName, policy?.arn),
              };
            });
          results.push({
            EvalActionName: action,
            EvalResourceName: resource,
            EvalDecision: evaluation.decision,
            MatchedStatements: matched,
            MissingContextValues: [],
          });
        }
      }
      return { EvaluationResults: results, IsTruncated: false };
    },

    async GetUser(input, ctx) {
      const name = str(input, 'UserName');
      if (name)
        throw new AwsError('NoSuchEntity', `The user with name ${name} cannot be found.`, 404);
      if (ctx.caller.kind !== 'root') {
        throw new AwsError(
          'ValidationError',
          'Must specify userName when calling with non-User credentials',
        );
      }
      return {
        User: {
          UserId: ctx.caller.accountId,
          Arn: ctx.caller.arn,
          CreateDate: new Date(0).toISOString(),
        },
      };
    },
  };

  return {
    name: 'iam',
    operations,
    describeEvent(operation, input) {
      if (operation === 'CreateRole' || operation === 'GetRole') {
        const role = findRole(core.store, String(input.RoleName ?? ''));
        if (role) return { resources: [{ ARN: role.Arn, ResourceType: 'AWS::IAM::Role' }] };
      }
      return {};
    },
  };
}
