/**
 * Notebook instance and training job names that are members of every JavaScript object
 * (`constructor`, `toString`, ...) through every SageMaker operation, channel and hyperparameter
 * names included: they are names like any other, and nothing answers 500. Real SDK v3 clients
 * against the real sandbox over HTTP.
 */
import { AttachRolePolicyCommand, CreateRoleCommand } from '@aws-sdk/client-iam';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  CreateNotebookInstanceCommand,
  CreateTrainingJobCommand,
  DeleteNotebookInstanceCommand,
  DescribeNotebookInstanceCommand,
  DescribeTrainingJobCommand,
  ListNotebookInstancesCommand,
  ListTrainingJobsCommand,
  StartNotebookInstanceCommand,
  StopNotebookInstanceCommand,
  StopTrainingJobCommand,
  UpdateNotebookInstanceCommand,
} from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { expectAwsError, trustSageMaker } from '../sandbox/helpers.js';
import { clients, eventually } from '../sandbox/service-clients.js';
import { expectPristinePrototype, SAGEMAKER_NAMES, sorted } from './names-support.js';

const ACCOUNT = '000000000000';
const XGBOOST = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1';
const prototypeSnapshot = Object.getOwnPropertyNames(Object.prototype).sort();
const failures: string[] = [];
let sandbox: Sandbox;
let aws: ReturnType<typeof clients>;
let roleArn: string;

beforeAll(async () => {
  sandbox = await startSandbox({
    memory: true,
    timing: { notebookTransitionMs: 20, trainingJobMs: 50 },
    log: (m) => failures.push(m),
  });
  aws = clients(sandbox.endpoint);
  const { Role } = await aws.iam.send(
    new CreateRoleCommand({ RoleName: 'constructor', AssumeRolePolicyDocument: trustSageMaker }),
  );
  roleArn = Role?.Arn ?? '';
  for (const policy of ['AmazonS3FullAccess', 'CloudWatchLogsFullAccess']) {
    await aws.iam.send(
      new AttachRolePolicyCommand({
        RoleName: 'constructor',
        PolicyArn: `arn:aws:iam::aws:policy/${policy}`,
      }),
    );
  }
  await aws.s3.send(new CreateBucketCommand({ Bucket: 'prototype' }));
  await aws.s3.send(
    new PutObjectCommand({ Bucket: 'prototype', Key: '__proto__/data.csv', Body: '1,2,3,4\n' }),
  );
});
afterAll(async () => {
  await sandbox.stop();
  expect(failures).toEqual([]);
  expectPristinePrototype(prototypeSnapshot);
});

const notebookStatus = async (name: string) =>
  (await aws.sagemaker.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: name })))
    .NotebookInstanceStatus;

const untilNotebook = (name: string, status: string) =>
  eventually(
    async () => ((await notebookStatus(name)) === status ? true : undefined),
    `${name} ${status}`,
  );

