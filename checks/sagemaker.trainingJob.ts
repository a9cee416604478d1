import * as z from 'zod';
import type { CheckContext } from './define.js';
import { defineCheckSpec, type CheckType } from './define.js';
import { roleNameOf, sameRole } from './iam/role-ref.js';
import { isAwsError } from './support/aws-error.js';
import { failed, passed } from './support/outcome.js';
import { callTarget, onTarget } from './support/target.js';
import { roleName } from './fragments.js';

const trainingStatus = z.enum(['InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped']);

export const sagemakerTrainingJob = defineCheckSpec({
  type: 'sagemaker.trainingJob',
  summary:
    'A training job (by name, or the latest one run with the role) reached one of the given states.',
  docs: {
    judges:
      "Finds a training job by exact name, or the latest one whose name starts with `namePrefix` or that ran with `role`, and expects one of the `status` states (Completed by default). A failed job's FailureReason is the message.",
    calls: ['sagemaker:DescribeTrainingJob', 'sagemaker:ListTrainingJobs'],
    example: { name: '${trainingJob}', status: ['Completed'] },
  },
  with: z
    .strictObject({
      name: z.string().min(1).optional().describe('Exact job name'),
      namePrefix: z.string().min(1).optional().describe('Latest job whose name starts with this'),
      role: roleName.optional().describe('Latest job run with this execution role'),
      status: z.array(trainingStatus).default(['Completed']),
    })
    .refine((w) => w.name || w.namePrefix || w.role, {
      message: 'give name, namePrefix or role',
    }),
});

interface TrainingJobSummary {
  TrainingJobName?: string;
  CreationTime?: Date;
}
interface DescribeTrainingJobOutput {
  TrainingJobName?: string;
  TrainingJobStatus?: string;
  SecondaryStatus?: string;
  FailureReason?: string;
  RoleArn?: string;
  CreationTime?: Date;
}

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

/** The job the lab means: by name, else the latest matching the prefix and/or run with the role. */
async function findJob(
  ctx: CheckContext,
  input: { name?: string; namePrefix?: string; role?: string },
): Promise<{ job?: DescribeTrainingJobOutput; lookedFor: string }> {
  if (input.name) {
    return {
      job: await describe(ctx, input.name),
      lookedFor: `a training job named ${input.name}`,
    };
  }
  const wanted = [
    input.namePrefix ? `named ${input.namePrefix}...` : '',
    input.role ? `run with the role ${roleNameOf(input.role)}` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  const lookedFor = `a training job ${wanted}`;
  const candidates = (await recentJobs(ctx, input.namePrefix)).slice(0, RECENT_JOBS);
  for (const candidate of candidates) {
    const job = await describe(ctx, candidate.TrainingJobName ?? '');
    if (job && (!input.role || (job.RoleArn && sameRole(job.RoleArn, input.role)))) {
      return { job, lookedFor };
    }
  }
  return { lookedFor };
}

export const sagemakerTrainingJobCheck: CheckType<typeof sagemakerTrainingJob.with> = onTarget({
  ...sagemakerTrainingJob,
  async run(input, ctx) {
    const { job, lookedFor } = await findJob(ctx, input);
    if (!job) {
      return failed(`found no ${lookedFor.replace(/^a /, '')} in ${ctx.target.region}`, {
        ...input,
        region: ctx.target.region,
      });
    }
    const name = job.TrainingJobName ?? input.name ?? '';
    const status = job.TrainingJobStatus ?? 'unknown';
    const evidence = {
      name,
      status,
      secondaryStatus: job.SecondaryStatus,
      roleArn: job.RoleArn,
      ...(job.FailureReason ? { failureReason: job.FailureReason } : {}),
    };
    if (input.role && !(job.RoleArn && sameRole(job.RoleArn, input.role))) {
      return failed(
        `the training job ${name} ran with the role ${job.RoleArn ? roleNameOf(job.RoleArn) : '(none)'}, not ${roleNameOf(input.role)}`,
        evidence,
      );
    }
    if (!(input.status as string[]).includes(status)) {
      const why = job.FailureReason ? `: ${job.FailureReason}` : '';
      return failed(
        `the training job ${name} is ${status}${why}; expected ${input.status.join(' or ')}`,
        evidence,
      );
    }
    return passed(`the training job ${name} is ${status}`, evidence);
  },
});
