/**
 * Which training job a check judges. A student who ran the job under another name did the
 * step: the job the lab names is judged when it exists, otherwise the newest one that matches
 * the prefix and/or ran as the lab's role, and the message says which. On AWS (ctx.since), jobs
 * created before the student's current attempt are a previous attempt's and do not count.
 */
import type { CheckContext, CheckOutcome } from '../define.js';
import { roleNameOf, sameRole } from '../iam/role-ref.js';
import { isAwsError } from '../support/aws-error.js';
import { errored } from '../support/outcome.js';
import { callTarget } from '../support/target.js';

export interface TrainingJobSummary {
  TrainingJobName?: string;
  CreationTime?: Date;
}

export interface DescribeTrainingJobOutput {
  TrainingJobName?: string;
  TrainingJobStatus?: string;
  SecondaryStatus?: string;
  FailureReason?: string;
  RoleArn?: string;
  CreationTime?: Date;
  SecondaryStatusTransitions?: { Status?: string }[];
}

/**
 * Why a Completed job never really ran ("never ran: ..."), or undefined when it did. AWS (and the sandbox) record
 * a Training phase in the status history of every job that completed; an emulator that marks
 * a job Completed the moment it is created (moto_server) records none: the job read no data as
 * its role, wrote no logs and no model, so what it should have done cannot be judged there.
 */
export function neverTrained(job: DescribeTrainingJobOutput): string | undefined {
  const phases = job.SecondaryStatusTransitions;
  if (job.TrainingJobStatus !== 'Completed' || !phases?.length) return undefined;
  if (phases.some((phase) => phase.Status === 'Training')) return undefined;
  const history = phases.map((phase) => phase.Status ?? '?').join(', ');
  return `never ran: its status history (${history}) has no Training phase, as on moto_server, so it read no data as its role and wrote no logs and no model`;
}

/**
 * The verdict of a check on what a job should have made (its logs), unless the job never ran:
 * then what it did not find is the target's doing, and the check cannot judge (`targetLimit`).
 */
export function unjudgedIfNeverRan(
  job: DescribeTrainingJobOutput | undefined,
  outcome: CheckOutcome,
): CheckOutcome {
  const why = job && outcome.status !== 'passed' ? neverTrained(job) : undefined;
  if (!why) return outcome;
  const limit = `the training job ${job?.TrainingJobName ?? ''} ${why}`;
  // What it found (no logs) is kept as evidence, not said: its usual cause would mislead here.
  return errored(`cannot be judged on this target: ${limit}`, {
    ...outcome.evidence,
    found: outcome.message,
    targetLimit: limit,
  });
}

export interface TrainingJobQuery {
  name?: string | undefined;
  namePrefix?: string | undefined;
  role?: string | undefined;
}

export interface FoundTrainingJob {
  job?: DescribeTrainingJobOutput;
  /** How the job was chosen when it is not the named one, e.g. "the newest training job run with the role R". */
  chosenAs?: string;
  /** What was looked for, for the message when nothing was found: "training job named x, nor any run as ...". */
  lookedFor: string;
  /** Matching jobs left out because they were created before the attempt began. */
  beforeAttempt: string[];
}

/** States from which a training job still moves on: waiting for it can change a verdict. */
export const RUNNING_STATES: readonly string[] = ['InProgress', 'Stopping'];

/** How many recent jobs to look through for the one run with the role. */
const RECENT_JOBS = 20;
/** Pages of ListTrainingJobs (100 jobs each) to read before concluding. */
const MAX_PAGES = 10;

async function describe(
  ctx: CheckContext,
  name: string,
): Promise<DescribeTrainingJobOutput | undefined> {
  try {
    const job = await callTarget<DescribeTrainingJobOutput>(
      ctx,
      'sagemaker',
      'DescribeTrainingJob',
      { TrainingJobName: name },
    );
    // Another job's description is not this one's.
    return job.TrainingJobName === undefined || job.TrainingJobName === name ? job : undefined;
  } catch (error) {
    if (isAwsError(error, 'ValidationException', 'ResourceNotFound')) return undefined;
    throw error;
  }
}

