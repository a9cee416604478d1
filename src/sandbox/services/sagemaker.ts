/**
 * Amazon SageMaker: notebook instances and training jobs. SageMaker assumes the execution role:
 * creation refuses a role that does not exist or does not trust sagemaker.amazonaws.com, and a
 * training job reads its S3 input, writes its CloudWatch logs and its model artifact through
 * core.invoke as that role, so the role's permissions decide whether it fails or leaves logs.
 */
import {
  AwsError,
  type Caller,
  type RequestContext,
  type SandboxCore,
  type ServiceHandler,
} from '../types.js';
import { dict, dictOf, has, lookup } from '../dict.js';
import { type Input, optList, optNumber, optObject, optString } from './input.js';
import { gzipTarball } from './tarball.js';
import {
  billingLines,
  isLinearLearner,
  isXgboost,
  startupLines,
  trainingLines,
  type TrainingRun,
} from './training-logs.js';
import { compareText } from '../../compare-text.js';
import { forgetRecords } from './forget-records.js';

const SERVICE_PRINCIPAL = 'sagemaker.amazonaws.com';
const SESSION_NAME = 'SageMaker';
const LOG_GROUP = '/aws/sagemaker/TrainingJobs';
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
const RESOURCE_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

type NotebookStatus =
  'Pending' | 'InService' | 'Stopping' | 'Stopped' | 'Failed' | 'Deleting' | 'Updating';

interface Notebook {
  name: string;
  arn: string;
  status: NotebookStatus;
  /** The status the current transition ends in, and when (epoch ms); `null` = deleted. */
  next?: { status: NotebookStatus | null; at: number };
  instanceType: string;
  roleArn: string;
  creationTime: string;
  lastModifiedTime: string;
  directInternetAccess: string;
  volumeSizeInGB: number;
  rootAccess: string;
  platformIdentifier: string;
  subnetId?: string;
  securityGroups?: string[];
  kmsKeyId?: string;
  lifecycleConfigName?: string;
  acceleratorTypes?: string[];
  defaultCodeRepository?: string;
  additionalCodeRepositories?: string[];
  minimumImdsVersion: string;
  failureReason?: string;
}

type Stage = 'Starting' | 'Downloading' | 'Training' | 'Uploading';

interface Transition {
  Status: string;
  StartTime: string;
  EndTime?: string;
  StatusMessage: string;
}

interface TrainingJob {
  name: string;
  arn: string;
  status: 'InProgress' | 'Completed' | 'Failed' | 'Stopping' | 'Stopped';
  secondaryStatus: string;
  stage: Stage;
  request: Input;
  creationTime: string;
  lastModifiedTime: string;
  trainingStartTime?: string;
  trainingEndTime?: string;
  transitions: Transition[];
  failureReason?: string;
  modelArtifact?: string;
  channels?: TrainingRun['channels'];
  logStream?: string;
  metrics?: { name: string; value: number; at: string }[];
}

interface SageMakerState {
  notebooks: Record<string, Notebook>;
  jobs: Record<string, TrainingJob>;
}

const validation = (message: string) => new AwsError('ValidationException', message);

const STATUS_MESSAGES: Record<string, string> = {
  Starting: 'Preparing the instances for training',
  Downloading: 'Downloading input data',
  Training: 'Training image download completed. Training in progress.',
  Uploading: 'Uploading generated training model',
  Completed: 'Training job completed',
  Failed: 'Training job failed',
  Stopping: 'Stopping the training job',
  Stopped: 'Training job stopped',
};

