import { firstLine } from '../../aws/errors.js';
import { forgetOnSandbox } from '../../aws/sandbox-forget.js';
import type { TargetInfo } from '../../aws/target.js';
import type { RetryBound } from '../backoff.js';
import type { BoundAction } from '../bound-lab.js';
import type { ActionResult } from '../events.js';
import {
  attemptJobs,
  CannotStopJob,
  deleteJobLogs,
  stopJob,
  TRAINING_LOG_GROUP,
  type TrainingJob,
} from './attempt-jobs.js';
import { isNotFound, waitUntil, type Call, type CleanupContext } from './cleanup-context.js';
import { DELETIONS, type Deletion, type Presence } from './deletions.js';

/**
 * `labwright reset`: the lab's cleanup actions, each deletion preceded by what AWS demands
 * first (src/engine/cleanup/deletions.ts) and followed by a look at whether the thing is
 * really gone; then the attempt's training jobs (stopped first, so they write nothing more),
 * their logs, and on the sandbox the jobs themselves and the CloudTrail events of the attempt,
 * which AWS cannot delete. The report says what was deleted and what was left, and why.
 */

export interface CleanupItem {
  /** "role", "training job", "log stream", "CloudTrail events". */
  kind: string;
  name: string;
  outcome: 'deleted' | 'already-gone' | 'left';
  /** What was done first ("detached 3 policies"), or why it was left. */
  detail?: string;
  /** Left although reset should have deleted it: reset failed. */
  unexpected?: boolean;
}

export interface CleanupReport {
  actions: ActionResult[];
  items: CleanupItem[];
  /** Every action that is not a checked deletion ran, and nothing reset should delete is left. */
  ok: boolean;
}

export interface CleanupOptions {
  actions: readonly BoundAction[];
  /** The lab's steps' actions: the training jobs they create are the attempt's too. */
  created: readonly BoundAction[];
  /**
   * Runs cleanup action `index` (its events go to the caller's listener), `before` once it has
   * started.
   */
  runAction(
    action: BoundAction,
    index: number,
    before?: () => Promise<void>,
  ): Promise<ActionResult>;
  /** Says a line under the action running (`index`), or, without one, on its own. */
  say(line: string, index?: number): void;
  call: Call;
  target: TargetInfo;
  signal?: AbortSignal;
}

/** How long reset waits for a state (a notebook to stop, a job to end): AWS takes minutes. */
function waitBound(target: TargetInfo): RetryBound {
  return target.kind === 'aws'
    ? { timeoutSeconds: 900, intervalSeconds: 5 }
    : { timeoutSeconds: 120, intervalSeconds: 0.2 };
}

const reason = (error: unknown) =>
  firstLine((error as Error)?.message ?? String(error)) || String(error);

