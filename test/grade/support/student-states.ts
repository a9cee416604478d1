/**
 * A class of students for the grading tests: each student has their own sandbox, set up the way
 * a student would leave it. The complete state comes from the lab's own reference actions (the
 * engine's runner, as `labwright solve` runs them); each broken state then changes it with real
 * AWS SDK v3 calls, as a student would from the CLI or the console.
 */
import { CloudTrailClient, StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  IAMClient,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateNotebookInstanceCommand,
  CreateTrainingJobCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { connect } from '../../../src/aws/connect.js';
import { resolveTarget } from '../../../src/aws/target.js';
import { Progress } from '../../../src/engine/progress.js';
import { openLab } from '../../../src/engine/runner.js';
import type { LoadedLab } from '../../../src/lab/load.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/server.js';

export const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

export interface StudentAws {
  iam: IAMClient;
  sagemaker: SageMakerClient;
  cloudtrail: CloudTrailClient;
}

export interface Breakage {
  /** What the student did wrong, for test names and failure messages. */
  name: string;
  /** Lab variables the student worked with from the start (roster columns too). */
  vars?: Record<string, string>;
  /** Lab variables of what the student did after the reference steps (roster columns too). */
  laterVars?: Record<string, string>;
  /** Changes the complete state; `vars` are the lab's variables as the student set them. */
  apply?(aws: StudentAws, vars: Record<string, string>): Promise<void>;
  /** `step/check` ids of the required checks this state must fail. */
  fails: string[];
}

const document = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const trust = (principal: object) =>
  document({ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' });
const managed = (name: string) => `arn:aws:iam::aws:policy/${name}`;

export const BREAKAGES = {
  complete: { name: 'the reference solution', fails: [] },
  renamedRole: {
    name: 'the reference solution with their own role name',
    vars: { roleName: 'SageMakerRole-renamed' },
    fails: [],
  },
  inline: {
    name: 'the same S3 permissions inline instead of a managed policy',
    async apply({ iam }, vars) {
      await iam.send(
        new DetachRolePolicyCommand({
          RoleName: vars.roleName,
          PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/${vars.s3PolicyName}`,
        }),
      );
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: vars.roleName,
          PolicyName: 'ObjectsInline',
          PolicyDocument: document({
            Effect: 'Allow',
            Action: ['s3:GetObject', 's3:PutObject'],
            Resource: `arn:aws:s3:::${vars.bucket}/*`,
          }),
        }),
      );
    },
    fails: [],
  },
  trustEc2: {
    name: 'a role trusted by EC2 instead of SageMaker',
    async apply({ iam }, vars) {
      await iam.send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: vars.roleName,
          PolicyDocument: trust({ Service: 'ec2.amazonaws.com' }),
        }),
      );
    },
    fails: ['create-role/trusts-sagemaker', 'least-privilege/trust-only-sagemaker'],
  },
  trustOpen: {
    name: 'a trust policy open to any principal',
    async apply({ iam }, vars) {
      await iam.send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: vars.roleName,
          PolicyDocument: document(
            {
              Effect: 'Allow',
              Principal: { Service: 'sagemaker.amazonaws.com' },
              Action: 'sts:AssumeRole',
            },
            { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' },
          ),
        }),
      );
    },
    fails: ['create-role/trusts-sagemaker', 'least-privilege/trust-only-sagemaker'],
  },
  seedPolicyOnly: {
    name: "the seed's policy alone, without s3:ListBucket",
    async apply({ iam }, vars) {
      await iam.send(
        new DeleteRolePolicyCommand({ RoleName: vars.roleName, PolicyName: 'ListTheBucket' }),
      );
    },
    fails: ['test-access/list-as-role'],
  },
  s3FullAccess: {
    name: 'AmazonS3FullAccess still attached',
    async apply({ iam }, vars) {
      await iam.send(
        new AttachRolePolicyCommand({
          RoleName: vars.roleName,
          PolicyArn: managed('AmazonS3FullAccess'),
        }),
      );
    },
    fails: ['least-privilege/no-broad-grants'],
  },
  administrator: {
    name: 'AdministratorAccess attached',
    async apply({ iam }, vars) {
      await iam.send(
        new AttachRolePolicyCommand({
          RoleName: vars.roleName,
          PolicyArn: managed('AdministratorAccess'),
        }),
      );
    },
    fails: ['least-privilege/no-broad-grants'],
  },
  noLogs: {
    name: 'no CloudWatch Logs permission, and a training job run without it',
    laterVars: { trainingJob: 'job-without-logs' },
    async apply({ iam, sagemaker }, vars) {
      await iam.send(
        new DetachRolePolicyCommand({
          RoleName: vars.roleName,
          PolicyArn: managed('CloudWatchLogsFullAccess'),
        }),
      );
      await sagemaker.send(
        new CreateTrainingJobCommand({
          TrainingJobName: vars.trainingJob,
          RoleArn: `arn:aws:iam::${ACCOUNT}:role/${vars.roleName}`,
          AlgorithmSpecification: { TrainingImage: vars.trainingImage, TrainingInputMode: 'File' },
          InputDataConfig: [
            {
              ChannelName: 'train',
              ContentType: 'text/csv',
              DataSource: {
                S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${vars.bucket}/data/` },
              },
            },
          ],
          OutputDataConfig: { S3OutputPath: `s3://${vars.bucket}/output/` },
          ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
          StoppingCondition: { MaxRuntimeInSeconds: 3600 },
        }),
      );
    },
    fails: ['create-role/logs-access', 'cloudwatch-logs/training-logs'],
  },
  notebookOtherRole: {
    name: 'the notebook given another role',
    laterVars: { notebook: 'NotebookWithAnotherRole' },
    async apply({ iam, sagemaker }, vars) {
      await iam.send(
        new CreateRoleCommand({
          RoleName: 'SomeOtherRole',
          AssumeRolePolicyDocument: trust({ Service: 'sagemaker.amazonaws.com' }),
        }),
      );
      await sagemaker.send(
        new CreateNotebookInstanceCommand({
          NotebookInstanceName: vars.notebook,
          InstanceType: 'ml.t2.medium',
          RoleArn: `arn:aws:iam::${ACCOUNT}:role/SomeOtherRole`,
        }),
      );
    },
    fails: ['assign-role/notebook-uses-role'],
  },
  trailStopped: {
    name: 'CloudTrail not logging',
    async apply({ cloudtrail }, vars) {
      await cloudtrail.send(new StopLoggingCommand({ Name: vars.trail }));
    },
    fails: ['least-privilege/trail-logging'],
  },
} satisfies Record<string, Breakage>;

export function studentAws(endpoint: string): StudentAws {
  const config = { endpoint, region: REGION, credentials };
  return {
    iam: new IAMClient(config),
    sagemaker: new SageMakerClient(config),
    cloudtrail: new CloudTrailClient(config),
  };
}

export function destroyAws(aws: StudentAws): void {
  aws.iam.destroy();
  aws.sagemaker.destroy();
  aws.cloudtrail.destroy();
}

/** A sandbox of the student's own, in memory, with notebooks and training jobs that finish at once. */
export function startStudentSandbox(): Promise<Sandbox> {
  return startSandbox({
    port: 0,
    memory: true,
    timing: { notebookTransitionMs: 0, trainingJobMs: 0 },
    log: () => undefined,
  });
}

/** Runs the reference actions of every required step, as `labwright solve` does, then the breakage. */
export async function setUpStudent(
  lab: LoadedLab,
  endpoint: string,
  breakage: Breakage,
): Promise<void> {
  const connection = await connect(resolveTarget({ endpoint, region: REGION }, {}));
  let vars: Record<string, string>;
  try {
    const session = openLab({
      lab,
      connection,
      vars: breakage.vars ?? {},
      progress: Progress.inMemory(lab.lab.id, connection.key),
    });
    vars = { ...session.vars };
    for (const step of lab.lab.steps) {
      if (step.optional) continue;
      const results = await session.runActions(step.id);
      const failed = results.filter((result) => result.status === 'failed');
      if (failed.length) {
        throw new Error(
          `${step.id}: ${failed.map((result) => `${result.title}: ${result.message}`).join('; ')}`,
        );
      }
    }
  } finally {
    connection.close();
  }
  if (breakage.apply) {
    const aws = studentAws(endpoint);
    try {
      await breakage.apply(aws, { ...vars, ...breakage.laterVars });
    } finally {
      destroyAws(aws);
    }
  }
}
