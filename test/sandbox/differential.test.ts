/**
 * Differential tests: the same SDK call sequences against the sandbox and moto_server give the
 * same response shapes, the same values where both are deterministic, and the same error codes.
 * Only behaviour moto implements is compared.
 */
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DetachRolePolicyCommand,
  GetPolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { startMoto, type Moto } from '../support/moto.js';
import { requireTool } from '../support/tools.js';
import { policy, trustRoot } from './helpers.js';

const hasMoto = requireTool('moto_server');

/**
 * Where moto departs from AWS, the sandbox follows AWS: moto always returns PackedPolicySize,
 * AWS only when session policies or tags are passed.
 */
const MOTO_ONLY_FIELDS: Record<string, string[]> = { AssumeRole: ['PackedPolicySize'] };
const root = { accessKeyId: 'test', secretAccessKey: 'test' };

/** The keys of a response, recursively (arrays by their first element), without $metadata. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length > 0 ? [shape(value[0])] : [];
  if (value instanceof Date) return 'Date';
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .filter((k) => k !== '$metadata')
        .sort()
        .map((k) => [k, shape((value as Record<string, unknown>)[k])]),
    );
  }
  return typeof value;
}

type Step = { step: string; shape?: unknown; values?: unknown; error?: string };

async function step(
  transcript: Step[],
  name: string,
  call: () => Promise<unknown>,
  pick: (out: Record<string, unknown>) => unknown = () => undefined,
) {
  try {
    const out = (await call()) as Record<string, unknown>;
    transcript.push({ step: name, shape: shape(out), values: pick(out) });
    return out;
  } catch (error) {
    transcript.push({ step: name, error: (error as Error).name });
    return undefined;
  }
}

/** One lesson-like sequence of IAM and STS calls; returns what a test can compare. */
async function scenario(endpoint: string): Promise<Step[]> {
  const config = { endpoint, region: 'us-east-1', credentials: root, maxAttempts: 1 };
  const iam = new IAMClient(config);
  const sts = new STSClient(config);
  const t: Step[] = [];
  const inline = policy([
    { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' },
  ]);
  const s3ro = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';

  await step(
    t,
    'CreateRole',
    () =>
      iam.send(
        new CreateRoleCommand({ RoleName: 'diff-role', AssumeRolePolicyDocument: trustRoot }),
      ),
    (o) => {
      const role = o.Role as Record<string, unknown>;
      return [
        role.RoleName,
        role.Arn,
        role.Path,
        decodeURIComponent(String(role.AssumeRolePolicyDocument)),
      ];
    },
  );
  await step(t, 'CreateRole again', () =>
    iam.send(new CreateRoleCommand({ RoleName: 'diff-role', AssumeRolePolicyDocument: trustRoot })),
  );
  await step(
    t,
    'GetRole',
    () => iam.send(new GetRoleCommand({ RoleName: 'diff-role' })),
    (o) => (o.Role as Record<string, unknown>).Arn,
  );
  await step(t, 'GetRole missing', () => iam.send(new GetRoleCommand({ RoleName: 'nobody' })));
  await step(t, 'AttachRolePolicy (AWS managed)', () =>
    iam.send(new AttachRolePolicyCommand({ RoleName: 'diff-role', PolicyArn: s3ro })),
  );
  await step(
    t,
    'ListAttachedRolePolicies',
    () => iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'diff-role' })),
    (o) => o.AttachedPolicies,
  );
  await step(t, 'AttachRolePolicy missing policy', () =>
    iam.send(
      new AttachRolePolicyCommand({
        RoleName: 'diff-role',
        PolicyArn: 'arn:aws:iam::aws:policy/NoSuchPolicy',
      }),
    ),
  );
  await step(t, 'DeleteRole with attached policy', () =>
    iam.send(new DeleteRoleCommand({ RoleName: 'diff-role' })),
  );
  await step(t, 'PutRolePolicy', () =>
    iam.send(
      new PutRolePolicyCommand({
        RoleName: 'diff-role',
        PolicyName: 'read',
        PolicyDocument: inline,
      }),
    ),
  );
  await step(
    t,
    'GetRolePolicy',
    () => iam.send(new GetRolePolicyCommand({ RoleName: 'diff-role', PolicyName: 'read' })),
    (o) => [o.RoleName, o.PolicyName, JSON.parse(decodeURIComponent(String(o.PolicyDocument)))],
  );
  await step(t, 'GetRolePolicy missing', () =>
    iam.send(new GetRolePolicyCommand({ RoleName: 'diff-role', PolicyName: 'none' })),
  );
  await step(
    t,
    'ListRolePolicies',
    () => iam.send(new ListRolePoliciesCommand({ RoleName: 'diff-role' })),
    (o) => o.PolicyNames,
  );
  await step(
    t,
    'CreatePolicy',
    () => iam.send(new CreatePolicyCommand({ PolicyName: 'diff-policy', PolicyDocument: inline })),
    (o) => {
      const p = o.Policy as Record<string, unknown>;
      return [p.Arn, p.DefaultVersionId, p.AttachmentCount];
    },
  );
  await step(t, 'GetPolicy missing', () =>
    iam.send(new GetPolicyCommand({ PolicyArn: 'arn:aws:iam::000000000000:policy/none' })),
  );
  await step(t, 'DetachRolePolicy', () =>
    iam.send(new DetachRolePolicyCommand({ RoleName: 'diff-role', PolicyArn: s3ro })),
  );
  const assumed = await step(
    t,
    'AssumeRole',
    () =>
      sts.send(
        new AssumeRoleCommand({
          RoleArn: 'arn:aws:iam::000000000000:role/diff-role',
          RoleSessionName: 'diff',
        }),
      ),
    (o) => (o.AssumedRoleUser as Record<string, unknown>).Arn,
  );
  const c = assumed?.Credentials as Record<string, string> | undefined;
  if (c) {
    const asRole = new STSClient({
      ...config,
      credentials: {
        accessKeyId: c.AccessKeyId!,
        secretAccessKey: c.SecretAccessKey!,
        sessionToken: c.SessionToken!,
      },
    });
    await step(
      t,
      'GetCallerIdentity as the role',
      () => asRole.send(new GetCallerIdentityCommand({})),
      (o) => [o.Account, o.Arn],
    );
  }
  await step(
    t,
    'GetCallerIdentity as root',
    () => sts.send(new GetCallerIdentityCommand({})),
    (o) => o.Account,
  );
  return t;
}

