/**
 * The sandbox's one labwright-only operation, `POST /_labwright/forget` (src/sandbox/forget.ts):
 * it forgets the training jobs it is given and the CloudTrail events that name them or their
 * roles, nothing else, and a restart (the journal replayed) forgets them again. Checked with
 * the real SDK clients; the request is what `labwright reset` sends.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import {
  CreateTrainingJobCommand,
  DescribeTrainingJobCommand,
  ListTrainingJobsCommand,
} from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { trustSageMaker } from './helpers.js';
import { clients } from './service-clients.js';

const ACCOUNT = '000000000000';
const TIMING = { notebookTransitionMs: 50, trainingJobMs: 200 };

let dir: string;
let sandbox: Sandbox;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'labwright-forget-'));
  sandbox = await startSandbox({ port: 0, stateDir: dir, timing: TIMING, log: () => undefined });
});

afterAll(async () => {
  await sandbox?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function forget(body: unknown, contentType = 'application/json') {
  return fetch(`${sandbox.endpoint}/_labwright/forget`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: JSON.stringify(body),
  });
}

async function jobs(endpoint: string): Promise<string[]> {
  const aws = clients(endpoint);
  try {
    const out = await aws.sagemaker.send(new ListTrainingJobsCommand({}));
    return (out.TrainingJobSummaries ?? []).map((job) => job.TrainingJobName ?? '').sort();
  } finally {
    aws.sagemaker.destroy();
  }
}

async function eventsNaming(endpoint: string, arn: string): Promise<number> {
  const trail = new CloudTrailClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  try {
    const out = await trail.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: arn }],
      }),
    );
    return out.Events?.length ?? 0;
  } finally {
    trail.destroy();
  }
}

describe('POST /_labwright/forget', () => {
  it('forgets the named training jobs and their events, nothing else, across a restart', async () => {
    const aws = clients(sandbox.endpoint);
    const arns: Record<string, string> = {};
    for (const name of ['Forgotten', 'Kept']) {
      await aws.iam.send(
        new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trustSageMaker }),
      );
      await aws.sagemaker.send(
        new CreateTrainingJobCommand({
          TrainingJobName: `${name.toLowerCase()}-job`,
          RoleArn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
          AlgorithmSpecification: { TrainingImage: 'image:1', TrainingInputMode: 'File' },
          OutputDataConfig: { S3OutputPath: 's3://nowhere/output/' },
          ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 1 },
          StoppingCondition: { MaxRuntimeInSeconds: 60 },
        }),
      );
      const job = await aws.sagemaker.send(
        new DescribeTrainingJobCommand({ TrainingJobName: `${name.toLowerCase()}-job` }),
      );
      arns[name] = job.TrainingJobArn!;
    }
    const role = `arn:aws:iam::${ACCOUNT}:role/Forgotten`;
    expect(await eventsNaming(sandbox.endpoint, role)).toBeGreaterThan(0);

    // The one a running job's worker would have finished is gone mid-run: it never comes back.
    const response = await forget({ resources: [arns.Forgotten, role] });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { forgotten: string[]; events: number };
    expect(body.forgotten).toEqual([arns.Forgotten]);
    expect(body.events).toBeGreaterThan(0);

    expect(await jobs(sandbox.endpoint)).toEqual(['kept-job']);
    expect(await eventsNaming(sandbox.endpoint, role)).toBe(0);
    expect(await eventsNaming(sandbox.endpoint, arns.Forgotten!)).toBe(0);
    expect(
      await eventsNaming(sandbox.endpoint, `arn:aws:iam::${ACCOUNT}:role/Kept`),
    ).toBeGreaterThan(0);

    // A restart replays the journal from the start: the Forget record forgets them again.
    await new Promise((resolve) => setTimeout(resolve, TIMING.trainingJobMs * 2));
    await sandbox.stop();
    sandbox = await startSandbox({ port: 0, stateDir: dir, timing: TIMING, log: () => undefined });
    expect(await jobs(sandbox.endpoint)).toEqual(['kept-job']);
    expect(await eventsNaming(sandbox.endpoint, role)).toBe(0);
    for (const client of Object.values(aws)) client.destroy();
  });

  it('takes JSON only, and says what it expects', async () => {
    const plain = await forget({ resources: [] }, 'text/plain');
    expect(plain.status).toBe(415);
    const bad = await forget({ resources: ['not-an-arn'] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain(
      'Forget takes { "resources": [ARN, ...] }',
    );
    const get = await fetch(`${sandbox.endpoint}/_labwright/forget`);
    expect(get.status).toBe(405);
  });
});
