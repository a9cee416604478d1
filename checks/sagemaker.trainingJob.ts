import * as z from 'zod';
import { defineCheckSpec, type CheckType } from './define.js';
import { roleNameOf, sameRole } from './iam/role-ref.js';
import { failed, failedForGood, inProgress, passed } from './support/outcome.js';
import { onTarget } from './support/target.js';
import { roleName } from './fragments.js';
import {
  beforeAttemptNote,
  describeChoice,
  findTrainingJob,
  neverTrained,
  RUNNING_STATES,
} from './sagemaker/training-jobs.js';

const trainingStatus = z.enum(['InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped']);

export const sagemakerTrainingJob = defineCheckSpec({
  type: 'sagemaker.trainingJob',
  summary:
    'A training job (by name when it exists, else the newest one matching the prefix and/or run with the role) reached one of the given states.',
  docs: {
    judges:
      'Finds the training job the lab names when it exists, else the newest one whose name starts with `namePrefix` and/or that ran with `role` (saying which it judged), and expects one of the `status` states (Completed by default). It waits while the job is InProgress or Stopping; a job that ended in another state fails at once, with its FailureReason. A job Completed with no Training phase in its status history (moto_server completes jobs without running them) passes in name only: the checks that `needs:` it cannot be judged on that target.',
    calls: ['sagemaker:DescribeTrainingJob', 'sagemaker:ListTrainingJobs'],
    example: { name: '${trainingJob}', status: ['Completed'] },
  },
  with: z
    .strictObject({
      name: z.string().min(1).optional().describe('The job the lab names, judged when it exists'),
      namePrefix: z.string().min(1).optional().describe('Latest job whose name starts with this'),
      role: roleName
        .optional()
        .describe('Latest job run with this execution role (when no job has the name)'),
      status: z.array(trainingStatus).default(['Completed']),
    })
    .refine((w) => w.name || w.namePrefix || w.role, {
      message: 'give name, namePrefix or role',
    }),
});

export const sagemakerTrainingJobCheck: CheckType<typeof sagemakerTrainingJob.with> = onTarget({
  ...sagemakerTrainingJob,
  async run(input, ctx) {
    const found = await findTrainingJob(ctx, input);
    const { job } = found;
    if (!job) {
      return failed(
        `found no ${found.lookedFor} in ${ctx.target.region}${beforeAttemptNote(found, ctx.since)}`,
        { ...input, region: ctx.target.region },
      );
    }
    const name = job.TrainingJobName ?? input.name ?? '';
    const which = describeChoice(found, input);
    const status = job.TrainingJobStatus ?? 'unknown';
    const evidence = {
      name,
      status,
      secondaryStatus: job.SecondaryStatus,
      roleArn: job.RoleArn,
      ...(found.chosenAs ? { chosenAs: found.chosenAs } : {}),
      ...(job.FailureReason ? { failureReason: job.FailureReason } : {}),
    };
    // A job's role is fixed when it is created: waiting cannot change it.
    if (input.role && !(job.RoleArn && sameRole(job.RoleArn, input.role))) {
      return failedForGood(
        `${which} ran with the role ${job.RoleArn ? roleNameOf(job.RoleArn) : '(none)'}, not ${roleNameOf(input.role)}`,
        evidence,
      );
    }
    if ((input.status as string[]).includes(status)) {
      // Passed as the target says; what builds on the job (logs, model) cannot be judged there.
      const why = neverTrained(job);
      return why
        ? passed(`${which} is ${status}, but ${why}`, {
            ...evidence,
            targetLimit: `the training job ${name} ${why}`,
          })
        : passed(`${which} is ${status}`, evidence);
    }
    const expected = `expected ${input.status.join(' or ')}`;
    if (RUNNING_STATES.includes(status)) {
      const secondary = job.SecondaryStatus ? ` (${job.SecondaryStatus})` : '';
      return inProgress(
        `${which} is still ${status}${secondary}; ${expected}`,
        {
          what: `training job ${name}`,
          state: status,
        },
        evidence,
      );
    }
    // Completed, Failed and Stopped are final: say why, and do not wait.
    const why = job.FailureReason ? `: ${job.FailureReason}` : '';
    return failedForGood(`${which} is ${status}${why}; ${expected}`, evidence);
  },
});
