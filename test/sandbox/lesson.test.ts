/**
 * Lesson 9.1's least-privilege story, end to end, with the lesson's own commands: the seed's
 * policy lets SageMakerExecutionRole GetObject but not ListBucket (the Step 4 boto3 script fails
 * with AWS's text), adding s3:ListBucket fixes it, AdministratorAccess allows everything, a
 * training job without logs permission completes but leaves no logs (with
 * CloudWatchLogsFullAccess it leaves them), and a role trusting ec2 is refused by
 * create-notebook-instance.
 */
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import {
  CreateLogGroupCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import {
  CreateTrainingJobCommand,
  DescribeTrainingJobCommand,
  type DescribeTrainingJobCommandOutput,
} from '@aws-sdk/client-sagemaker';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { requireTool } from '../support/tools.js';
import {
  awsEnv,
  clients,
  eventually,
  run,
  type Credentials,
  CLI_TIMEOUT_MS,
} from './service-clients.js';

const ACCOUNT = '000000000000';
const ROLE = 'SageMakerExecutionRole';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${ROLE}`;

/** The seed's Step 4 script, verbatim. */
const STEP4 = `import boto3

# Access S3 using the assigned IAM role
s3 = boto3.client('s3')

# List objects in the bucket
response = s3.list_objects_v2(Bucket='my-bucket')
for obj in response.get('Contents', []):
  print(obj['Key'])
`;

/** The seed's least-privilege policy, verbatim. */
const SEED_POLICY = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:PutObject"],
      "Resource": "arn:aws:s3:::my-bucket/*"
    }
  ]
}`;

const LIST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::my-bucket' }],
});

/** SageMaker must assume the role; the test assumes it too, as the notebook would. */
const trustPolicy = (service: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' },
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
        Action: 'sts:AssumeRole',
      },
    ],
  });

/** A CloudTrail record as LookupEvents returns it (CloudTrailEvent, parsed). */
interface TrailRecord {
  userIdentity?: { type?: string; invokedBy?: string };
  [key: string]: unknown;
}

let sandbox: Sandbox;
let root: ReturnType<typeof clients>;

async function assume(roleArn: string, session = 'notebook'): Promise<Credentials> {
  const { Credentials: c } = await root.sts.send(
    new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: session }),
  );
  return {
    accessKeyId: c!.AccessKeyId!,
    secretAccessKey: c!.SecretAccessKey!,
    sessionToken: c!.SessionToken!,
  };
}

function step4(credentials?: Credentials) {
  return run('python3', ['-'], awsEnv(sandbox.endpoint, credentials), STEP4);
}

async function untilDone(name: string): Promise<DescribeTrainingJobCommandOutput> {
  return eventually(async () => {
    const job = await root.sagemaker.send(
      new DescribeTrainingJobCommand({ TrainingJobName: name }),
    );
    return ['Completed', 'Failed', 'Stopped'].includes(job.TrainingJobStatus ?? '')
      ? job
      : undefined;
  }, `training job ${name}`);
}

function trainingJob(name: string) {
  return new CreateTrainingJobCommand({
    TrainingJobName: name,
    RoleArn: ROLE_ARN,
    AlgorithmSpecification: {
      TrainingImage: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
      TrainingInputMode: 'File',
    },
    HyperParameters: { num_round: '3' },
    InputDataConfig: [
      {
        ChannelName: 'train',
        DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://my-bucket/train/' } },
      },
    ],
    OutputDataConfig: { S3OutputPath: 's3://my-bucket/output/' },
    ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 5 },
    StoppingCondition: { MaxRuntimeInSeconds: 600 },
  });
}

const deniedListBucket = (session: string) =>
  `User: arn:aws:sts::${ACCOUNT}:assumed-role/${ROLE}/${session} is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::my-bucket" because no identity-based policy allows the s3:ListBucket action`;

beforeAll(async () => {
  sandbox = await startSandbox({
    memory: true,
    timing: { notebookTransitionMs: 0, trainingJobMs: 40 },
  });
  root = clients(sandbox.endpoint);
  await root.s3.send(new CreateBucketCommand({ Bucket: 'my-bucket' }));
  for (const key of ['train/data.csv', 'validation/data.csv']) {
    await root.s3.send(
      new PutObjectCommand({ Bucket: 'my-bucket', Key: key, Body: '1,0.5,0.25\n0,0.1,0.9\n' }),
    );
  }
  await root.iam.send(
    new CreateRoleCommand({
      RoleName: ROLE,
      AssumeRolePolicyDocument: trustPolicy('sagemaker.amazonaws.com'),
    }),
  );
  await root.iam.send(
    new PutRolePolicyCommand({
      RoleName: ROLE,
      PolicyName: 'SageMakerS3Access',
      PolicyDocument: SEED_POLICY,
    }),
  );
});
afterAll(async () => {
  await sandbox.stop();
});

