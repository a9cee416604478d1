/**
 * The catalog of student solutions to Lesson 9.1, right and wrong, each set up with real AWS
 * SDK v3 clients the way a student would (CLI commands, console clicks), and the lab checks
 * each must fail. Shared by the sandbox and moto tests, so both targets judge the same work.
 */
import {
  CloudTrailClient,
  CreateTrailCommand,
  StartLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateBucketCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateNotebookInstanceCommand,
  CreateTrainingJobCommand,
  DescribeTrainingJobCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';

const ACCOUNT = '000000000000';
const ROLE = 'SageMakerExecutionRole';
const BUCKET = 'my-bucket';
const TRAIL_BUCKET = 'my-bucket-cloudtrail';
const JOB = 'lesson-9-1-training-job';

type Document = { Version: string; Statement: Record<string, unknown>[] };
const policy = (...Statement: Record<string, unknown>[]): Document => ({
  Version: '2012-10-17',
  Statement,
});

const trustedBy = (service: string) =>
  policy({ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' });

/** The seed's custom policy: objects only, no s3:ListBucket. */
const SEED_S3 = {
  Sid: 'ReadWriteObjects',
  Effect: 'Allow',
  Action: ['s3:GetObject', 's3:PutObject'],
  Resource: `arn:aws:s3:::${BUCKET}/*`,
};
const LIST_BUCKET = {
  Sid: 'ListTheBucket',
  Effect: 'Allow',
  Action: 's3:ListBucket',
  Resource: `arn:aws:s3:::${BUCKET}`,
};
const WRITE_LOGS = {
  Sid: 'TrainingLogs',
  Effect: 'Allow',
  Action: [
    'logs:CreateLogGroup',
    'logs:CreateLogStream',
    'logs:PutLogEvents',
    'logs:DescribeLogStreams',
  ],
  Resource: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/sagemaker/TrainingJobs:*`,
};
const PULL_IMAGES = {
  Sid: 'PullImages',
  Effect: 'Allow',
  Action: [
    'ecr:GetAuthorizationToken',
    'ecr:BatchGetImage',
    'ecr:GetDownloadUrlForLayer',
    'ecr:BatchCheckLayerAvailability',
  ],
  Resource: '*',
};

/** How a solution differs from the lab's reference solution. */
export interface Solution {
  trust: Document;
  /** Customer managed policies to create and attach, by name. */
  managed: Record<string, Document>;
  /** Inline policies, by name. */
  inline: Record<string, Document>;
  /** AWS managed policies to attach, by name. */
  awsManaged: string[];
  /** The role the notebook instance is given. */
  notebookRole: string;
  trailLogging: boolean;
}

export const reference: Solution = {
  trust: trustedBy('sagemaker.amazonaws.com'),
  managed: { SageMakerS3LeastPrivilege: policy(SEED_S3) },
  inline: { ListTheBucket: policy(LIST_BUCKET) },
  awsManaged: ['CloudWatchLogsFullAccess', 'AmazonEC2ContainerRegistryReadOnly'],
  notebookRole: ROLE,
  trailLogging: true,
};

export interface Scenario {
  name: string;
  solution: Solution;
  /** The lab checks (step/check) this solution must fail; all others must pass. */
  fails: string[];
  /** Words the message of each failing check must contain: it says why. */
  says: Record<string, (string | RegExp)[]>;
}

/** The lab's checks the catalog judges (the quiz and the optional template step are tested apart). */
export const JUDGED_STEPS = [
  'create-role',
  'assign-role',
  'test-access',
  'cloudwatch-logs',
  'least-privilege',
];

export const scenarios: Scenario[] = [
  { name: 'the reference solution', solution: reference, fails: [], says: {} },
  {
    name: 'the same permissions, all inline',
    solution: {
      ...reference,
      managed: {},
      inline: {
        S3Data: policy(SEED_S3, LIST_BUCKET),
        Logs: policy(WRITE_LOGS),
        Images: policy(PULL_IMAGES),
      },
      awsManaged: [],
    },
    fails: [],
    says: {},
  },
  {
    name: 'the S3 permissions under another policy name',
    solution: {
      ...reference,
      managed: {
        TrainingDataAccess: policy(
          { ...SEED_S3, Sid: 'Objects' },
          { ...LIST_BUCKET, Sid: 'Listing' },
        ),
      },
      inline: {},
    },
    fails: [],
    says: {},
  },
  {
    name: 'a role trusted by EC2 instead of SageMaker',
    solution: { ...reference, trust: trustedBy('ec2.amazonaws.com') },
    // SageMaker refuses a role it cannot assume: no notebook, no training job, no AssumeRole.
    fails: [
      'create-role/trusts-sagemaker',
      'assign-role/notebook-uses-role',
      'cloudwatch-logs/training-completed',
      'cloudwatch-logs/training-logs',
      'least-privilege/trust-only-sagemaker',
      'least-privilege/role-use-recorded',
    ],
    says: {
      'create-role/trusts-sagemaker': [
        'the role trusts ec2.amazonaws.com, not sagemaker.amazonaws.com',
      ],
      'assign-role/notebook-uses-role': ['no notebook instance named MyNotebookInstance'],
      'cloudwatch-logs/training-completed': [`found no training job named ${JOB}`],
    },
  },
  {
    name: 'a trust policy open to any principal',
    solution: {
      ...reference,
      trust: policy(
        {
          Effect: 'Allow',
          Principal: { Service: 'sagemaker.amazonaws.com' },
          Action: 'sts:AssumeRole',
        },
        { Sid: 'Anyone', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' },
      ),
    },
    fails: ['create-role/trusts-sagemaker', 'least-privilege/trust-only-sagemaker'],
    says: {
      'create-role/trusts-sagemaker': ['lets any principal assume the role', 'statement "Anyone"'],
    },
  },
  {
    name: "the seed's policy alone (no s3:ListBucket)",
    solution: { ...reference, inline: {} },
    // The training job reads an S3 prefix, which needs ListBucket: as on AWS it fails while
    // downloading its data, before the algorithm runs, so it leaves no logs either.
    fails: [
      'test-access/list-as-role',
      'cloudwatch-logs/training-completed',
      'cloudwatch-logs/training-logs',
    ],
    says: {
      'test-access/list-as-role': [
        `s3:ListBucket applies to the bucket, arn:aws:s3:::${BUCKET}`,
        'ReadWriteObjects',
        'SageMakerS3LeastPrivilege',
      ],
      'cloudwatch-logs/training-completed': ['is Failed', 's3:ListBucket'],
      // A job that ended without logs will not get them: the check says so rather than wait.
      'cloudwatch-logs/training-logs': ['is Failed', 'never written after the fact'],
    },
  },
  {
    name: 'AmazonS3FullAccess still attached',
    solution: { ...reference, awsManaged: [...reference.awsManaged, 'AmazonS3FullAccess'] },
    fails: ['least-privilege/no-broad-grants'],
    says: { 'least-privilege/no-broad-grants': ['AmazonS3FullAccess is still attached'] },
  },
  {
    name: 'AdministratorAccess attached',
    solution: { ...reference, awsManaged: [...reference.awsManaged, 'AdministratorAccess'] },
    fails: ['least-privilege/no-broad-grants'],
    says: {
      'least-privilege/no-broad-grants': [
        'AdministratorAccess is still attached',
        'AdministratorAccess (statement 1: * on *) allows s3:GetObject on arn:aws:s3:::another-teams-bucket/secrets.csv',
        'iam:CreateUser on arn:aws:iam::000000000000:user/intruder, which the role must not have',
      ],
    },
  },
  {
    name: 'no CloudWatch Logs permission',
    solution: { ...reference, awsManaged: ['AmazonEC2ContainerRegistryReadOnly'] },
    fails: ['create-role/logs-access', 'cloudwatch-logs/training-logs'],
    says: {
      'create-role/logs-access': [
        'logs:CreateLogGroup, logs:CreateLogStream and logs:PutLogEvents on arn:aws:logs:us-east-1:000000000000:log-group:/aws/sagemaker/TrainingJobs:* are not allowed: no statement in the role',
      ],
      'cloudwatch-logs/training-logs': ['/aws/sagemaker/TrainingJobs'],
    },
  },
  {
    name: 'the notebook given another role',
    solution: { ...reference, notebookRole: 'SomeOtherRole' },
    fails: ['assign-role/notebook-uses-role'],
    says: { 'assign-role/notebook-uses-role': [`uses the role SomeOtherRole, not ${ROLE}`] },
  },
  {
    name: 'CloudTrail not logging',
    solution: { ...reference, trailLogging: false },
    fails: ['least-privilege/trail-logging'],
    says: { 'least-privilege/trail-logging': ['exists but is not logging'] },
  },
];

export interface LessonClients {
  iam: IAMClient;
  s3: S3Client;
  sagemaker: SageMakerClient;
  cloudtrail: CloudTrailClient;
}

export function lessonClients(endpoint: string): LessonClients {
  const config = {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
  return {
    iam: new IAMClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
    sagemaker: new SageMakerClient(config),
    cloudtrail: new CloudTrailClient(config),
  };
}

async function attempt(what: Promise<unknown>): Promise<string | undefined> {
  try {
    await what;
    return undefined;
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

/**
 * Does what the student did. Calls SageMaker may refuse (a role it cannot assume) are recorded,
 * not thrown: the checks judge what is left. Returns those refusals.
 */
export async function applySolution(
  c: LessonClients,
  s: Solution,
  /** The training job's name (the lab's by default), and whether to wait until it ends (yes). */
  options: { jobName?: string; waitForTraining?: boolean } = {},
): Promise<string[]> {
  const jobName = options.jobName ?? JOB;
  const json = (d: Document) => JSON.stringify(d);
  await c.iam.send(
    new CreateRoleCommand({ RoleName: ROLE, AssumeRolePolicyDocument: json(s.trust) }),
  );
  if (s.notebookRole !== ROLE) {
    await c.iam.send(
      new CreateRoleCommand({
        RoleName: s.notebookRole,
        AssumeRolePolicyDocument: json(trustedBy('sagemaker.amazonaws.com')),
      }),
    );
  }
  for (const [name, document] of Object.entries(s.managed)) {
    await c.iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: json(document) }));
    await c.iam.send(
      new AttachRolePolicyCommand({
        RoleName: ROLE,
        PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/${name}`,
      }),
    );
  }
  for (const name of s.awsManaged) {
    await c.iam.send(
      new AttachRolePolicyCommand({ RoleName: ROLE, PolicyArn: `arn:aws:iam::aws:policy/${name}` }),
    );
  }
  for (const [name, document] of Object.entries(s.inline)) {
    await c.iam.send(
      new PutRolePolicyCommand({
        RoleName: ROLE,
        PolicyName: name,
        PolicyDocument: json(document),
      }),
    );
  }
  await c.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await c.s3.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: 'data/train.csv',
      Body: '1,0.5,0.25\n0,0.1,0.9\n',
      ContentType: 'text/csv',
    }),
  );
  const refused: string[] = [];
  const notebook = await attempt(
    c.sagemaker.send(
      new CreateNotebookInstanceCommand({
        NotebookInstanceName: 'MyNotebookInstance',
        InstanceType: 'ml.t2.medium',
        RoleArn: `arn:aws:iam::${ACCOUNT}:role/${s.notebookRole}`,
      }),
    ),
  );
  if (notebook) refused.push(`CreateNotebookInstance: ${notebook}`);
  const job = await attempt(
    c.sagemaker.send(
      new CreateTrainingJobCommand({
        TrainingJobName: jobName,
        RoleArn: `arn:aws:iam::${ACCOUNT}:role/${ROLE}`,
        AlgorithmSpecification: {
          TrainingImage: '382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1',
          TrainingInputMode: 'File',
        },
        InputDataConfig: [
          {
            ChannelName: 'train',
            ContentType: 'text/csv',
            DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${BUCKET}/data/` } },
          },
        ],
        OutputDataConfig: { S3OutputPath: `s3://${BUCKET}/output/` },
        ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
        StoppingCondition: { MaxRuntimeInSeconds: 3600 },
        HyperParameters: { feature_dim: '2', predictor_type: 'binary_classifier' },
      }),
    ),
  );
  if (job) refused.push(`CreateTrainingJob: ${job}`);
  else if (options.waitForTraining !== false) await untilTrainingEnds(c.sagemaker, jobName);
  await c.s3.send(new CreateBucketCommand({ Bucket: TRAIL_BUCKET }));
  await c.s3.send(
    new PutBucketPolicyCommand({
      Bucket: TRAIL_BUCKET,
      Policy: json(
        policy(
          {
            Sid: 'CloudTrailAclCheck',
            Effect: 'Allow',
            Principal: { Service: 'cloudtrail.amazonaws.com' },
            Action: 's3:GetBucketAcl',
            Resource: `arn:aws:s3:::${TRAIL_BUCKET}`,
          },
          {
            Sid: 'CloudTrailWrite',
            Effect: 'Allow',
            Principal: { Service: 'cloudtrail.amazonaws.com' },
            Action: 's3:PutObject',
            Resource: `arn:aws:s3:::${TRAIL_BUCKET}/AWSLogs/${ACCOUNT}/*`,
          },
        ),
      ),
    }),
  );
  await c.cloudtrail.send(
    new CreateTrailCommand({ Name: 'lesson-9-1-trail', S3BucketName: TRAIL_BUCKET }),
  );
  if (s.trailLogging)
    await c.cloudtrail.send(new StartLoggingCommand({ Name: 'lesson-9-1-trail' }));
  return refused;
}

/** Waits for the job to leave InProgress, as a student waits before checking (bounded). */
async function untilTrainingEnds(sagemaker: SageMakerClient, name: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const job = await sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
    if (job.TrainingJobStatus !== 'InProgress') return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
