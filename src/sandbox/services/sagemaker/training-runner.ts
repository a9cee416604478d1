/**
 * The training job runner: a worker per job in progress (src/sandbox/background.ts), resumable
 * from the stage its state records. The job assumes its execution role and reads its S3 input,
 * writes its CloudWatch logs and its model artifact through core.invoke as that role, so the
 * role's permissions decide whether it fails or leaves logs, as on AWS.
 */
import { AwsError, type Caller, type RequestContext, type SandboxCore } from '../../types.js';
import { dict, dictOf } from '../../dict.js';
import { type Input, optList, optObject, optString } from '../input.js';
import { gzipTarball } from './tarball.js';
import {
  billingLines,
  isLinearLearner,
  isXgboost,
  startupLines,
  trainingLines,
  type TrainingRun,
} from './training-logs.js';
import {
  billableSeconds,
  LOG_GROUP,
  regionOf,
  SERVICE_PRINCIPAL,
  SESSION_NAME,
  STATUS_MESSAGES,
  type Stage,
  type TrainingJob,
} from './models.js';

export interface TrainingRunner {
  /** Starts (or picks up again) the worker of a job in progress or stopping. */
  start(job: TrainingJob): void;
  /** Asks a job in progress to stop; its worker notices at its next step. */
  stop(job: TrainingJob): void;
  /** Records a new secondary status (and its transition) on a job. */
  setSecondary(job: TrainingJob, status: string, message?: string): void;
  /** Drops a job's background work for good (reset forgets the job; AWS cannot delete one). */
  cancel(job: TrainingJob): void;
}

const workerKey = (jobName: string) => `training-job/${jobName}`;

export function trainingRunner(core: SandboxCore): TrainingRunner {
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

  return {
    start: launch,
    stop(job) {
      job.status = 'Stopping';
      setSecondary(job, 'Stopping');
      launch(job);
      core.background.wake(workerKey(job.name));
    },
    cancel(job) {
      core.background.cancel(workerKey(job.name));
    },
    setSecondary,
  };
}