describe('the seed policy (Get/Put on my-bucket/*)', () => {
  it('lets the role read an object but not list the bucket (SDK)', async () => {
    const asRole = clients(sandbox.endpoint, await assume(ROLE_ARN, 'sdk'));
    const got = await asRole.s3.send(
      new GetObjectCommand({ Bucket: 'my-bucket', Key: 'train/data.csv' }),
    );
    expect(await got.Body!.transformToString()).toBe('1,0.5,0.25\n0,0.1,0.9\n');
    try {
      await asRole.s3.send(new ListObjectsV2Command({ Bucket: 'my-bucket' }));
      expect.unreachable('ListObjectsV2 should be denied');
    } catch (error) {
      expect(error).toBeInstanceOf(S3ServiceException);
      const e = error as S3ServiceException;
      expect([e.name, e.$metadata.httpStatusCode, e.message]).toEqual([
        'AccessDenied',
        403,
        deniedListBucket('sdk'),
      ]);
    }
  });

  it.skipIf(!requireTool('boto3'))(
    'fails the Step 4 script as the role, runs it as the account',
    async () => {
      const asRole = await step4(await assume(ROLE_ARN, 'boto3'));
      expect(asRole.code).not.toBe(0);
      expect(asRole.stderr).toContain(
        `: An error occurred (AccessDenied) when calling the ListObjectsV2 operation: ${deniedListBucket('boto3')}\n`,
      );
      const asAccount = await step4();
      expect(asAccount.code, asAccount.stderr).toBe(0);
      expect(asAccount.stdout).toBe('train/data.csv\nvalidation/data.csv\n');
    },
    CLI_TIMEOUT_MS,
  );

  it.skipIf(!requireTool('aws'))(
    'lets the aws CLI copy an object down as the role but not list',
    async () => {
      const env = awsEnv(sandbox.endpoint, await assume(ROLE_ARN, 'cli'));
      const copy = await run('aws', ['s3', 'cp', 's3://my-bucket/train/data.csv', '-'], env);
      expect(copy.code, copy.stderr).toBe(0);
      expect(copy.stdout).toBe('1,0.5,0.25\n0,0.1,0.9\n');
      const ls = await run('aws', ['s3', 'ls', 's3://my-bucket/'], env);
      expect(ls.code).not.toBe(0);
      expect(ls.stderr).toContain('AccessDenied');
      expect(ls.stderr).toContain(deniedListBucket('cli'));
    },
    CLI_TIMEOUT_MS,
  );

  it('fails a training job at the download with the S3 denial in its FailureReason', async () => {
    await root.sagemaker.send(trainingJob('no-list'));
    const job = await untilDone('no-list');
    expect(job.TrainingJobStatus).toBe('Failed');
    expect(job.FailureReason).toBe(
      `ClientError: Data download failed:Failed to download data. ListObjectsV2 failed for s3://my-bucket/train/: AccessDenied (403): User: arn:aws:sts::${ACCOUNT}:assumed-role/${ROLE}/SageMaker is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::my-bucket" because no identity-based policy allows the s3:ListBucket action`,
    );
    expect(job.SecondaryStatusTransitions?.map((t) => t.Status)).toEqual([
      'Starting',
      'Downloading',
      'Failed',
    ]);
  });
});

