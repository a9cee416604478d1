/**
 * SageMaker's resources as the sandbox keeps them (plain JSON in the service's state) and the
 * values shared by their handlers.
 */
import { dict } from '../../dict.js';
import type { RequestContext, SandboxCore } from '../../types.js';
import type { Input } from '../input.js';
import type { TrainingRun } from './training-logs.js';

export const SERVICE_PRINCIPAL = 'sagemaker.amazonaws.com';
export const SESSION_NAME = 'SageMaker';
export const LOG_GROUP = '/aws/sagemaker/TrainingJobs';

export type NotebookStatus =
  'Pending' | 'InService' | 'Stopping' | 'Stopped' | 'Failed' | 'Deleting' | 'Updating';

export interface Notebook {
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

export type Stage = 'Starting' | 'Downloading' | 'Training' | 'Uploading';

export interface Transition {
  Status: string;
  StartTime: string;
  EndTime?: string;
  StatusMessage: string;
}

export interface TrainingJob {
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

export interface SageMakerState {
  notebooks: Record<string, Notebook>;
  jobs: Record<string, TrainingJob>;
}

export const STATUS_MESSAGES: Record<string, string> = {
  Starting: 'Preparing the instances for training',
  Downloading: 'Downloading input data',
  Training: 'Training image download completed. Training in progress.',
  Uploading: 'Uploading generated training model',
  Completed: 'Training job completed',
  Failed: 'Training job failed',
  Stopping: 'Stopping the training job',
  Stopped: 'Training job stopped',
};

/** The service's state, created on first use. */
export function sagemakerState(core: SandboxCore): () => SageMakerState {
  return () =>
    core.store.get<SageMakerState>('sagemaker', () => ({ notebooks: dict(), jobs: dict() }));
}

/** SageMaker's ARNs name resources in lower case. */
export function sagemakerArn(ctx: RequestContext, kind: string, name: string): string {
  return `arn:aws:sagemaker:${ctx.region}:${ctx.caller.accountId}:${kind}/${name.toLowerCase()}`;
}

export function regionOf(job: TrainingJob): string {
  return job.arn.split(':')[3] ?? 'us-east-1';
}

/** Whole seconds between the start of training and its end (at least 1, as AWS bills). */
export function billableSeconds(job: TrainingJob, now: number): number {
  const start = Date.parse(job.trainingStartTime ?? job.creationTime);
  const end = job.trainingEndTime ? Date.parse(job.trainingEndTime) : now;
  return Math.max(1, Math.round((end - start) / 1000));
}

/** The `<field>After` / `<field>Before` filters of the List operations. */
export function inTimeWindow(
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