/** Created in the current attempt (always, where the attempt's start is not known). */
function inAttempt(ctx: CheckContext, created: Date | undefined): boolean {
  if (!ctx.since) return true;
  return created !== undefined && new Date(created).getTime() >= ctx.since.getTime();
}

/**
 * The jobs whose names start with `namePrefix`, newest first. Every page is read (up to
 * MAX_PAGES), and names and order are checked here: moto ignores SortBy and cuts each page
 * before it applies NameContains, so its first page holds the oldest jobs, not the newest.
 */
async function recentJobs(ctx: CheckContext, namePrefix?: string): Promise<TrainingJobSummary[]> {
  const jobs: TrainingJobSummary[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await callTarget<{
      TrainingJobSummaries?: TrainingJobSummary[];
      NextToken?: string;
    }>(ctx, 'sagemaker', 'ListTrainingJobs', {
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: 100,
      ...(namePrefix ? { NameContains: namePrefix } : {}),
      ...(ctx.since ? { CreationTimeAfter: ctx.since } : {}),
      ...(token ? { NextToken: token } : {}),
    });
    jobs.push(
      ...(page.TrainingJobSummaries ?? []).filter(
        (j) => !namePrefix || (j.TrainingJobName ?? '').startsWith(namePrefix),
      ),
    );
    token = page.NextToken;
    pages++;
  } while (token && pages < MAX_PAGES);
  return jobs.sort(
    (a, b) => new Date(b.CreationTime ?? 0).getTime() - new Date(a.CreationTime ?? 0).getTime(),
  );
}

/** The job the lab means: the named one when it exists, else the newest matching the prefix and/or role. */
export async function findTrainingJob(
  ctx: CheckContext,
  query: TrainingJobQuery,
): Promise<FoundTrainingJob> {
  const beforeAttempt: string[] = [];
  if (query.name) {
    const named = await describe(ctx, query.name);
    if (named && inAttempt(ctx, named.CreationTime)) {
      return { job: named, lookedFor: `training job named ${query.name}`, beforeAttempt };
    }
    if (named) beforeAttempt.push(query.name);
  }
  const matching = [
    query.namePrefix ? `named ${query.namePrefix}...` : '',
    query.role ? `run with the role ${roleNameOf(query.role)}` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  const lookedFor = `training job ${[query.name ? `named ${query.name}` : '', matching]
    .filter(Boolean)
    .join(', nor any ')}`;
  if (!matching) return { lookedFor, beforeAttempt };
  const candidates = (await recentJobs(ctx, query.namePrefix)).slice(0, RECENT_JOBS);
  for (const candidate of candidates) {
    const name = candidate.TrainingJobName ?? '';
    if (name === query.name) continue;
    const job = await describe(ctx, name);
    if (!job || (query.role && !(job.RoleArn && sameRole(job.RoleArn, query.role)))) continue;
    // The target may ignore CreationTimeAfter: the time is checked here too.
    if (!inAttempt(ctx, job.CreationTime ?? candidate.CreationTime)) {
      beforeAttempt.push(name);
      continue;
    }
    return { job, chosenAs: `the newest training job ${matching}`, lookedFor, beforeAttempt };
  }
  return { lookedFor, beforeAttempt };
}

/** " (x was created before this attempt began, so it does not count)", or "". */
export function beforeAttemptNote(found: FoundTrainingJob, since: Date | undefined): string {
  if (!found.beforeAttempt.length || !since) return '';
  const names = found.beforeAttempt.slice(0, 3).join(', ');
  const verb = found.beforeAttempt.length === 1 ? 'was' : 'were';
  return ` (${names} ${verb} created before this attempt began at ${since.toISOString()}, so ${found.beforeAttempt.length === 1 ? 'it does' : 'they do'} not count)`;
}

/** "the training job x" or "the training job x (the newest training job run with the role R; none is named y)". */
export function describeChoice(found: FoundTrainingJob, query: TrainingJobQuery): string {
  const name = found.job?.TrainingJobName ?? query.name ?? '';
  if (!found.chosenAs) return `the training job ${name}`;
  const unnamed = query.name ? `; there is none named ${query.name}` : '';
  return `the training job ${name} (${found.chosenAs}${unnamed})`;
}
