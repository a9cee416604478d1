import type { TargetInfo } from '../../aws/target.js';
import {
  allPages,
  ifSupported,
  unlessGone,
  waitUntil,
  type CleanupContext,
} from './cleanup-context.js';

/**
 * What AWS demands before it deletes a thing, known once for every lab: a cleanup action
 * `aws: iam:DeletePolicy` first gets the policy detached everywhere and its non-default
 * versions deleted (else DeleteConflict), a running notebook is stopped and waited for, a bucket
 * is emptied. Each entry also names the resource (for reset's report and the sandbox's Forget)
 * and says whether it is still there, so reset reports what the target says, not what the call
 * answered (SageMaker answers ValidationException both for "no such notebook" and for "not
 * stopped yet").
 */

export type Presence = 'present' | 'deleting' | 'gone';

type Input = Readonly<Record<string, unknown>>;

export interface Deletion {
  /** How the report names the kind: "role", "customer managed policy". */
  kind: string;
  name(input: Input): string;
  arn(input: Input, target: TargetInfo): string;
  /** What AWS demands first, done in order; returns what was done, in the report's words. */
  before?(ctx: CleanupContext, input: Input): Promise<string[]>;
  presence(ctx: CleanupContext, input: Input): Promise<Presence>;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The policy's name, from its ARN (`arn:aws:iam::1:policy/path/Name`). */
const policyName = (arn: string): string => arn.slice(arn.lastIndexOf('/') + 1);

const exists = (ctx: CleanupContext, service: string, operation: string, input: Input) =>
  unlessGone<Presence>(async () => {
    await ctx.call(service, operation, { ...input });
    return 'present';
  }, 'gone');

const NOTEBOOK_BUSY = new Set(['Pending', 'Updating']);
const NOTEBOOK_STOPPED = new Set(['Stopped', 'Failed']);

async function notebookStatus(ctx: CleanupContext, name: string): Promise<string | undefined> {
  return unlessGone<string | undefined>(async () => {
    const out = await ctx.call('sagemaker', 'DescribeNotebookInstance', {
      NotebookInstanceName: name,
    });
    return text(out.NotebookInstanceStatus);
  }, undefined);
}

const ROLE: Deletion = {
  kind: 'role',
  name: (input) => text(input.RoleName),
  arn: (input, t) => `arn:${t.partition}:iam::${t.account}:role/${text(input.RoleName)}`,
  async before(ctx, input) {
    const RoleName = text(input.RoleName);
    const done: string[] = [];
    const attached = await allPages<{ PolicyArn: string; PolicyName?: string }>(
      ctx,
      'iam',
      'ListAttachedRolePolicies',
      { RoleName },
      'AttachedPolicies',
    );
    for (const policy of attached) {
      await ctx.call('iam', 'DetachRolePolicy', { RoleName, PolicyArn: policy.PolicyArn });
      done.push(`detached ${policy.PolicyName ?? policyName(policy.PolicyArn)}`);
    }
    const inline = await allPages<string>(
      ctx,
      'iam',
      'ListRolePolicies',
      { RoleName },
      'PolicyNames',
    );
    for (const PolicyName of inline) {
      await ctx.call('iam', 'DeleteRolePolicy', { RoleName, PolicyName });
      done.push(`deleted its inline policy ${PolicyName}`);
    }
    const profiles =
      (await ifSupported(() =>
        allPages<{ InstanceProfileName: string }>(
          ctx,
          'iam',
          'ListInstanceProfilesForRole',
          { RoleName },
          'InstanceProfiles',
        ),
      )) ?? [];
    for (const { InstanceProfileName } of profiles) {
      await ctx.call('iam', 'RemoveRoleFromInstanceProfile', { RoleName, InstanceProfileName });
      done.push(`removed it from instance profile ${InstanceProfileName}`);
    }
    return done;
  },
  presence: (ctx, input) => exists(ctx, 'iam', 'GetRole', { RoleName: input.RoleName }),
};

const POLICY: Deletion = {
  kind: 'customer managed policy',
  name: (input) => policyName(text(input.PolicyArn)),
  arn: (input) => text(input.PolicyArn),
  async before(ctx, input) {
    const PolicyArn = text(input.PolicyArn);
    const done: string[] = [];
    const entities = await ctx.call('iam', 'ListEntitiesForPolicy', { PolicyArn });
    const detach: [string, string, string, string][] = [
      ['PolicyRoles', 'RoleName', 'DetachRolePolicy', 'role'],
      ['PolicyUsers', 'UserName', 'DetachUserPolicy', 'user'],
      ['PolicyGroups', 'GroupName', 'DetachGroupPolicy', 'group'],
    ];
    for (const [member, key, operation, what] of detach) {
      for (const entity of (entities[member] as Record<string, string>[] | undefined) ?? []) {
        await ctx.call('iam', operation, { [key]: entity[key], PolicyArn });
        done.push(`detached it from ${what} ${entity[key]}`);
      }
    }
    const versions = await allPages<{ VersionId: string; IsDefaultVersion?: boolean }>(
      ctx,
      'iam',
      'ListPolicyVersions',
      { PolicyArn },
      'Versions',
    );
    for (const version of versions.filter((v) => !v.IsDefaultVersion)) {
      await ctx.call('iam', 'DeletePolicyVersion', { PolicyArn, VersionId: version.VersionId });
      done.push(`deleted its version ${version.VersionId} (not the default)`);
    }
    return done;
  },
  presence: (ctx, input) => exists(ctx, 'iam', 'GetPolicy', { PolicyArn: input.PolicyArn }),
};

const NOTEBOOK: Deletion = {
  kind: 'notebook instance',
  name: (input) => text(input.NotebookInstanceName),
  arn: (input, t) =>
    `arn:${t.partition}:sagemaker:${t.region}:${t.account}:notebook-instance/${text(input.NotebookInstanceName).toLowerCase()}`,
  async before(ctx, input) {
    const name = text(input.NotebookInstanceName);
    const done: string[] = [];
    const look = () => notebookStatus(ctx, name);
    let status = await look();
    if (status && NOTEBOOK_BUSY.has(status)) {
      ctx.say(`waiting for ${name} to leave ${status}`);
      status = (await waitUntil(ctx, look, (s) => !s || !NOTEBOOK_BUSY.has(s))).value;
    }
    if (status === 'InService') {
      ctx.say(`stopping ${name} (InService)`);
      await ctx.call('sagemaker', 'StopNotebookInstance', { NotebookInstanceName: name });
      done.push('stopped it (it was InService)');
      status = 'Stopping';
    }
    if (status === 'Stopping') {
      ctx.say(`waiting for ${name} to be Stopped`);
      const waited = await waitUntil(ctx, look, (s) => !s || NOTEBOOK_STOPPED.has(s));
      if (!waited.settled)
        throw new Error(`${name} was still ${waited.value} when reset gave up waiting`);
      done.push('waited for Stopped');
    }
    return done;
  },
  async presence(ctx, input) {
    const status = await notebookStatus(ctx, text(input.NotebookInstanceName));
    return status === undefined ? 'gone' : status === 'Deleting' ? 'deleting' : 'present';
  },
};

const BUCKET: Deletion = {
  kind: 'bucket',
  name: (input) => text(input.Bucket),
  arn: (input, t) => `arn:${t.partition}:s3:::${text(input.Bucket)}`,
  async before(ctx, input) {
    const Bucket = text(input.Bucket);
    let deleted = 0;
    for (;;) {
      // Every version and delete marker of a versioned bucket; targets without versioning list objects.
      const versions = await ifSupported(() => ctx.call('s3', 'ListObjectVersions', { Bucket }));
      const listed = versions ?? (await ctx.call('s3', 'ListObjectsV2', { Bucket }));
      const objects = versions
        ? [
            ...((versions.Versions as { Key: string; VersionId?: string }[] | undefined) ?? []),
            ...((versions.DeleteMarkers as { Key: string; VersionId?: string }[] | undefined) ??
              []),
          ].map(({ Key, VersionId }) => ({ Key, ...(VersionId ? { VersionId } : {}) }))
        : ((listed.Contents as { Key: string }[] | undefined) ?? []).map(({ Key }) => ({ Key }));
      if (objects.length === 0) break;
      const out = await ctx.call('s3', 'DeleteObjects', {
        Bucket,
        Delete: { Objects: objects, Quiet: true },
      });
      const [error] = (out.Errors as { Key?: string; Code?: string }[] | undefined) ?? [];
      if (error) throw new Error(`could not delete s3://${Bucket}/${error.Key}: ${error.Code}`);
      deleted += objects.length;
    }
    return deleted ? [`emptied it (${deleted} object${deleted === 1 ? '' : 's'})`] : [];
  },
  presence: (ctx, input) => exists(ctx, 's3', 'HeadBucket', { Bucket: input.Bucket }),
};

const TRAIL: Deletion = {
  kind: 'trail',
  name: (input) => text(input.Name),
  arn: (input, t) =>
    text(input.Name).startsWith('arn:')
      ? text(input.Name)
      : `arn:${t.partition}:cloudtrail:${t.region}:${t.account}:trail/${text(input.Name)}`,
  presence: (ctx, input) => exists(ctx, 'cloudtrail', 'GetTrail', { Name: input.Name }),
};

const LOG_GROUP: Deletion = {
  kind: 'log group',
  name: (input) => text(input.logGroupName),
  arn: (input, t) =>
    `arn:${t.partition}:logs:${t.region}:${t.account}:log-group:${text(input.logGroupName)}`,
  async presence(ctx, input) {
    const name = text(input.logGroupName);
    const out = await ctx.call('logs', 'DescribeLogGroups', { logGroupNamePrefix: name });
    const groups = (out.logGroups as { logGroupName?: string }[] | undefined) ?? [];
    return groups.some((group) => group.logGroupName === name) ? 'present' : 'gone';
  },
};

/** The deletions labwright knows, by the cleanup action's `aws:` (service:Operation). */
export const DELETIONS: Readonly<Record<string, Deletion>> = {
  'iam:DeleteRole': ROLE,
  'iam:DeletePolicy': POLICY,
  'sagemaker:DeleteNotebookInstance': NOTEBOOK,
  's3:DeleteBucket': BUCKET,
  'cloudtrail:DeleteTrail': TRAIL,
  'logs:DeleteLogGroup': LOG_GROUP,
};
