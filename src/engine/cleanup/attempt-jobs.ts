import { isUnsupportedOperation } from '../../aws/errors.js';
import { forEachBounded } from '../../for-each-bounded.js';
import { unlessGone, waitUntil, type CleanupContext } from './cleanup-context.js';

/**
 * The training jobs of the attempt: those the lab's actions name (`TrainingJobName`), and
 * every job that ran as a role the cleanup deletes, whatever its name (a student who ran the
 * job again under another name, as the lab's hints suggest, made it for this lab). A job of
 * another lab runs as that lab's role and is never one of them. AWS cannot delete a training
 * job; its logs it can: they are in /aws/sagemaker/TrainingJobs, streams `<job>/...`.
 */

export interface TrainingJob {
  name: string;
  arn: string;
  status: string;
}

export const TRAINING_LOG_GROUP = '/aws/sagemaker/TrainingJobs';
const RUNNING = new Set(['InProgress', 'Stopping']);
/** How many of the newest jobs are looked at for the role's, at most (ten pages). */
const NEWEST = 1000;
/** ListTrainingJobs' largest page. */
const PAGE = 100;
/** DescribeTrainingJob calls under way at once (each job's role is only in its description). */
const DESCRIBING = 8;

async function describe(ctx: CleanupContext, name: string): Promise<TrainingJob | undefined> {
  return unlessGone<TrainingJob | undefined>(async () => {
    const out = await ctx.call('sagemaker', 'DescribeTrainingJob', { TrainingJobName: name });
    return {
      name,
      arn: String(out.TrainingJobArn ?? ''),
      status: String(out.TrainingJobStatus ?? ''),
    };
  }, undefined);
}

/** Whether `roleArn` is the role `roleName` (any path). */
function isRole(roleArn: unknown, roleNames: ReadonlySet<string>): boolean {
  return typeof roleArn === 'string' && roleNames.has(roleArn.slice(roleArn.lastIndexOf('/') + 1));
}

export async function attemptJobs(
  ctx: CleanupContext,
  names: readonly string[],
  roleNames: ReadonlySet<string>,
): Promise<TrainingJob[]> {
  const found = new Map<string, TrainingJob>();
  for (const name of names) {
    const job = await describe(ctx, name);
    if (job) found.set(name, job);
  }
  if (roleNames.size === 0) return [...found.values()];
  const others = (await newestJobNames(ctx)).filter((name) => !found.has(name));
  // Described several at a time, kept newest first.
  const described = new Array<Record<string, unknown> | undefined>(others.length);
  await forEachBounded(others, DESCRIBING, async (name, index) => {
    described[index] = await unlessGone<Record<string, unknown> | undefined>(
      () => ctx.call('sagemaker', 'DescribeTrainingJob', { TrainingJobName: name }),
      undefined,
    );
  });
  others.forEach((name, index) => {
    const out = described[index];
    if (!out || !isRole(out.RoleArn, roleNames)) return;
    found.set(name, {
      name,
      arn: String(out.TrainingJobArn ?? ''),
      status: String(out.TrainingJobStatus ?? ''),
    });
  });
  return [...found.values()];
}

/** The names of the account's newest training jobs, newest first, up to NEWEST (page by page). */
async function newestJobNames(ctx: CleanupContext): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await ctx.call('sagemaker', 'ListTrainingJobs', {
      MaxResults: PAGE,
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      ...(token ? { NextToken: token } : {}),
    });
    const summaries = (page.TrainingJobSummaries as { TrainingJobName?: string }[]) ?? [];
    for (const { TrainingJobName: name } of summaries) if (name) names.push(name);
    token = typeof page.NextToken === 'string' && page.NextToken ? page.NextToken : undefined;
  } while (token && names.length < NEWEST);
  return names.slice(0, NEWEST);
}

/**
 * The target cannot stop a training job: it lacks StopTrainingJob (moto answers it with an
 * HTML error page). The job runs on until it ends; reset says so rather than fail.
 */
export class CannotStopJob extends Error {
  override name = 'CannotStopJob';
}

/** Stops a running job and waits until it has stopped, so it writes nothing after reset. */
export async function stopJob(ctx: CleanupContext, job: TrainingJob): Promise<string[]> {
  if (!RUNNING.has(job.status)) return [];
  const done: string[] = [];
  if (job.status === 'InProgress') {
    ctx.say(`stopping training job ${job.name} (InProgress)`);
    try {
      await ctx.call('sagemaker', 'StopTrainingJob', { TrainingJobName: job.name });
      done.push('stopped it (it was InProgress)');
    } catch (error) {
      // It may have ended meanwhile (SageMaker refuses to stop a Completed job); else say why.
      const now = await describe(ctx, job.name);
      if (!now || !RUNNING.has(now.status)) return done;
      if (isUnsupportedOperation(error)) {
        throw new CannotStopJob(
          `the target cannot stop training jobs (it does not implement StopTrainingJob): it was still ${now.status}, and runs on until it ends`,
        );
      }
      throw error;
    }
  }
  const waited = await waitUntil(
    ctx,
    async () => (await describe(ctx, job.name))?.status,
    (status) => !status || !RUNNING.has(status),
  );
  if (!waited.settled) {
    throw new Error(
      `training job ${job.name} was still ${waited.value} when reset gave up waiting`,
    );
  }
  job.status = waited.value ?? job.status;
  return done;
}

/** Deletes the job's log streams; returns their names. */
export async function deleteJobLogs(ctx: CleanupContext, job: TrainingJob): Promise<string[]> {
  const deleted: string[] = [];
  // Listed again after each page is deleted: a token would point past what is gone.
  for (;;) {
    const out = await unlessGone<Record<string, unknown>>(
      () =>
        ctx.call('logs', 'DescribeLogStreams', {
          logGroupName: TRAINING_LOG_GROUP,
          logStreamNamePrefix: `${job.name}/`,
        }),
      {},
    );
    const streams = (out.logStreams as { logStreamName: string }[] | undefined) ?? [];
    if (streams.length === 0) return deleted;
    for (const { logStreamName } of streams) {
      await ctx.call('logs', 'DeleteLogStream', {
        logGroupName: TRAINING_LOG_GROUP,
        logStreamName,
      });
      deleted.push(logStreamName);
    }
  }
}
