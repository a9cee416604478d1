/**
 * labwright's SageMaker service key: sts:AssumeRole signed with it is SageMaker assuming the role
 * (a notebook's terminal, labwright notebook-shell). The trust policy decides, the session is
 * invokedBy SageMaker, CloudTrail shows the service, and the journal replays it. Real SDK clients.
 */
import { LookupEventsCommand, CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJournal } from '../../src/sandbox/journal.js';
import { replaySandbox } from '../../src/sandbox/replay.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { serviceKeyFor } from '../../src/sandbox/services/service-keys.js';
import { expectAwsError, policy, trustSageMaker } from './helpers.js';
import { clients } from './service-clients.js';

const ROLE = 'arn:aws:iam::000000000000:role/NotebookRole';
const EC2_ROLE = 'arn:aws:iam::000000000000:role/Ec2Role';
const asSageMaker = {
  accessKeyId: serviceKeyFor('sagemaker.amazonaws.com')!,
  secretAccessKey: 'anything',
};

let dir: string;
let sandbox: Sandbox;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'labwright-service-keys-'));
  sandbox = await startSandbox({ port: 0, stateDir: dir, log: () => undefined });
  const root = clients(sandbox.endpoint);
  await root.iam.send(
    new CreateRoleCommand({ RoleName: 'NotebookRole', AssumeRolePolicyDocument: trustSageMaker }),
  );
  await root.iam.send(
    new CreateRoleCommand({
      RoleName: 'Ec2Role',
      AssumeRolePolicyDocument: policy([
        { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ]),
    }),
  );
});

afterAll(async () => {
  await sandbox?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the sandbox's SageMaker service key", () => {
  it('assumes a role that trusts SageMaker, as SageMaker: the session is the role, invoked by SageMaker', async () => {
    const sagemaker = clients(sandbox.endpoint, asSageMaker);
    const out = await sagemaker.sts.send(
      new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'SageMaker' }),
    );
    expect(out.AssumedRoleUser?.Arn).toBe(
      'arn:aws:sts::000000000000:assumed-role/NotebookRole/SageMaker',
    );
    const session = clients(sandbox.endpoint, {
      accessKeyId: out.Credentials!.AccessKeyId!,
      secretAccessKey: out.Credentials!.SecretAccessKey!,
      sessionToken: out.Credentials!.SessionToken!,
    });
    const who = await session.sts.send(new GetCallerIdentityCommand({}));
    expect(who.Arn).toBe('arn:aws:sts::000000000000:assumed-role/NotebookRole/SageMaker');
    // The role has no permissions: the session is refused as the role would be.
    await expectAwsError(session.s3.send(new ListBucketsCommand({})), 'AccessDenied', 403);

    const trail = new CloudTrailClient({
      endpoint: sandbox.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const events = await trail.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: ROLE }],
      }),
    );
    const assumed = events
      .Events!.map((e) => JSON.parse(e.CloudTrailEvent!))
      .filter((e) => e.eventName === 'AssumeRole');
    expect(assumed).toHaveLength(1);
    expect(assumed[0].userIdentity).toEqual({
      type: 'AWSService',
      invokedBy: 'sagemaker.amazonaws.com',
    });
    expect(assumed[0].sourceIPAddress).toBe('sagemaker.amazonaws.com');
  });

  it('is refused a role whose trust policy does not allow SageMaker', async () => {
    const sagemaker = clients(sandbox.endpoint, asSageMaker);
    await expectAwsError(
      sagemaker.sts.send(
        new AssumeRoleCommand({ RoleArn: EC2_ROLE, RoleSessionName: 'SageMaker' }),
      ),
      'AccessDenied',
      403,
      `sagemaker.amazonaws.com is not authorized to perform: sts:AssumeRole on resource: ${EC2_ROLE}`,
    );
  });

  it('may call nothing but sts:AssumeRole', async () => {
    const sagemaker = clients(sandbox.endpoint, asSageMaker);
    await expectAwsError(sagemaker.s3.send(new ListBucketsCommand({})), 'AccessDenied', 403);
    await expectAwsError(sagemaker.sts.send(new GetCallerIdentityCommand({})), 'AccessDenied');
  });

  it('is journaled: replaying the journal assumes the role as SageMaker again, to the same state', async () => {
    await sandbox.core.settle();
    const records = await readJournal(dir);
    expect(
      records.some(
        (r) => r.operation === 'AssumeRole' && r.context?.accessKeyId === asSageMaker.accessKeyId,
      ),
    ).toBe(true);
    const { sandbox: replayed, mismatch } = await replaySandbox(records, async () => undefined);
    try {
      expect(mismatch).toBeUndefined();
      expect(JSON.stringify(replayed.core.store.get('sts', () => ({})))).toBe(
        JSON.stringify(sandbox.core.store.get('sts', () => ({}))),
      );
    } finally {
      await replayed.stop();
    }
  });
});