describe('adding s3:ListBucket on arn:aws:s3:::my-bucket', () => {
  beforeAll(async () => {
    await root.iam.send(
      new PutRolePolicyCommand({
        RoleName: ROLE,
        PolicyName: 'ListMyBucket',
        PolicyDocument: LIST_POLICY,
      }),
    );
  });

  it.skipIf(!requireTool('boto3'))(
    'makes the Step 4 script list the bucket as the role',
    async () => {
      const asRole = await step4(await assume(ROLE_ARN, 'fixed'));
      expect(asRole.code, asRole.stderr).toBe(0);
      expect(asRole.stdout).toBe('train/data.csv\nvalidation/data.csv\n');
    },
    CLI_TIMEOUT_MS,
  );

  it('lets a training job complete, without any log since the role has no logs permission', async () => {
    await root.sagemaker.send(trainingJob('quiet-job'));
    const job = await untilDone('quiet-job');
    expect(job.TrainingJobStatus).toBe('Completed');
    expect(job.ModelArtifacts?.S3ModelArtifacts).toBe(
      's3://my-bucket/output/quiet-job/output/model.tar.gz',
    );
    const artifact = await root.s3.send(
      new GetObjectCommand({ Bucket: 'my-bucket', Key: 'output/quiet-job/output/model.tar.gz' }),
    );
    expect(artifact.ContentLength).toBeGreaterThan(0);
    // The role could not even create the log group: nothing was written anywhere.
    await root.logs.send(
      new CreateLogGroupCommand({ logGroupName: '/aws/sagemaker/TrainingJobs' }),
    );
    const streams = await root.logs.send(
      new DescribeLogStreamsCommand({
        logGroupName: '/aws/sagemaker/TrainingJobs',
        logStreamNamePrefix: 'quiet-job',
      }),
    );
    expect(streams.logStreams).toEqual([]);
  });

  it('leaves realistic logs once CloudWatchLogsFullAccess is attached', async () => {
    await root.iam.send(
      new AttachRolePolicyCommand({
        RoleName: ROLE,
        PolicyArn: 'arn:aws:iam::aws:policy/CloudWatchLogsFullAccess',
      }),
    );
    await root.sagemaker.send(trainingJob('logged-job'));
    const job = await untilDone('logged-job');
    expect(job.TrainingJobStatus).toBe('Completed');
    const streams = await root.logs.send(
      new DescribeLogStreamsCommand({
        logGroupName: '/aws/sagemaker/TrainingJobs',
        logStreamNamePrefix: 'logged-job/',
      }),
    );
    expect(streams.logStreams?.map((s) => s.logStreamName)).toEqual([
      expect.stringMatching(/^logged-job\/algo-1-\d{10}$/),
    ]);
    const events = await root.logs.send(
      new FilterLogEventsCommand({
        logGroupName: '/aws/sagemaker/TrainingJobs',
        logStreamNamePrefix: 'logged-job/',
        filterPattern: 'train-rmse',
      }),
    );
    expect(events.events?.map((e) => e.message)).toEqual([
      expect.stringMatching(/^\[0\]#011train-rmse:0\.\d{5}$/),
      expect.stringMatching(/^\[1\]#011train-rmse:0\.\d{5}$/),
      expect.stringMatching(/^\[2\]#011train-rmse:0\.\d{5}$/),
    ]);
  });
});

describe('AdministratorAccess', () => {
  it('allows everything the lesson does', async () => {
    await root.iam.send(
      new CreateRoleCommand({
        RoleName: 'AdminRole',
        AssumeRolePolicyDocument: trustPolicy('sagemaker.amazonaws.com'),
      }),
    );
    await root.iam.send(
      new AttachRolePolicyCommand({
        RoleName: 'AdminRole',
        PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
      }),
    );
    const admin = clients(
      sandbox.endpoint,
      await assume(`arn:aws:iam::${ACCOUNT}:role/AdminRole`, 'admin'),
    );
    const listed = await admin.s3.send(
      new ListObjectsV2Command({ Bucket: 'my-bucket', Prefix: 'train/' }),
    );
    expect(listed.Contents?.map((o) => o.Key)).toEqual(['train/data.csv']);
    await admin.s3.send(new CreateBucketCommand({ Bucket: 'admin-bucket' }));
    await admin.s3.send(new PutObjectCommand({ Bucket: 'admin-bucket', Key: 'k', Body: 'v' }));
    const logs = await admin.logs.send(
      new DescribeLogStreamsCommand({ logGroupName: '/aws/sagemaker/TrainingJobs' }),
    );
    expect(logs.logStreams?.length).toBeGreaterThan(0);
  });
});

describe.skipIf(!requireTool('aws'))('create-notebook-instance with a role that trusts ec2', () => {
  it(
    'is refused with the ValidationException SageMaker gives',
    async () => {
      await root.iam.send(
        new CreateRoleCommand({
          RoleName: 'Ec2OnlyRole',
          AssumeRolePolicyDocument: trustPolicy('ec2.amazonaws.com'),
        }),
      );
      const arn = `arn:aws:iam::${ACCOUNT}:role/Ec2OnlyRole`;
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
          arn,
        ],
        awsEnv(sandbox.endpoint),
      );
      expect(result.code).not.toBe(0);
      expect(result.stderr.trim()).toBe(
        `An error occurred (ValidationException) when calling the CreateNotebookInstance operation: The execution role ARN "${arn}" is invalid. Please ensure that the role exists and that its trust relationship policy allows the action "sts:AssumeRole" for the service principal "sagemaker.amazonaws.com".`,
      );
    },
    CLI_TIMEOUT_MS,
  );
});

describe('CloudTrail', () => {
  it("shows SageMaker assuming the execution role for the lesson's jobs", async () => {
    const trail = new CloudTrailClient({
      endpoint: sandbox.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const { Events } = await trail.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'AssumeRole' }],
      }),
    );
    const bySageMaker = (Events ?? [])
      .map((e) => JSON.parse(e.CloudTrailEvent ?? '{}') as TrailRecord)
      .filter((e) => e.userIdentity?.invokedBy === 'sagemaker.amazonaws.com')
      .filter((e) => (e.requestParameters as { roleArn?: string })?.roleArn === ROLE_ARN);
    expect(bySageMaker.length).toBeGreaterThanOrEqual(3);
    expect(bySageMaker[0]).toMatchObject({
      eventSource: 'sts.amazonaws.com',
      userIdentity: { type: 'AWSService' },
      requestParameters: { roleArn: ROLE_ARN, roleSessionName: 'SageMaker' },
    });
  });
});