describe('notebook instances named like Object.prototype members', () => {
  it('do not exist before they are created', async () => {
    for (const name of SAGEMAKER_NAMES) {
      await expectAwsError(
        aws.sagemaker.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: name })),
        'ValidationException',
        400,
        'RecordNotFound',
      );
      await expectAwsError(
        aws.sagemaker.send(new StopNotebookInstanceCommand({ NotebookInstanceName: name })),
        'ValidationException',
        400,
        'RecordNotFound',
      );
    }
    const { NotebookInstances } = await aws.sagemaker.send(new ListNotebookInstancesCommand({}));
    expect(NotebookInstances).toEqual([]);
  });

  it('go through their whole life like any notebook', async () => {
    for (const name of SAGEMAKER_NAMES) {
      const created = await aws.sagemaker.send(
        new CreateNotebookInstanceCommand({
          NotebookInstanceName: name,
          InstanceType: 'ml.t3.medium',
          RoleArn: roleArn,
        }),
      );
      expect(created.NotebookInstanceArn).toBe(
        `arn:aws:sagemaker:us-east-1:${ACCOUNT}:notebook-instance/${name.toLowerCase()}`,
      );
    }
    const { NotebookInstances } = await aws.sagemaker.send(
      new ListNotebookInstancesCommand({ MaxResults: 100 }),
    );
    expect(NotebookInstances?.map((n) => n.NotebookInstanceName)).toEqual(
      [...SAGEMAKER_NAMES].sort((a, b) => a.localeCompare(b)),
    );
    for (const name of SAGEMAKER_NAMES) {
      await untilNotebook(name, 'InService');
      await aws.sagemaker.send(new StopNotebookInstanceCommand({ NotebookInstanceName: name }));
      await untilNotebook(name, 'Stopped');
      await aws.sagemaker.send(
        new UpdateNotebookInstanceCommand({ NotebookInstanceName: name, VolumeSizeInGB: 7 }),
      );
      await untilNotebook(name, 'Stopped');
      await aws.sagemaker.send(new StartNotebookInstanceCommand({ NotebookInstanceName: name }));
      await untilNotebook(name, 'InService');
      await aws.sagemaker.send(new StopNotebookInstanceCommand({ NotebookInstanceName: name }));
      await untilNotebook(name, 'Stopped');
      await aws.sagemaker.send(new DeleteNotebookInstanceCommand({ NotebookInstanceName: name }));
    }
    await eventually(async () => {
      const listed = await aws.sagemaker.send(new ListNotebookInstancesCommand({}));
      return listed.NotebookInstances?.length === 0 ? true : undefined;
    }, 'every notebook deleted');
  });
});

describe('training jobs named like Object.prototype members', () => {
  it('do not exist before they are created', async () => {
    for (const name of SAGEMAKER_NAMES) {
      await expectAwsError(
        aws.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name })),
        'ValidationException',
        400,
        'Requested resource not found.',
      );
      await expectAwsError(
        aws.sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: name })),
        'ValidationException',
        400,
      );
    }
  });

  it('run with channels and hyperparameters named like them too', async () => {
    for (const name of SAGEMAKER_NAMES) {
      await aws.sagemaker.send(
        new CreateTrainingJobCommand({
          TrainingJobName: name,
          RoleArn: roleArn,
          AlgorithmSpecification: { TrainingImage: XGBOOST, TrainingInputMode: 'File' },
          HyperParameters: Object.fromEntries([
            ['__proto__', '1'],
            ['constructor', '2'],
            ['num_round', '2'],
          ]),
          InputDataConfig: ['__proto__', 'constructor'].map((channel) => ({
            ChannelName: channel,
            DataSource: {
              S3DataSource: {
                S3DataType: 'S3Prefix',
                S3Uri: 's3://prototype/__proto__/',
                S3DataDistributionType: 'FullyReplicated',
              },
            },
          })),
          OutputDataConfig: { S3OutputPath: 's3://prototype/output' },
          ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
          StoppingCondition: { MaxRuntimeInSeconds: 3600 },
        }),
      );
    }
    for (const name of SAGEMAKER_NAMES) {
      const job = await eventually(async () => {
        const described = await aws.sagemaker.send(
          new DescribeTrainingJobCommand({ TrainingJobName: name }),
        );
        return described.TrainingJobStatus === 'InProgress' ? undefined : described;
      }, `training job ${name}`);
      expect(job.TrainingJobName).toBe(name);
      expect(job.TrainingJobStatus, job.FailureReason).toBe('Completed');
      expect(job.HyperParameters).toEqual(
        Object.fromEntries([
          ['__proto__', '1'],
          ['constructor', '2'],
          ['num_round', '2'],
        ]),
      );
      expect(job.FinalMetricDataList?.map((m) => m.MetricName).sort()).toEqual(
        sorted(['__proto__:rmse', 'constructor:rmse']),
      );
    }
    const { TrainingJobSummaries } = await aws.sagemaker.send(
      new ListTrainingJobsCommand({ SortBy: 'Name', SortOrder: 'Ascending', MaxResults: 100 }),
    );
    expect(TrainingJobSummaries?.map((j) => j.TrainingJobName)).toEqual(
      [...SAGEMAKER_NAMES].sort((a, b) => a.localeCompare(b)),
    );
  });
});