describe.skipIf(!hasMoto)('differential: sandbox vs moto_server', () => {
  let sandbox: Sandbox;
  let moto: Moto;
  beforeAll(async () => {
    [sandbox, moto] = await Promise.all([startSandbox({ memory: true }), startMoto()]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([sandbox?.stop(), moto?.stop()]);
  });
  beforeEach(() => moto.reset());

  it('gives the same shapes, values and error codes for roles, policies and AssumeRole', async () => {
    const [ours, theirs] = await Promise.all([scenario(sandbox.endpoint), scenario(moto.endpoint)]);
    for (let i = 0; i < Math.max(ours.length, theirs.length); i++) {
      const a = ours[i];
      const b = theirs[i];
      expect(a?.step, 'the same steps ran').toBe(b?.step);
      expect(a?.error, `${a?.step}: error code`).toBe(b?.error);
      expect(a?.values, `${a?.step}: values`).toEqual(b?.values);
      // The sandbox may return more than moto (AWS fields moto leaves out), never less.
      const expected = { ...(b?.shape as Record<string, unknown> | undefined) };
      for (const field of MOTO_ONLY_FIELDS[b?.step ?? ''] ?? []) delete expected[field];
      expect(a?.shape, `${a?.step}: response shape`).toMatchObject(expected);
    }
  });
});
