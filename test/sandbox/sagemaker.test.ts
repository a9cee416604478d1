/**
 * SageMaker through the real AWS SDK v3 and the aws CLI: notebook instance lifecycle, the
 * execution role checks (exists, trusts sagemaker.amazonaws.com), training jobs that read S3,
 * write CloudWatch logs and a model.tar.gz as the role, stop, and survive a restart.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  CreateLogGroupCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  CreateNotebookInstanceCommand,
  CreateTrainingJobCommand,
  DeleteNotebookInstanceCommand,
  DescribeNotebookInstanceCommand,
  DescribeTrainingJobCommand,
  ListNotebookInstancesCommand,
  ListTrainingJobsCommand,
  SageMakerServiceException,
  StartNotebookInstanceCommand,
  StopNotebookInstanceCommand,
  StopTrainingJobCommand,
  UpdateNotebookInstanceCommand,
  type CreateTrainingJobCommandInput,
  type DescribeTrainingJobCommandOutput,
} from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { requireTool } from '../support/tools.js';
import { awsEnv, clients, eventually, run, CLI_TIMEOUT_MS } from './service-clients.js';

const ACCOUNT = '000000000000';
const XGBOOST = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1';

let sandbox: Sandbox;
let aws: ReturnType<typeof clients>;

const trust = (service: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
  });

async function createRole(name: string, service: string, managed: string[] = []) {
  const { Role } = await aws.iam.send(
    new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust(service) }),
  );
  for (const policy of managed) {
    await aws.iam.send(
      new AttachRolePolicyCommand({
        RoleName: name,
        PolicyArn: `arn:aws:iam::aws:policy/${policy}`,
      }),
    );
  }
  return Role!.Arn!;
}

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SageMakerServiceException)
      return { code: error.name, message: error.message };
    throw error;
  }
  throw new Error('expected the call to fail');
}

async function notebookStatus(name: string) {
  const d = await aws.sagemaker.send(
    new DescribeNotebookInstanceCommand({ NotebookInstanceName: name }),
  );
  return d.NotebookInstanceStatus;
}

const untilNotebook = (name: string, status: string) =>
  eventually(
    async () => ((await notebookStatus(name)) === status ? true : undefined),
    `${name} ${status}`,
  );

async function untilJobDone(name: string, client = aws): Promise<DescribeTrainingJobCommandOutput> {
  return eventually(async () => {
    const job = await client.sagemaker.send(
      new DescribeTrainingJobCommand({ TrainingJobName: name }),
    );
    return ['Completed', 'Failed', 'Stopped'].includes(job.TrainingJobStatus ?? '')
      ? job
      : undefined;
  }, `training job ${name}`);
}

function trainingJob(
  name: string,
  roleArn: string,
  input = 's3://training-data/train/',
): CreateTrainingJobCommandInput {
  return {
    TrainingJobName: name,
    RoleArn: roleArn,
    AlgorithmSpecification: { TrainingImage: XGBOOST, TrainingInputMode: 'File' },
    HyperParameters: { num_round: '5', objective: 'reg:squarederror' },
    InputDataConfig: [
      {
        ChannelName: 'train',
        DataSource: {
          S3DataSource: {
            S3DataType: 'S3Prefix',
            S3Uri: input,
            S3DataDistributionType: 'FullyReplicated',
          },
        },
        ContentType: 'text/csv',
      },
    ],
    OutputDataConfig: { S3OutputPath: 's3://training-data/output' },
    ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
    StoppingCondition: { MaxRuntimeInSeconds: 3600 },
  };
}

beforeAll(async () => {
  sandbox = await startSandbox({
    memory: true,
    timing: { notebookTransitionMs: 20, trainingJobMs: 50 },
  });
  aws = clients(sandbox.endpoint);
  await aws.s3.send(new CreateBucketCommand({ Bucket: 'training-data' }));
  await aws.s3.send(
    new PutObjectCommand({
      Bucket: 'training-data',
      Key: 'train/data.csv',
      Body: '1,2,3,4\n5,6,7,8\n',
    }),
  );
});
afterAll(async () => {
  await sandbox.stop();
});

describe('notebook instances', () => {
  it('goes Pending -> InService, stops, updates, starts and deletes like AWS', async () => {
    const roleArn = await createRole('NotebookRole', 'sagemaker.amazonaws.com');
    const created = await aws.sagemaker.send(
      new CreateNotebookInstanceCommand({
        NotebookInstanceName: 'Lifecycle-Notebook',
        InstanceType: 'ml.t2.medium',
        RoleArn: roleArn,
      }),
    );
    expect(created.NotebookInstanceArn).toBe(
      `arn:aws:sagemaker:us-east-1:${ACCOUNT}:notebook-instance/lifecycle-notebook`,
    );
    await untilNotebook('Lifecycle-Notebook', 'InService');
    const described = await aws.sagemaker.send(
      new DescribeNotebookInstanceCommand({ NotebookInstanceName: 'Lifecycle-Notebook' }),
    );
    expect(described).toMatchObject({
      NotebookInstanceName: 'Lifecycle-Notebook',
      InstanceType: 'ml.t2.medium',
      RoleArn: roleArn,
      DirectInternetAccess: 'Enabled',
      VolumeSizeInGB: 5,
      RootAccess: 'Enabled',
      Url: 'lifecycle-notebook.notebook.us-east-1.sagemaker.aws',
    });
    expect(described.CreationTime).toBeInstanceOf(Date);

    expect(
      await failure(
        aws.sagemaker.send(
          new CreateNotebookInstanceCommand({
            NotebookInstanceName: 'Lifecycle-Notebook',
            InstanceType: 'ml.t2.medium',
            RoleArn: roleArn,
          }),
        ),
      ),
    ).toEqual({
      code: 'ResourceInUse',
      message: `Cannot create a duplicate Notebook Instance (${created.NotebookInstanceArn})`,
    });
    expect(
      await failure(
        aws.sagemaker.send(
          new DeleteNotebookInstanceCommand({ NotebookInstanceName: 'Lifecycle-Notebook' }),
        ),
      ),
    ).toEqual({
      code: 'ValidationException',
      message: `Status (InService) not in ([Stopped, Failed]). Unable to transition to (Deleting) for Notebook Instance (${created.NotebookInstanceArn}).`,
    });

    await aws.sagemaker.send(
      new StopNotebookInstanceCommand({ NotebookInstanceName: 'Lifecycle-Notebook' }),
    );
    await untilNotebook('Lifecycle-Notebook', 'Stopped');
    await aws.sagemaker.send(
      new UpdateNotebookInstanceCommand({
        NotebookInstanceName: 'Lifecycle-Notebook',
        InstanceType: 'ml.t3.medium',
      }),
    );
    await untilNotebook('Lifecycle-Notebook', 'Stopped');
    await aws.sagemaker.send(
      new StartNotebookInstanceCommand({ NotebookInstanceName: 'Lifecycle-Notebook' }),
    );
    await untilNotebook('Lifecycle-Notebook', 'InService');
    const listed = await aws.sagemaker.send(
      new ListNotebookInstancesCommand({ NameContains: 'lifecycle', StatusEquals: 'InService' }),
    );
    expect(listed.NotebookInstances?.map((n) => [n.NotebookInstanceName, n.InstanceType])).toEqual([
      ['Lifecycle-Notebook', 'ml.t3.medium'],
    ]);

    await aws.sagemaker.send(
      new StopNotebookInstanceCommand({ NotebookInstanceName: 'Lifecycle-Notebook' }),
    );
    await untilNotebook('Lifecycle-Notebook', 'Stopped');
    await aws.sagemaker.send(
      new DeleteNotebookInstanceCommand({ NotebookInstanceName: 'Lifecycle-Notebook' }),
    );
    await eventually(async () => {
      const gone = await failure(notebookStatus('Lifecycle-Notebook')).catch(() => undefined);
      return gone;
    }, 'notebook deleted').then((gone) =>
      expect(gone).toEqual({ code: 'ValidationException', message: 'RecordNotFound' }),
    );
  });

  it('refuses a role that is missing, does not trust SageMaker, or is not an ARN', async () => {
    const ec2Role = await createRole('Ec2Role', 'ec2.amazonaws.com');
    const create = (RoleArn: string) =>
      aws.sagemaker.send(
        new CreateNotebookInstanceCommand({
          NotebookInstanceName: 'refused',
          InstanceType: 'ml.t2.medium',
          RoleArn,
        }),
      );
    for (const arn of [ec2Role, `arn:aws:iam::${ACCOUNT}:role/NoSuchRole`]) {
      expect(await failure(create(arn))).toEqual({
        code: 'ValidationException',
        message: `The execution role ARN "${arn}" is invalid. Please ensure that the role exists and that its trust relationship policy allows the action "sts:AssumeRole" for the service principal "sagemaker.amazonaws.com".`,
      });
    }
    const notArn = await failure(create('SageMakerExecutionRole'));
    expect(notArn.code).toBe('ValidationException');
    expect(notArn.message).toMatch(
      /^1 validation error detected: Value 'SageMakerExecutionRole' at 'roleArn'/,
    );
    expect(
      await failure(
        aws.sagemaker.send(
          new DescribeNotebookInstanceCommand({ NotebookInstanceName: 'refused' }),
        ),
      ),
    ).toEqual({
      code: 'ValidationException',
      message: 'RecordNotFound',
    });
  });
});

describe.skipIf(!requireTool('aws'))("the seed's aws CLI command", () => {
  it(
    'creates MyNotebookInstance with SageMakerExecutionRole',
    async () => {
      await createRole('SageMakerExecutionRole', 'sagemaker.amazonaws.com');
      const result = await run(
        'aws',
        [
          'sagemaker',
          'create-notebook-instance',
          '--notebook-instance-name',
          'MyNotebookInstance',
          '--instance-type',
          'ml.t2.medium',
          '--role-arn',
          `arn:aws:iam::${ACCOUNT}:role/SageMakerExecutionRole`,
        ],
        awsEnv(sandbox.endpoint),
      );
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({
        NotebookInstanceArn: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:notebook-instance/mynotebookinstance`,
      });
      const refused = await run(
        'aws',
        [
          'sagemaker',
          'create-notebook-instance',
          '--notebook-instance-name',
          'Other',
          '--instance-type',
          'ml.t2.medium',
          '--role-arn',
          `arn:aws:iam::${ACCOUNT}:role/Missing`,
        ],
        awsEnv(sandbox.endpoint),
      );
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain(
        'An error occurred (ValidationException) when calling the CreateNotebookInstance operation: The execution role ARN',
      );
    },
    CLI_TIMEOUT_MS,
  );
});

describe('training jobs', () => {
  let roleArn: string;

  beforeAll(async () => {
    roleArn = await createRole('TrainingRole', 'sagemaker.amazonaws.com', [
      'AmazonS3FullAccess',
      'CloudWatchLogsFullAccess',
    ]);
  });

  it('reads its input, logs, writes model.tar.gz and completes', async () => {
    const { TrainingJobArn } = await aws.sagemaker.send(
      new CreateTrainingJobCommand(trainingJob('xgb-job', roleArn)),
    );
    expect(TrainingJobArn).toBe(`arn:aws:sagemaker:us-east-1:${ACCOUNT}:training-job/xgb-job`);
    const job = await untilJobDone('xgb-job');
    expect(job).toMatchObject({
      TrainingJobStatus: 'Completed',
      SecondaryStatus: 'Completed',
      ModelArtifacts: { S3ModelArtifacts: 's3://training-data/output/xgb-job/output/model.tar.gz' },
      RoleArn: roleArn,
      HyperParameters: { num_round: '5', objective: 'reg:squarederror' },
      ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
      StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    });
    expect(job.SecondaryStatusTransitions?.map((t) => t.Status)).toEqual([
      'Starting',
      'Downloading',
      'Training',
      'Uploading',
      'Completed',
    ]);
    expect(job.TrainingStartTime).toBeInstanceOf(Date);
    expect(job.TrainingEndTime).toBeInstanceOf(Date);
    expect(job.BillableTimeInSeconds).toBeGreaterThanOrEqual(1);
    expect(job.FinalMetricDataList?.[0]?.MetricName).toBe('train:rmse');

    const artifact = await aws.s3.send(
      new GetObjectCommand({ Bucket: 'training-data', Key: 'output/xgb-job/output/model.tar.gz' }),
    );
    const tar = gunzipSync(Buffer.from(await artifact.Body!.transformToByteArray()));
    expect(tar.subarray(0, 13).toString()).toBe('xgboost-model');
    expect(tar.subarray(257, 262).toString()).toBe('ustar');

    const streams = await aws.logs.send(
      new DescribeLogStreamsCommand({
        logGroupName: '/aws/sagemaker/TrainingJobs',
        logStreamNamePrefix: 'xgb-job/',
      }),
    );
    const stream = streams.logStreams?.[0]?.logStreamName ?? '';
    expect(stream).toMatch(/^xgb-job\/algo-1-\d{10}$/);
    const events = await aws.logs.send(
      new GetLogEventsCommand({
        logGroupName: '/aws/sagemaker/TrainingJobs',
        logStreamName: stream,
        startFromHead: true,
      }),
    );
    const text = (events.events ?? []).map((e) => e.message).join('\n');
    expect(text).toContain('Imported framework sagemaker_xgboost_container.training');
    expect(text).toMatch(/\[4\]#011train-rmse:0\.\d+/);
    expect(text).toContain('Training seconds:');
    expect(text).toContain('Billable seconds:');
    const found = await aws.logs.send(
      new FilterLogEventsCommand({
        logGroupName: '/aws/sagemaker/TrainingJobs',
        filterPattern: '"Billable seconds"',
      }),
    );
    expect(found.events?.length).toBe(1);

    const summaries = await aws.sagemaker.send(
      new ListTrainingJobsCommand({ NameContains: 'xgb' }),
    );
    expect(
      summaries.TrainingJobSummaries?.map((s) => [s.TrainingJobName, s.TrainingJobStatus]),
    ).toEqual([['xgb-job', 'Completed']]);
  });

  it('logs with a least-privilege logs policy (stream and events only, group already there)', async () => {
    const scoped = await createRole('ScopedLogsRole', 'sagemaker.amazonaws.com', [
      'AmazonS3FullAccess',
    ]);
    await aws.iam.send(
      new PutRolePolicyCommand({
        RoleName: 'ScopedLogsRole',
        PolicyName: 'TrainingLogs',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              Resource: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/sagemaker/TrainingJobs:*`,
            },
          ],
        }),
      }),
    );
    await aws.logs
      .send(new CreateLogGroupCommand({ logGroupName: '/aws/sagemaker/TrainingJobs' }))
      .catch(() => undefined);
    await aws.sagemaker.send(new CreateTrainingJobCommand(trainingJob('scoped-logs', scoped)));
    expect((await untilJobDone('scoped-logs')).TrainingJobStatus).toBe('Completed');
    const streams = await aws.logs.send(
      new DescribeLogStreamsCommand({
        logGroupName: '/aws/sagemaker/TrainingJobs',
        logStreamNamePrefix: 'scoped-logs/',
      }),
    );
    expect(streams.logStreams).toHaveLength(1);
    expect(streams.logStreams?.[0]?.lastEventTimestamp).toBeGreaterThan(0);
  });

  it("pulls an image from the account's own ECR only with the role's pull permissions", async () => {
    const role = await createRole('CustomImageRole', 'sagemaker.amazonaws.com', [
      'AmazonS3FullAccess',
    ]);
    const custom = (name: string) => {
      const input = trainingJob(name, role);
      input.AlgorithmSpecification = {
        TrainingImage: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/my-trainer:latest`,
        TrainingInputMode: 'File',
      };
      return new CreateTrainingJobCommand(input);
    };
    await aws.sagemaker.send(custom('custom-denied'));
    const denied = await untilJobDone('custom-denied');
    expect(denied.TrainingJobStatus).toBe('Failed');
    expect(denied.FailureReason).toBe(
      `ClientError: Access denied for repository: my-trainer in registry ID: ${ACCOUNT}. Please check if your ECR repository and image exist and role ${role} has proper pull permissions for SageMaker: ecr:BatchCheckLayerAvailability, ecr:BatchGetImage, ecr:GetDownloadUrlForLayer`,
    );
    await aws.iam.send(
      new AttachRolePolicyCommand({
        RoleName: 'CustomImageRole',
        PolicyArn: 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly',
      }),
    );
    await aws.sagemaker.send(custom('custom-allowed'));
    expect((await untilJobDone('custom-allowed')).TrainingJobStatus).toBe('Completed');
  });

  it('fails when its input prefix holds no objects, with an AWS-like reason', async () => {
    await aws.sagemaker.send(
      new CreateTrainingJobCommand(trainingJob('empty-input', roleArn, 's3://training-data/none/')),
    );
    const job = await untilJobDone('empty-input');
    expect(job.TrainingJobStatus).toBe('Failed');
    expect(job.FailureReason).toBe(
      `ClientError: Data download failed:No S3 objects found under S3 URL "s3://training-data/none/" given in input data source. Please ensure that the bucket exists in the selected region (us-east-1), that objects exist under that S3 prefix, and that the role "${roleArn}" has "s3:ListBucket" permissions on bucket "training-data".`,
    );
    expect(job.ModelArtifacts?.S3ModelArtifacts ?? '').toBe('');
  });

  it('fails at the upload when the role may read its input but not write the output', async () => {
    const readOnly = await createRole('ReadOnlyTrainingRole', 'sagemaker.amazonaws.com', [
      'AmazonS3ReadOnlyAccess',
    ]);
    await aws.sagemaker.send(new CreateTrainingJobCommand(trainingJob('read-only', readOnly)));
    const job = await untilJobDone('read-only');
    expect(job.TrainingJobStatus).toBe('Failed');
    expect(job.FailureReason).toBe(
      `ClientError: Artifact upload failed:Failed to upload model artifact to s3://training-data/output/read-only/output/model.tar.gz: AccessDenied (403): User: arn:aws:sts::${ACCOUNT}:assumed-role/ReadOnlyTrainingRole/SageMaker is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::training-data/output/read-only/output/model.tar.gz" because no identity-based policy allows the s3:PutObject action`,
    );
    expect(job.SecondaryStatusTransitions?.map((t) => t.Status)).toEqual([
      'Starting',
      'Downloading',
      'Training',
      'Uploading',
      'Failed',
    ]);
  });

  it('refuses a role SageMaker cannot assume and duplicate names', async () => {
    const ec2Role = await createRole('Ec2TrainingRole', 'ec2.amazonaws.com');
    expect(
      await failure(
        aws.sagemaker.send(new CreateTrainingJobCommand(trainingJob('bad-role', ec2Role))),
      ),
    ).toEqual({
      code: 'ValidationException',
      message: `Could not assume role ${ec2Role}. Please ensure that the role exists and allows principal 'sagemaker.amazonaws.com' to assume the role.`,
    });
    expect(
      await failure(
        aws.sagemaker.send(new CreateTrainingJobCommand(trainingJob('xgb-job', roleArn))),
      ),
    ).toEqual({
      code: 'ResourceInUse',
      message: `Training job names must be unique within an AWS account and region, and a training job with this name already exists (arn:aws:sagemaker:us-east-1:${ACCOUNT}:training-job/xgb-job)`,
    });
    expect(
      await failure(
        aws.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: 'never' })),
      ),
    ).toEqual({
      code: 'ValidationException',
      message: 'Requested resource not found.',
    });
  });

  it('stops a job in progress, and refuses to stop a finished one', async () => {
    const slow = await startSandbox({ memory: true, timing: { trainingJobMs: 60_000 } });
    try {
      const c = clients(slow.endpoint);
      await c.iam.send(
        new CreateRoleCommand({
          RoleName: 'R',
          AssumeRolePolicyDocument: trust('sagemaker.amazonaws.com'),
        }),
      );
      await c.sagemaker.send(
        new CreateTrainingJobCommand(trainingJob('to-stop', `arn:aws:iam::${ACCOUNT}:role/R`)),
      );
      await c.sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: 'to-stop' }));
      const stopping = await c.sagemaker.send(
        new DescribeTrainingJobCommand({ TrainingJobName: 'to-stop' }),
      );
      expect(stopping.TrainingJobStatus).toMatch(/^Stopp(ing|ed)$/);
      const job = await untilJobDone('to-stop', c);
      expect(job).toMatchObject({ TrainingJobStatus: 'Stopped', SecondaryStatus: 'Stopped' });
      expect(
        await failure(c.sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: 'to-stop' }))),
      ).toEqual({
        code: 'ValidationException',
        message: 'The request was rejected because the training job is in status Stopped.',
      });
    } finally {
      await slow.stop();
    }
  });

  it('finishes a job that was in progress when the sandbox stopped', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'labwright-sagemaker-'));
    try {
      const first = await startSandbox({ stateDir, timing: { trainingJobMs: 400 } });
      const c1 = clients(first.endpoint);
      await c1.iam.send(
        new CreateRoleCommand({
          RoleName: 'R',
          AssumeRolePolicyDocument: trust('sagemaker.amazonaws.com'),
        }),
      );
      await c1.iam.send(
        new AttachRolePolicyCommand({
          RoleName: 'R',
          PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3FullAccess',
        }),
      );
      await c1.s3.send(new CreateBucketCommand({ Bucket: 'training-data' }));
      await c1.s3.send(
        new PutObjectCommand({ Bucket: 'training-data', Key: 'train/a.csv', Body: '1,2\n' }),
      );
      await c1.sagemaker.send(
        new CreateTrainingJobCommand(trainingJob('survivor', `arn:aws:iam::${ACCOUNT}:role/R`)),
      );
      // stop() halts the job runner mid-job; the next start picks the job up.
      await first.stop();
      const saved = JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8')) as {
        data: { sagemaker: { jobs: Record<string, { status: string }> } };
      };
      expect(saved.data.sagemaker.jobs.survivor?.status).toBe('InProgress');
      const second = await startSandbox({ stateDir, timing: { trainingJobMs: 40 } });
      try {
        const job = await untilJobDone('survivor', clients(second.endpoint));
        expect(job.TrainingJobStatus).toBe('Completed');
        expect(job.ModelArtifacts?.S3ModelArtifacts).toBe(
          's3://training-data/output/survivor/output/model.tar.gz',
        );
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!requireTool('aws'))('a Linear Learner job from the aws CLI', () => {
  it(
    'completes and its logs read back with aws logs filter-log-events',
    async () => {
      const roleArn = await createRole('CliTrainingRole', 'sagemaker.amazonaws.com', [
        'AmazonS3FullAccess',
        'CloudWatchLogsFullAccess',
      ]);
      const env = awsEnv(sandbox.endpoint);
      const created = await run(
        'aws',
        [
          'sagemaker',
          'create-training-job',
          '--training-job-name',
          'cli-linear',
          '--role-arn',
          roleArn,
          '--algorithm-specification',
          'TrainingImage=382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1,TrainingInputMode=File',
          '--input-data-config',
          '[{"ChannelName":"train","DataSource":{"S3DataSource":{"S3DataType":"S3Prefix","S3Uri":"s3://training-data/train/"}},"ContentType":"text/csv"}]',
          '--output-data-config',
          'S3OutputPath=s3://training-data/output/',
          '--resource-config',
          'InstanceType=ml.m5.large,InstanceCount=1,VolumeSizeInGB=10',
          '--stopping-condition',
          'MaxRuntimeInSeconds=3600',
          '--hyper-parameters',
          'feature_dim=2,predictor_type=binary_classifier',
        ],
        env,
      );
      expect(created.code, created.stderr).toBe(0);
      const job = await untilJobDone('cli-linear');
      expect(job.TrainingJobStatus).toBe('Completed');
      expect(job.FinalMetricDataList?.map((m) => m.MetricName)).toEqual([
        'train:objective_loss',
        'train:binary_classification_accuracy',
      ]);
      const filtered = await run(
        'aws',
        [
          'logs',
          'filter-log-events',
          '--log-group-name',
          '/aws/sagemaker/TrainingJobs',
          '--log-stream-name-prefix',
          'cli-linear',
          '--filter-pattern',
          '"#quality_metric"',
        ],
        env,
      );
      expect(filtered.code, filtered.stderr).toBe(0);
      const events = JSON.parse(filtered.stdout).events as {
        message: string;
        logStreamName: string;
      }[];
      expect(events.length).toBeGreaterThan(10);
      expect(events[0]?.logStreamName).toMatch(/^cli-linear\/algo-1-\d{10}$/);
      expect(events[0]?.message).toMatch(
        /^\[\d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d INFO \d+\] #quality_metric: host=algo-1, epoch=0, train binary_classification_cross_entropy_objective <loss>=\(0\.\d+\)$/,
      );
    },
    CLI_TIMEOUT_MS,
  );
});