export function sagemakerService(core: SandboxCore): ServiceHandler {
  const state = () =>
    core.store.get<SageMakerState>('sagemaker', () => ({ notebooks: dict(), jobs: dict() }));
  const arnOf = (ctx: { region: string; accountId: string }, kind: string, name: string) =>
    `arn:aws:sagemaker:${ctx.region}:${ctx.accountId}:${kind}/${name.toLowerCase()}`;
  const where = (ctx: RequestContext) => ({ region: ctx.region, accountId: ctx.caller.accountId });

  /** Transitions happen lazily: whoever looks after the deadline sees the new status. */
  const settle = (notebook: Notebook): Notebook | undefined => {
    if (notebook.next && core.now() >= notebook.next.at) {
      const { status, at } = notebook.next;
      delete notebook.next;
      if (status === null) {
        delete state().notebooks[notebook.name];
        core.store.changed();
        return undefined;
      }
      notebook.status = status;
      notebook.lastModifiedTime = new Date(at).toISOString();
      core.store.changed();
    }
    return notebook;
  };
  const transition = (notebook: Notebook, now: NotebookStatus, then: NotebookStatus | null) => {
    notebook.status = now;
    notebook.lastModifiedTime = new Date(core.now()).toISOString();
    notebook.next = { status: then, at: core.now() + core.timing.notebookTransitionMs };
    core.store.changed();
  };
  const requireNotebook = (name: string): Notebook => {
    const found = lookup(state().notebooks, name);
    const notebook = found && settle(found);
    if (!notebook) throw validation('RecordNotFound');
    return notebook;
  };
  const requireStatus = (notebook: Notebook, allowed: NotebookStatus[], target: NotebookStatus) => {
    if (!allowed.includes(notebook.status)) {
      throw validation(
        `Status (${notebook.status}) not in ([${allowed.join(', ')}]). Unable to transition to (${target}) for Notebook Instance (${notebook.arn}).`,
      );
    }
  };

  /** The checks AWS makes before accepting a role: the caller may pass it, SageMaker may assume it. */
  const acceptRole = async (ctx: RequestContext, roleArn: string, kind: 'notebook' | 'job') => {
    if (!ROLE_ARN.test(roleArn)) {
      throw validation(
        `1 validation error detected: Value '${roleArn}' at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ^arn:aws[a-z\\-]*:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+$`,
      );
    }
    await core.authorize(ctx, 'iam:PassRole', roleArn, {
      context: { 'iam:PassedToService': SERVICE_PRINCIPAL },
    });
    try {
      await core.assumeRoleAsService(SERVICE_PRINCIPAL, roleArn, SESSION_NAME);
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      throw validation(
        kind === 'notebook'
          ? `The execution role ARN "${roleArn}" is invalid. Please ensure that the role exists and that its trust relationship policy allows the action "sts:AssumeRole" for the service principal "${SERVICE_PRINCIPAL}".`
          : `Could not assume role ${roleArn}. Please ensure that the role exists and allows principal '${SERVICE_PRINCIPAL}' to assume the role.`,
      );
    }
  };

  // ---- training jobs: a worker per job in progress, resumable from the persisted stage ----

  const workerKey = (jobName: string) => `training-job/${jobName}`;

  const setSecondary = (
    job: TrainingJob,
    status: string,
    message = STATUS_MESSAGES[status] ?? status,
  ) => {
    const now = new Date(core.now()).toISOString();
    const last = job.transitions[job.transitions.length - 1];
    if (last && !last.EndTime) last.EndTime = now;
    const terminal = ['Completed', 'Failed', 'Stopped'].includes(status);
    job.transitions.push({
      Status: status,
      StartTime: now,
      StatusMessage: message,
      ...(terminal ? { EndTime: now } : {}),
    });
    job.secondaryStatus = status;
    job.lastModifiedTime = now;
    core.store.changed();
  };

  const finish = (
    job: TrainingJob,
    status: 'Completed' | 'Failed' | 'Stopped',
    reason?: string,
  ) => {
    job.status = status;
    if (reason) job.failureReason = reason;
    job.trainingEndTime = new Date(core.now()).toISOString();
    setSecondary(job, status, status === 'Failed' ? (reason ?? STATUS_MESSAGES.Failed) : undefined);
  };

  /** Writes log lines as the role; without permission there are simply no logs, as on AWS. */
  const writeLogs = async (job: TrainingJob, caller: Caller, lines: string[]) => {
    if (lines.length === 0) return;
    try {
      if (!job.logStream) {
        const stream = `${job.name}/algo-1-${Math.floor(core.now() / 1000)}`;
        try {
          await core.invoke('logs', 'CreateLogGroup', { logGroupName: LOG_GROUP }, caller);
        } catch (error) {
          // Already there, or the role may not create groups: the stream may still be allowed.
          if (!(error instanceof AwsError)) throw error;
        }
        await core.invoke(
          'logs',
          'CreateLogStream',
          { logGroupName: LOG_GROUP, logStreamName: stream },
          caller,
        );
        job.logStream = stream;
        core.store.changed();
      }
      const now = core.now();
      await core.invoke(
        'logs',
        'PutLogEvents',
        {
          logGroupName: LOG_GROUP,
          logStreamName: job.logStream,
          logEvents: lines.map((message) => ({ timestamp: now, message })),
        },
        caller,
      );
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
    }
  };

  const s3Location = (uri: string) => {
    const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
    return match ? { bucket: match[1] ?? '', prefix: match[2] ?? '' } : undefined;
  };
  const describeError = (error: unknown) =>
    error instanceof AwsError ? `${error.code} (${error.status}): ${error.message}` : String(error);

  /** Downloads every channel's objects as the role; returns a FailureReason on failure. */
  const download = async (job: TrainingJob, caller: Caller): Promise<string | undefined> => {
    const channels: TrainingRun['channels'] = dict();
    for (const channel of optList<Input>(job.request, 'InputDataConfig') ?? []) {
      const name = optString(channel, 'ChannelName') ?? 'train';
      const source = optObject(optObject(channel, 'DataSource') ?? {}, 'S3DataSource');
      if (!source) continue;
      const uri = optString(source, 'S3Uri') ?? '';
      const location = s3Location(uri);
      if (!location)
        return `ClientError: Data download failed:Invalid S3 URI "${uri}" given in input data source.`;
      const objects: { key: string; size: number }[] = [];
      let token: string | undefined;
      try {
        do {
          const page = (await core.invoke(
            's3',
            'ListObjectsV2',
            { Bucket: location.bucket, Prefix: location.prefix, ContinuationToken: token },
            caller,
          )) as { Contents?: { Key: string; Size: number }[]; NextContinuationToken?: string };
          for (const o of page.Contents ?? []) objects.push({ key: o.Key, size: o.Size });
          token = page.NextContinuationToken;
        } while (token);
      } catch (error) {
        if (error instanceof AwsError && error.code === 'NoSuchBucket') {
          return noObjects(uri, location.bucket, job, 'The specified bucket does not exist');
        }
        return `ClientError: Data download failed:Failed to download data. ListObjectsV2 failed for ${uri}: ${describeError(error)}`;
      }
      const files = objects.filter((o) => !o.key.endsWith('/'));
      if (files.length === 0) return noObjects(uri, location.bucket, job);
      for (const o of files) {
        try {
          await core.invoke('s3', 'GetObject', { Bucket: location.bucket, Key: o.key }, caller);
        } catch (error) {
          return `ClientError: Data download failed:Failed to download data. GetObject failed for s3://${location.bucket}/${o.key}: ${describeError(error)}`;
        }
      }
      channels[name] = files;
    }
    job.channels = channels;
    core.store.changed();
    return undefined;
  };

  const noObjects = (uri: string, bucket: string, job: TrainingJob, s3Message?: string) =>
    `ClientError: Data download failed:No S3 objects found under S3 URL "${uri}" given in input data source. Please ensure that the bucket exists in the selected region (${regionOf(job)}), that objects exist under that S3 prefix, and that the role "${String(job.request.RoleArn)}" has "s3:ListBucket" permissions on bucket "${bucket}".${s3Message ? ` Error message from S3: ${s3Message}` : ''}`;

  const upload = async (
    job: TrainingJob,
    caller: Caller,
    run: TrainingRun,
  ): Promise<string | undefined> => {
    const output =
      optString(optObject(job.request, 'OutputDataConfig') ?? {}, 'S3OutputPath') ?? '';
    const location = s3Location(output);
    if (!location) return `ClientError: Artifact upload failed:Invalid S3 output path "${output}".`;
    const key = `${location.prefix ? `${location.prefix.replace(/\/+$/, '')}/` : ''}${job.name}/output/model.tar.gz`;
    const model = isXgboost(run.image)
      ? 'xgboost-model'
      : isLinearLearner(run.image)
        ? 'model_algo-1'
        : 'model.pth';
    const body = gzipTarball([
      {
        name: model,
        mtime: new Date(core.now()),
        data: Buffer.from(
          JSON.stringify(
            { job: job.name, hyperparameters: run.hyperParameters, metrics: job.metrics ?? [] },
            null,
            2,
          ),
        ),
      },
    ]);
    try {
      await core.invoke(
        's3',
        'PutObject',
        { Bucket: location.bucket, Key: key, Body: body, ContentType: 'application/x-tar' },
        caller,
      );
    } catch (error) {
      return `ClientError: Artifact upload failed:Failed to upload model artifact to s3://${location.bucket}/${key}: ${describeError(error)}`;
    }
    job.modelArtifact = `s3://${location.bucket}/${key}`;
    return undefined;
  };

  /**
   * Pulling the training image: AWS's own algorithm images need nothing from the role, but an
   * image in the account's own ECR needs the role's pull permissions (AmazonEC2ContainerRegistryReadOnly).
   */
  const pullImage = async (
    job: TrainingJob,
    caller: Caller,
    image: string,
  ): Promise<string | undefined> => {
    const match = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/([^:@]+)/.exec(image);
    if (!match || match[1] !== caller.accountId) return undefined;
    const [, account, region, repository] = match;
    const ctx: RequestContext = {
      service: 'sagemaker',
      operation: 'CreateTrainingJob',
      region: region ?? 'us-east-1',
      requestId: job.arn,
      caller,
      sourceIp: SERVICE_PRINCIPAL,
      userAgent: SERVICE_PRINCIPAL,
    };
    const actions = [
      'ecr:BatchCheckLayerAvailability',
      'ecr:BatchGetImage',
      'ecr:GetDownloadUrlForLayer',
    ];
    try {
      for (const action of actions) {
        await core.authorize(
          ctx,
          action,
          `arn:aws:ecr:${region}:${account}:repository/${repository}`,
        );
      }
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      return `ClientError: Access denied for repository: ${repository} in registry ID: ${account}. Please check if your ECR repository and image exist and role ${String(job.request.RoleArn)} has proper pull permissions for SageMaker: ${actions.join(', ')}`;
    }
    return undefined;
  };

  const runJob = async (job: TrainingJob, sleep: (ms: number) => Promise<void>) => {
    const step = Math.max(0, core.timing.trainingJobMs) / 4;
    const stopped = () => job.status === 'Stopping';
    const algorithm = optObject(job.request, 'AlgorithmSpecification') ?? {};
    const run: TrainingRun = {
      jobName: job.name,
      image: optString(algorithm, 'TrainingImage') ?? optString(algorithm, 'AlgorithmName') ?? '',
      instanceType:
        optString(optObject(job.request, 'ResourceConfig') ?? {}, 'InstanceType') ?? 'ml.m5.large',
      hyperParameters: dictOf(
        optObject(job.request, 'HyperParameters') as Record<string, string> | undefined,
      ),
      channels: job.channels ?? {},
    };
    let caller: Caller;
    try {
      caller = await core.assumeRoleAsService(
        SERVICE_PRINCIPAL,
        String(job.request.RoleArn),
        SESSION_NAME,
      );
    } catch {
      finish(
        job,
        'Failed',
        `ClientError: SageMaker was unable to assume the role '${String(job.request.RoleArn)}'`,
      );
      return;
    }
    const stages: Stage[] = ['Starting', 'Downloading', 'Training', 'Uploading'];
    for (const stage of stages.slice(stages.indexOf(job.stage))) {
      if (stopped()) {
        finish(job, 'Stopped');
        return;
      }
      if (job.secondaryStatus !== stage) setSecondary(job, stage);
      job.stage = stage;
      await sleep(step);
      if (stopped()) continue;
      if (stage === 'Downloading') {
        const failure = await download(job, caller);
        if (failure) return finish(job, 'Failed', failure);
        run.channels = job.channels ?? {};
      } else if (stage === 'Training') {
        const denied = await pullImage(job, caller, run.image);
        if (denied) return finish(job, 'Failed', denied);
        job.trainingStartTime ??= new Date(core.now()).toISOString();
        const output = trainingLines(run, new Date(core.now()));
        job.metrics = output.metrics.map((m) => ({ ...m, at: new Date(core.now()).toISOString() }));
        await writeLogs(job, caller, [...startupLines(run, new Date(core.now())), ...output.lines]);
      } else if (stage === 'Uploading') {
        const failure = await upload(job, caller, run);
        if (failure) return finish(job, 'Failed', failure);
      }
    }
    if (stopped()) return finish(job, 'Stopped');
    // The closing lines go out before the status flips, so a client that sees Completed sees them.
    await writeLogs(job, caller, billingLines(billableSeconds(job, core.now())));
    finish(job, 'Completed');
  };

  const launch = (job: TrainingJob) => {
    core.background.start('sagemaker', workerKey(job.name), (sleep) =>
      runJob(job, sleep).catch((error: unknown) => {
        if (job.status === 'InProgress' || job.status === 'Stopping') {
          finish(
            job,
            'Failed',
            `InternalServerError: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      }),
    );
  };

  const requireJob = (name: string): TrainingJob => {
    const job = lookup(state().jobs, name);
    if (!job) throw validation('Requested resource not found.');
    return job;
  };

  const notebookView = (n: Notebook) => ({
    NotebookInstanceArn: n.arn,
    NotebookInstanceName: n.name,
    NotebookInstanceStatus: n.status,
    FailureReason: n.failureReason,
    Url: `${n.name.toLowerCase()}.notebook.${n.arn.split(':')[3]}.sagemaker.aws`,
    InstanceType: n.instanceType,
    SubnetId: n.subnetId,
    SecurityGroups: n.securityGroups,
    RoleArn: n.roleArn,
    KmsKeyId: n.kmsKeyId,
    NetworkInterfaceId: n.subnetId
      ? `eni-${n.arn.length.toString(16).padStart(17, '0')}`
      : undefined,
    LastModifiedTime: new Date(n.lastModifiedTime),
    CreationTime: new Date(n.creationTime),
    NotebookInstanceLifecycleConfigName: n.lifecycleConfigName,
    DirectInternetAccess: n.directInternetAccess,
    VolumeSizeInGB: n.volumeSizeInGB,
    AcceleratorTypes: n.acceleratorTypes,
    DefaultCodeRepository: n.defaultCodeRepository,
    AdditionalCodeRepositories: n.additionalCodeRepositories,
    RootAccess: n.rootAccess,
    PlatformIdentifier: n.platformIdentifier,
    InstanceMetadataServiceConfiguration: {
      MinimumInstanceMetadataServiceVersion: n.minimumImdsVersion,
    },
  });

  const jobView = (job: TrainingJob) => {
    const r = job.request;
    const seconds = job.trainingStartTime ? billableSeconds(job, core.now()) : undefined;
    return {
      TrainingJobName: job.name,
      TrainingJobArn: job.arn,
      ModelArtifacts: { S3ModelArtifacts: job.modelArtifact ?? '' },
      TrainingJobStatus: job.status,
      SecondaryStatus: job.secondaryStatus,
      FailureReason: job.failureReason,
      HyperParameters: r.HyperParameters,
      AlgorithmSpecification: {
        TrainingInputMode: 'File',
        ...(optObject(r, 'AlgorithmSpecification') ?? {}),
      },
      RoleArn: r.RoleArn,
      InputDataConfig: r.InputDataConfig,
      OutputDataConfig: r.OutputDataConfig,
      ResourceConfig: r.ResourceConfig,
      VpcConfig: r.VpcConfig,
      StoppingCondition: r.StoppingCondition,
      CreationTime: new Date(job.creationTime),
      TrainingStartTime: job.trainingStartTime ? new Date(job.trainingStartTime) : undefined,
      TrainingEndTime: job.trainingEndTime ? new Date(job.trainingEndTime) : undefined,
      LastModifiedTime: new Date(job.lastModifiedTime),
      SecondaryStatusTransitions: job.transitions.map((t) => ({
        Status: t.Status,
        StartTime: new Date(t.StartTime),
        EndTime: t.EndTime ? new Date(t.EndTime) : undefined,
        StatusMessage: t.StatusMessage,
      })),
      FinalMetricDataList:
        job.status === 'Completed'
          ? (job.metrics ?? []).map((m) => ({
              MetricName: m.name,
              Value: m.value,
              Timestamp: new Date(m.at),
            }))
          : undefined,
      EnableNetworkIsolation: r.EnableNetworkIsolation ?? false,
      EnableInterContainerTrafficEncryption: r.EnableInterContainerTrafficEncryption ?? false,
      EnableManagedSpotTraining: r.EnableManagedSpotTraining ?? false,
      TrainingTimeInSeconds: job.trainingEndTime ? seconds : undefined,
      BillableTimeInSeconds: job.trainingEndTime && job.status !== 'Failed' ? seconds : undefined,
      Environment: r.Environment,
      ProfilingStatus: 'Disabled',
    };
  };

  const page = <T>(items: T[], input: Input, max: number, defaultSize: number) => {
    const size = optNumber(input, 'MaxResults') ?? defaultSize;
    if (size < 1 || size > max) {
      throw validation(
        `1 validation error detected: Value '${size}' at 'maxResults' failed to satisfy constraint: Member must have value ${size < 1 ? 'greater than or equal to 1' : `less than or equal to ${max}`}`,
      );
    }
    const offset = Number(optString(input, 'NextToken') ?? '0') || 0;
    const slice = items.slice(offset, offset + size);
    return { slice, next: offset + size < items.length ? String(offset + size) : undefined };
  };

  return {
    name: 'sagemaker',
    // Jobs in progress when the sandbox last stopped pick up where they were.
    resume: () => {
      for (const job of Object.values(state().jobs)) {
        if (job.status === 'InProgress' || job.status === 'Stopping') launch(job);
      }
    },
    // AWS has no DeleteTrainingJob; labwright's reset forgets the jobs of an attempt.
    forget: (arns) =>
      forgetRecords(state().jobs, arns, (job) => core.background.cancel(workerKey(job.name))),
    describeEvent: (_operation, input) => {
      const name = optString(input, 'NotebookInstanceName') ?? optString(input, 'TrainingJobName');
      return name ? { requestParameters: input } : {};
    },
    operations: {
      async CreateNotebookInstance(input, ctx) {
        const name = optString(input, 'NotebookInstanceName') ?? '';
        if (!RESOURCE_NAME.test(name)) {
          throw validation(
            `1 validation error detected: Value '${name}' at 'notebookInstanceName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9])*`,
          );
        }
        const arn = arnOf(where(ctx), 'notebook-instance', name);
        await core.authorize(ctx, 'sagemaker:CreateNotebookInstance', arn);
        const instanceType = optString(input, 'InstanceType') ?? '';
        if (!/^ml\.[a-z0-9]+\.[a-z0-9]+$/.test(instanceType)) {
          throw validation(
            `1 validation error detected: Value '${instanceType}' at 'instanceType' failed to satisfy constraint: Member must satisfy enum value set`,
          );
        }
        const existing = lookup(state().notebooks, name);
        if (existing && settle(existing)) {
          throw new AwsError(
            'ResourceInUse',
            `Cannot create a duplicate Notebook Instance (${arn})`,
          );
        }
        const roleArn = optString(input, 'RoleArn') ?? '';
        await acceptRole(ctx, roleArn, 'notebook');
        const now = new Date(core.now()).toISOString();
        const notebook: Notebook = {
          name,
          arn,
          status: 'Pending',
          instanceType,
          roleArn,
          creationTime: now,
          lastModifiedTime: now,
          directInternetAccess: optString(input, 'DirectInternetAccess') ?? 'Enabled',
          volumeSizeInGB: optNumber(input, 'VolumeSizeInGB') ?? 5,
          rootAccess: optString(input, 'RootAccess') ?? 'Enabled',
          platformIdentifier: optString(input, 'PlatformIdentifier') ?? 'notebook-al2-v3',
          subnetId: optString(input, 'SubnetId'),
          securityGroups: optList<string>(input, 'SecurityGroupIds'),
          kmsKeyId: optString(input, 'KmsKeyId'),
          lifecycleConfigName: optString(input, 'LifecycleConfigName'),
          acceleratorTypes: optList<string>(input, 'AcceleratorTypes'),
          defaultCodeRepository: optString(input, 'DefaultCodeRepository'),
          additionalCodeRepositories: optList<string>(input, 'AdditionalCodeRepositories'),
          minimumImdsVersion:
            optString(
              optObject(input, 'InstanceMetadataServiceConfiguration') ?? {},
              'MinimumInstanceMetadataServiceVersion',
            ) ?? '2',
        };
        state().notebooks[name] = notebook;
        transition(notebook, 'Pending', 'InService');
        return { NotebookInstanceArn: arn };
      },

      async DescribeNotebookInstance(input, ctx) {
        const name = optString(input, 'NotebookInstanceName') ?? '';
        await core.authorize(
          ctx,
          'sagemaker:DescribeNotebookInstance',
          arnOf(where(ctx), 'notebook-instance', name),
        );
        return notebookView(requireNotebook(name));
      },

      async ListNotebookInstances(input, ctx) {
        await core.authorize(ctx, 'sagemaker:ListNotebookInstances', '*');
        const contains = optString(input, 'NameContains');
        const status = optString(input, 'StatusEquals');
        const sortBy = optString(input, 'SortBy') ?? 'Name';
        const descending = optString(input, 'SortOrder') === 'Descending';
        const notebooks = Object.values(state().notebooks)
          .map((n) => settle(n))
          .filter((n): n is Notebook => n !== undefined)
          .filter((n) => !contains || n.name.toLowerCase().includes(contains.toLowerCase()))
          .filter((n) => !status || n.status === status)
          .filter((n) => inTimeWindow(n.creationTime, input, 'CreationTime'))
          .filter((n) => inTimeWindow(n.lastModifiedTime, input, 'LastModifiedTime'))
          .sort((a, b) =>
            sortBy === 'CreationTime'
              ? compareText(a.creationTime, b.creationTime)
              : sortBy === 'Status'
                ? compareText(a.status, b.status)
                : compareText(a.name, b.name),
          );
        if (descending) notebooks.reverse();
        const { slice, next } = page(notebooks, input, 100, 10);
        return {
          NotebookInstances: slice.map((n) => {
            const v = notebookView(n);
            return {
              NotebookInstanceName: v.NotebookInstanceName,
              NotebookInstanceArn: v.NotebookInstanceArn,
              NotebookInstanceStatus: v.NotebookInstanceStatus,
              Url: v.Url,
              InstanceType: v.InstanceType,
              CreationTime: v.CreationTime,
              LastModifiedTime: v.LastModifiedTime,
              NotebookInstanceLifecycleConfigName: v.NotebookInstanceLifecycleConfigName,
              DefaultCodeRepository: v.DefaultCodeRepository,
              AdditionalCodeRepositories: v.AdditionalCodeRepositories,
            };
          }),
          NextToken: next,
        };
      },

      async StopNotebookInstance(input, ctx) {
        const name = optString(input, 'NotebookInstanceName') ?? '';
        await core.authorize(
          ctx,
          'sagemaker:StopNotebookInstance',
          arnOf(where(ctx), 'notebook-instance', name),
        );
        const notebook = requireNotebook(name);
        requireStatus(notebook, ['InService'], 'Stopping');
        transition(notebook, 'Stopping', 'Stopped');
        return {};
      },

      async StartNotebookInstance(input, ctx) {
        const name = optString(input, 'NotebookInstanceName') ?? '';
        await core.authorize(
          ctx,
          'sagemaker:StartNotebookInstance',
          arnOf(where(ctx), 'notebook-instance', name),
        );
        const notebook = requireNotebook(name);
        requireStatus(notebook, ['Stopped', 'Failed'], 'Pending');
        // Starting assumes the role again: a role changed or deleted since creation fails here.
        try {
          await core.assumeRoleAsService(SERVICE_PRINCIPAL, notebook.roleArn, SESSION_NAME);
        } catch {
          notebook.status = 'Failed';
          notebook.failureReason = `SageMaker was unable to assume the role '${notebook.roleArn}'`;
          notebook.lastModifiedTime = new Date(core.now()).toISOString();
          core.store.changed();
          return {};
        }
        delete notebook.failureReason;
        transition(notebook, 'Pending', 'InService');
        return {};
      },

      async UpdateNotebookInstance(input, ctx) {
        const name = optString(input, 'NotebookInstanceName') ?? '';
        await core.authorize(
          ctx,
          'sagemaker:UpdateNotebookInstance',
          arnOf(where(ctx), 'notebook-instance', name),
        );
        const notebook = requireNotebook(name);
        requireStatus(notebook, ['Stopped', 'Failed'], 'Updating');
        const roleArn = optString(input, 'RoleArn');
        if (roleArn !== undefined) {
          await acceptRole(ctx, roleArn, 'notebook');
          notebook.roleArn = roleArn;
        }
        notebook.instanceType = optString(input, 'InstanceType') ?? notebook.instanceType;
        notebook.volumeSizeInGB = optNumber(input, 'VolumeSizeInGB') ?? notebook.volumeSizeInGB;
        notebook.rootAccess = optString(input, 'RootAccess') ?? notebook.rootAccess;
        if (input.DisassociateLifecycleConfig) delete notebook.lifecycleConfigName;
        else
          notebook.lifecycleConfigName =
            optString(input, 'LifecycleConfigName') ?? notebook.lifecycleConfigName;
        transition(notebook, 'Updating', 'Stopped');
        return {};
      },

      async DeleteNotebookInstance(input, ctx) {
        const name = optString(input, 'NotebookInstanceName') ?? '';
        await core.authorize(
          ctx,
          'sagemaker:DeleteNotebookInstance',
          arnOf(where(ctx), 'notebook-instance', name),
        );
        const notebook = requireNotebook(name);
        requireStatus(notebook, ['Stopped', 'Failed'], 'Deleting');
        transition(notebook, 'Deleting', null);
        return {};
      },

      async CreateTrainingJob(input, ctx) {
        const name = optString(input, 'TrainingJobName') ?? '';
        if (!RESOURCE_NAME.test(name)) {
          throw validation(
            `1 validation error detected: Value '${name}' at 'trainingJobName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`,
          );
        }
        const arn = arnOf(where(ctx), 'training-job', name);
        await core.authorize(ctx, 'sagemaker:CreateTrainingJob', arn);
        for (const member of [
          'AlgorithmSpecification',
          'OutputDataConfig',
          'ResourceConfig',
          'StoppingCondition',
        ]) {
          if (!optObject(input, member)) {
            throw validation(
              `1 validation error detected: Value null at '${member.charAt(0).toLowerCase()}${member.slice(1)}' failed to satisfy constraint: Member must not be null`,
            );
          }
        }
        const algorithm = optObject(input, 'AlgorithmSpecification') ?? {};
        if (!optString(algorithm, 'TrainingImage') && !optString(algorithm, 'AlgorithmName')) {
          throw validation(
            'Either TrainingImage or AlgorithmName must be specified in AlgorithmSpecification.',
          );
        }
        const output = optString(optObject(input, 'OutputDataConfig') ?? {}, 'S3OutputPath') ?? '';
        if (!/^(https|s3):\/\//.test(output)) {
          throw validation(
            `1 validation error detected: Value '${output}' at 'outputDataConfig.s3OutputPath' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(https|s3)://([^/]+)/?(.*)$`,
          );
        }
        if (has(state().jobs, name)) {
          throw new AwsError(
            'ResourceInUse',
            `Training job names must be unique within an AWS account and region, and a training job with this name already exists (${arn})`,
          );
        }
        await acceptRole(ctx, optString(input, 'RoleArn') ?? '', 'job');
        const now = new Date(core.now()).toISOString();
        const job: TrainingJob = {
          name,
          arn,
          status: 'InProgress',
          secondaryStatus: 'Starting',
          stage: 'Starting',
          request: input,
          creationTime: now,
          lastModifiedTime: now,
          transitions: [
            { Status: 'Starting', StartTime: now, StatusMessage: STATUS_MESSAGES.Starting ?? '' },
          ],
        };
        state().jobs[name] = job;
        core.store.changed();
        launch(job);
        return { TrainingJobArn: arn };
      },

      async DescribeTrainingJob(input, ctx) {
        const name = optString(input, 'TrainingJobName') ?? '';
        await core.authorize(
          ctx,
          'sagemaker:DescribeTrainingJob',
          arnOf(where(ctx), 'training-job', name),
        );
        return jobView(requireJob(name));
      },

      async ListTrainingJobs(input, ctx) {
        await core.authorize(ctx, 'sagemaker:ListTrainingJobs', '*');
        const contains = optString(input, 'NameContains');
        const status = optString(input, 'StatusEquals');
        const sortBy = optString(input, 'SortBy') ?? 'CreationTime';
        const ascending = optString(input, 'SortOrder') === 'Ascending';
        const jobs = Object.values(state().jobs)
          .filter((j) => !contains || j.name.toLowerCase().includes(contains.toLowerCase()))
          .filter((j) => !status || j.status === status)
          .filter((j) => inTimeWindow(j.creationTime, input, 'CreationTime'))
          .filter((j) => inTimeWindow(j.lastModifiedTime, input, 'LastModifiedTime'))
          .sort((a, b) =>
            sortBy === 'Name'
              ? compareText(a.name, b.name)
              : sortBy === 'Status'
                ? compareText(a.status, b.status)
                : compareText(a.creationTime, b.creationTime),
          );
        if (!ascending) jobs.reverse();
        const { slice, next } = page(jobs, input, 100, 10);
        return {
          TrainingJobSummaries: slice.map((j) => ({
            TrainingJobName: j.name,
            TrainingJobArn: j.arn,
            CreationTime: new Date(j.creationTime),
            TrainingEndTime: j.trainingEndTime ? new Date(j.trainingEndTime) : undefined,
            LastModifiedTime: new Date(j.lastModifiedTime),
            TrainingJobStatus: j.status,
            SecondaryStatus: j.secondaryStatus,
          })),
          NextToken: next,
        };
      },

      async StopTrainingJob(input, ctx) {
        const name = optString(input, 'TrainingJobName') ?? '';
        await core.authorize(
          ctx,
          'sagemaker:StopTrainingJob',
          arnOf(where(ctx), 'training-job', name),
        );
        const job = requireJob(name);
        if (job.status !== 'InProgress') {
          throw validation(
            `The request was rejected because the training job is in status ${job.status}.`,
          );
        }
        job.status = 'Stopping';
        setSecondary(job, 'Stopping');
        launch(job);
        core.background.wake(workerKey(job.name));
        return {};
      },
    },
  };
}

function regionOf(job: TrainingJob): string {
  return job.arn.split(':')[3] ?? 'us-east-1';
}

/** Whole seconds between the start of training and its end (at least 1, as AWS bills). */
function billableSeconds(job: TrainingJob, now: number): number {
  const start = Date.parse(job.trainingStartTime ?? job.creationTime);
  const end = job.trainingEndTime ? Date.parse(job.trainingEndTime) : now;
  return Math.max(1, Math.round((end - start) / 1000));
}

function inTimeWindow(
  iso: string,
  input: Input,
  field: 'CreationTime' | 'LastModifiedTime',
): boolean {
  const at = Date.parse(iso);
  const after = input[`${field}After`];
  const before = input[`${field}Before`];
  if (after instanceof Date && at <= after.getTime()) return false;
  if (before instanceof Date && at >= before.getTime()) return false;
  return true;
}