export async function runCleanup(options: CleanupOptions): Promise<CleanupReport> {
  const { target } = options;
  const context = (index?: number): CleanupContext => ({
    call: options.call,
    target,
    say: (line) => options.say(line, index),
    bound: waitBound(target),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const items: CleanupItem[] = [];
  const actions: ActionResult[] = [];
  let failedActions = 0;
  /** ARNs of what the cleanup deletes: the sandbox forgets the events that name them. */
  const arns: string[] = [];

  const awsInputs = [...options.created, ...options.actions].flatMap((action) =>
    'aws' in action ? [{ aws: action.aws, input: action.input as Record<string, unknown> }] : [],
  );
  const jobNames = [
    ...new Set(
      awsInputs.flatMap(({ input }) =>
        typeof input.TrainingJobName === 'string' ? [input.TrainingJobName] : [],
      ),
    ),
  ];
  const roleNames = new Set(
    awsInputs.flatMap(({ aws, input }) =>
      aws === 'iam:DeleteRole' && typeof input.RoleName === 'string' ? [input.RoleName] : [],
    ),
  );

  // First the attempt's training jobs stop, so that nothing writes logs while reset deletes.
  let jobs: TrainingJob[] = [];
  /** What was done to each job first (stopped it), for the report. */
  const stopped = new Map<string, string[]>();
  try {
    jobs =
      jobNames.length || roleNames.size ? await attemptJobs(context(), jobNames, roleNames) : [];
    for (const job of jobs) {
      try {
        stopped.set(job.name, await stopJob(context(), job));
      } catch (error) {
        // A target without StopTrainingJob: a limit of the target, said, not a failed reset.
        if (!(error instanceof CannotStopJob)) throw error;
        items.push({
          kind: 'training job',
          name: job.name,
          outcome: 'left',
          detail: error.message,
        });
      }
    }
  } catch (error) {
    items.push({
      kind: 'training jobs',
      name: [...jobNames, ...roleNames].join(', '),
      outcome: 'left',
      detail: `could not look them up or stop them: ${reason(error)}`,
      unexpected: true,
    });
  }

  for (const [index, action] of options.actions.entries()) {
    if (options.signal?.aborted) break;
    const deletion = 'aws' in action && !action.problem ? DELETIONS[action.aws] : undefined;
    if (!deletion || !('aws' in action)) {
      const result = await options.runAction(action, index);
      actions.push(result);
      if (result.status === 'failed') failedActions++;
      continue;
    }
    const input = action.input as Record<string, unknown>;
    arns.push(deletion.arn(input, target));
    const { item, result } = await deleteChecked(deletion, input, context(index), (before) =>
      options.runAction(action, index, before),
    );
    actions.push(result);
    items.push(item);
  }

  for (const job of jobs) {
    try {
      for (const stream of await deleteJobLogs(context(), job)) {
        items.push({
          kind: 'log stream',
          name: `${TRAINING_LOG_GROUP} ${stream}`,
          outcome: 'deleted',
        });
      }
    } catch (error) {
      items.push({
        kind: 'log streams',
        name: `${TRAINING_LOG_GROUP} ${job.name}/`,
        outcome: 'left',
        detail: reason(error),
        unexpected: true,
      });
    }
  }

  for (const item of await forgetAttempt(options, jobs, arns)) {
    const first = item.kind === 'training job' ? (stopped.get(item.name) ?? []) : [];
    items.push(
      first.length
        ? { ...item, detail: `first ${first.join(', ')}${item.detail ? `; ${item.detail}` : ''}` }
        : item,
    );
  }
  return {
    actions,
    items,
    ok: failedActions === 0 && !items.some((item) => item.unexpected),
  };
}

/** One deletion: what AWS demands first, the action, then whether the thing is really gone. */
async function deleteChecked(
  deletion: Deletion,
  input: Record<string, unknown>,
  ctx: CleanupContext,
  run: (before: () => Promise<void>) => Promise<ActionResult>,
): Promise<{ item: CleanupItem; result: ActionResult }> {
  const name = deletion.name(input);
  let first: string[] = [];
  const result = await run(async () => {
    try {
      first = (await deletion.before?.(ctx, input)) ?? [];
    } catch (error) {
      // Already gone is fine; anything else the delete meets too, and the report says it.
      if (!isNotFound(error)) ctx.say(`could not do first what it needs: ${reason(error)}`);
    }
  });
  let presence: Presence;
  try {
    presence = await deletion.presence(ctx, input);
    if (presence === 'deleting') {
      const waited = await waitUntil(
        ctx,
        () => deletion.presence(ctx, input),
        (p) => p !== 'deleting',
      );
      presence = waited.value;
    }
  } catch (error) {
    const item: CleanupItem = {
      kind: deletion.kind,
      name,
      outcome: 'left',
      detail: `could not tell whether it is gone: ${reason(error)}`,
      unexpected: true,
    };
    return { item, result };
  }
  const detail = first.length ? `first ${first.join(', ')}` : undefined;
  const with_ = (item: CleanupItem): CleanupItem => (detail ? { ...item, detail } : item);
  if (presence === 'gone') {
    const deleted = result.status === 'done' || first.length > 0;
    return {
      item: with_({ kind: deletion.kind, name, outcome: deleted ? 'deleted' : 'already-gone' }),
      result,
    };
  }
  if (presence === 'deleting') {
    return {
      item: {
        kind: deletion.kind,
        name,
        outcome: 'deleted',
        detail: 'still Deleting: the target finishes it',
      },
      result,
    };
  }
  return {
    item: {
      kind: deletion.kind,
      name,
      outcome: 'left',
      detail:
        result.status === 'failed' ? result.message : `the target still has it (${result.message})`,
      unexpected: true,
    },
    result,
  };
}

/**
 * What AWS cannot delete: the training jobs and the CloudTrail events of the attempt. The
 * sandbox forgets them (a journaled Forget); elsewhere the report says they remain, and why
 * that is fine: the checks count only what the new attempt does.
 */
async function forgetAttempt(
  options: CleanupOptions,
  jobs: readonly TrainingJob[],
  arns: readonly string[],
): Promise<CleanupItem[]> {
  const { target } = options;
  // A lab whose cleanup deletes nothing on AWS (shell only) has no attempt records to speak of.
  if (jobs.length === 0 && arns.length === 0) return [];
  if (target.kind !== 'sandbox' || !target.endpoint) {
    const where = target.kind === 'aws' ? 'AWS' : 'The target';
    return [
      ...jobs.map((job): CleanupItem => ({
        kind: 'training job',
        name: job.name,
        outcome: 'left',
        detail: `${where} cannot delete training jobs: its record remains, and the checks count only the new attempt's`,
      })),
      {
        kind: 'CloudTrail events',
        name: 'of the attempt',
        outcome: 'left',
        detail: `${where === 'AWS' ? 'CloudTrail keeps its event history for 90 days' : 'The target keeps its event history'} and nothing deletes it: the checks count only the new attempt's events`,
      },
    ];
  }
  const resources = [...jobs.map((job) => job.arn), ...arns];
  try {
    const { forgotten, events } = await forgetOnSandbox(target.endpoint, resources, options.signal);
    const gone = new Set(forgotten);
    return [
      ...jobs.map((job): CleanupItem =>
        gone.has(job.arn)
          ? {
              kind: 'training job',
              name: job.name,
              outcome: 'deleted',
              detail: 'the sandbox can, where AWS cannot',
            }
          : {
              kind: 'training job',
              name: job.name,
              outcome: 'left',
              detail: 'the sandbox did not have it',
              unexpected: true,
            },
      ),
      {
        kind: 'CloudTrail events',
        name: `${events} naming the lab's resources or made as its roles`,
        outcome: 'deleted',
      },
    ];
  } catch (error) {
    return [
      {
        kind: 'training jobs and CloudTrail events',
        name: 'of the attempt',
        outcome: 'left',
        detail: reason(error),
        unexpected: true,
      },
    ];
  }
}
