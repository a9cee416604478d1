/**
 * Regression: moto's FilterLogEvents ignores logStreamNamePrefix. Asked for the streams of one
 * training job, it returns another job's events, and the lab's `training-logs` check passed on
 * them. The check now re-checks the prefix on its side.
 */
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { CreateTrainingJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkTypes } from '../../checks/index.js';
import { testCheckContext } from '../support/check-context.js';
import { checkLab } from '../support/lab-session.js';
import { startMoto, type Moto } from '../support/moto.js';
import { requireTool } from '../support/tools.js';

const GROUP = '/aws/sagemaker/TrainingJobs';
const hasMoto = requireTool('moto_server');

describe.skipIf(!hasMoto)('logs.events on moto server, which ignores logStreamNamePrefix', () => {
  let moto: Moto;
  let logs: CloudWatchLogsClient;

  const write = async (stream: string, message: string) => {
    await logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: stream }));
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: GROUP,
        logStreamName: stream,
        logEvents: [{ timestamp: Date.now(), message }],
      }),
    );
  };

  beforeAll(async () => {
    moto = await startMoto();
    logs = new CloudWatchLogsClient({
      endpoint: moto.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  }, 60_000);
  afterAll(async () => {
    await moto?.stop();
  });
  beforeEach(async () => {
    await moto.reset();
    await logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
    await write('other-job/algo-1', 'Training seconds: 42');
  });

  it("moto returns other-job's event for the prefix wanted-job/ (what the check must not trust)", async () => {
    const filtered = await logs.send(
      new FilterLogEventsCommand({ logGroupName: GROUP, logStreamNamePrefix: 'wanted-job/' }),
    );
    expect(filtered.events?.map((e) => e.logStreamName)).toEqual(['other-job/algo-1']);
    const streams = await logs.send(
      new DescribeLogStreamsCommand({ logGroupName: GROUP, logStreamNamePrefix: 'wanted-job/' }),
    );
    expect(streams.logStreams).toEqual([]);
  });

  it('logs.events does not pass on another stream for a filter for wanted-job/', async () => {
    const check = checkTypes.get('logs.events')!;
    const outcome = await check.run(
      check.with.parse({ logGroup: GROUP, streamPrefix: 'wanted-job/' }),
      testCheckContext({ endpoint: moto.endpoint }),
    );
    expect(outcome.status, outcome.message).toBe('failed');
    expect(outcome.message).toContain(`no log events in ${GROUP} (streams starting wanted-job/)`);
    expect(outcome.evidence).toMatchObject({ events: 0, outsideFilter: 1 });
  });

  it("the lab's training-logs check fails on another job's logs, and passes on its own", async () => {
    // The check judges the logs of the lab's training job: it must exist.
    const sagemaker = new SageMakerClient({
      endpoint: moto.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    await sagemaker.send(
      new CreateTrainingJobCommand({
        TrainingJobName: 'lesson-9-1-training-job',
        RoleArn: 'arn:aws:iam::123456789012:role/SageMakerExecutionRole',
        AlgorithmSpecification: {
          TrainingImage: '382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1',
          TrainingInputMode: 'File',
        },
        OutputDataConfig: { S3OutputPath: 's3://my-bucket/output/' },
        ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
        StoppingCondition: { MaxRuntimeInSeconds: 3600 },
      }),
    );
    const before = await checkLab({ endpoint: moto.endpoint, steps: ['cloudwatch-logs'] });
    const other = before.checks.get('cloudwatch-logs/training-logs');
    // Another job's events do not count; moto's job never ran, so no logs cannot be its fault.
    expect(other?.status, other?.message).toBe('error');
    expect(other?.message).toMatch(/cannot be judged on this target: .* never ran/);
    expect(other?.evidence).toMatchObject({ events: 0, outsideFilter: 1 });

    await write('lesson-9-1-training-job/algo-1-1700000000', 'Training seconds: 7');
    const after = await checkLab({ endpoint: moto.endpoint, steps: ['cloudwatch-logs'] });
    const own = after.checks.get('cloudwatch-logs/training-logs');
    expect(own?.status, own?.message).toBe('passed');
    expect(own?.evidence).toMatchObject({
      streams: ['lesson-9-1-training-job/algo-1-1700000000'],
      outsideFilter: 1,
    });
  });
});
