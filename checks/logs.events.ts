import * as z from 'zod';
import { defineCheckSpec, type CheckContext, type CheckOutcome, type CheckType } from './define.js';
import { isAwsError } from './support/aws-error.js';
import {
  compileLogFilter,
  filterPatternProblem,
  type MessageMatcher,
} from './support/log-filter.js';
import { failed, failedForGood, inProgress, passed } from './support/outcome.js';
import { callTarget, onTarget } from './support/target.js';
import { roleName } from './fragments.js';
import {
  beforeAttemptNote,
  describeChoice,
  findTrainingJob,
  RUNNING_STATES,
  unjudgedIfNeverRan,
  type FoundTrainingJob,
} from './sagemaker/training-jobs.js';

export const logsEvents = defineCheckSpec({
  type: 'logs.events',
  summary:
    "A CloudWatch Logs group holds events (optionally in matching streams or a training job's, matching a filter pattern).",
  docs: {
    judges:
      'Looks in a CloudWatch Logs group, in the streams whose names start with `streamPrefix` (or those of a training job: the one the lab names, else the newest run with the role), for at least `minEvents` events, matching the filter `pattern` when one is given. While that job runs it waits; a job that ended without logs fails at once. A missing group or stream says what should have written it. A job Completed without running (moto_server) leaves it unjudged: an error that names what the target lacks.',
    calls: ['logs:DescribeLogStreams', 'logs:FilterLogEvents'],
    example: {
      logGroup: '/aws/sagemaker/TrainingJobs',
      streamPrefix: '${trainingJob}/',
      minEvents: 1,
    },
  },
  with: z
    .strictObject({
      logGroup: z.string().min(1).describe('e.g. /aws/sagemaker/TrainingJobs'),
      streamPrefix: z.string().optional().describe('Only streams whose name starts with this'),
      trainingJob: z
        .strictObject({
          name: z
            .string()
            .min(1)
            .optional()
            .describe('The job the lab names, judged when it exists'),
          role: roleName.optional().describe('Else the newest job run with this execution role'),
        })
        .refine((job) => job.name || job.role, { message: 'give name or role' })
        .optional()
        .describe(
          "Only this training job's streams (<job>/...): while it runs, the check waits for its logs",
        ),
      pattern: z
        .string()
        .optional()
        .superRefine((pattern, ctx) => {
          const problem = pattern === undefined ? undefined : filterPatternProblem(pattern);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        })
        .describe(
          'A CloudWatch Logs filter pattern of terms, e.g. "Training seconds", ERROR, ?WARN, -DEBUG',
        ),
      minEvents: z.number().int().min(1).default(1),
    })
    .refine((w) => !(w.streamPrefix && w.trainingJob), {
      message: "give streamPrefix or trainingJob, not both: a training job's streams are <job>/...",
    }),
});

type LogEvent = { logStreamName?: string; message?: string; timestamp?: number };

interface FilterLogEventsOutput {
  events?: LogEvent[];
  nextToken?: string;
}

interface DescribeLogStreamsOutput {
  logStreams?: { logStreamName?: string }[];
  nextToken?: string;
}

type Input = z.output<typeof logsEvents.with>;

/** Pages to read before concluding there are too few events. */
const MAX_PAGES = 5;
/** FilterLogEvents takes at most 100 stream names. */
const STREAMS_PER_CALL = 100;

/** What one search found: the events that match the check's filters, and those the target sent besides. */
interface Search {
  events: LogEvent[];
  /** Events the target returned that are outside the stream prefix or the pattern. */
  outside: number;
  /** Some of the stream prefix was ignored by the target. */
  prefixIgnored: boolean;
  /** Pages were left unread. */
  truncated: boolean;
}

/**
 * Pages of FilterLogEvents, each event re-checked here against the stream prefix and the pattern:
 * moto ignores logStreamNamePrefix, and would otherwise pass the check on another job's logs.
 */
async function search(
  ctx: CheckContext,
  input: Input,
  matches: MessageMatcher,
  found: Search,
  scope: { logStreamNamePrefix: string } | { logStreamNames: string[] },
): Promise<void> {
  const wanted = (e: LogEvent) =>
    (e.logStreamName ?? '').startsWith(input.streamPrefix ?? '') &&
    ('logStreamNames' in scope ? scope.logStreamNames.includes(e.logStreamName ?? '') : true);
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await callTarget<FilterLogEventsOutput>(ctx, 'logs', 'FilterLogEvents', {
      logGroupName: input.logGroup,
      ...('logStreamNames' in scope
        ? { logStreamNames: scope.logStreamNames }
        : scope.logStreamNamePrefix
          ? { logStreamNamePrefix: scope.logStreamNamePrefix }
          : {}),
      ...(input.pattern ? { filterPattern: input.pattern } : {}),
      ...(ctx.since ? { startTime: ctx.since.getTime() } : {}),
      ...(token ? { nextToken: token } : {}),
    });
    for (const event of page.events ?? []) {
      // Events from before the attempt began are a previous attempt's (the target may ignore startTime).
      if (ctx.since && (event.timestamp ?? 0) < ctx.since.getTime()) {
        found.outside++;
        continue;
      }
      const inStream = wanted(event);
      if (inStream && matches(event.message ?? '')) found.events.push(event);
      else found.outside++;
      if (!inStream) found.prefixIgnored = true;
    }
    token = page.nextToken;
    pages++;
  } while (token && found.events.length < input.minEvents && pages < MAX_PAGES);
  found.truncated = !!token;
}

/** The streams starting with the prefix, re-checked here too. */
async function streamsWithPrefix(ctx: CheckContext, input: Input): Promise<string[]> {
  const prefix = input.streamPrefix ?? '';
  const names: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await callTarget<DescribeLogStreamsOutput>(ctx, 'logs', 'DescribeLogStreams', {
      logGroupName: input.logGroup,
      logStreamNamePrefix: prefix,
      ...(token ? { nextToken: token } : {}),
    });
    for (const stream of page.logStreams ?? []) {
      const name = stream.logStreamName ?? '';
      if (name.startsWith(prefix)) names.push(name);
    }
    token = page.nextToken;
    pages++;
  } while (token && pages < MAX_PAGES);
  return names;
}

async function findEvents(ctx: CheckContext, input: Input): Promise<Search> {
  const matches = compileLogFilter(input.pattern);
  const found: Search = { events: [], outside: 0, prefixIgnored: false, truncated: false };
  await search(ctx, input, matches, found, { logStreamNamePrefix: input.streamPrefix ?? '' });
  if (!found.prefixIgnored || !found.truncated || found.events.length >= input.minEvents) {
    return found;
  }
  // The target ignored the prefix and other streams' events filled the pages: search the
  // streams the prefix names, by name.
  const retry: Search = {
    events: [],
    outside: found.outside,
    prefixIgnored: true,
    truncated: false,
  };
  const names = await streamsWithPrefix(ctx, input);
  for (
    let i = 0;
    i < names.length && retry.events.length < input.minEvents;
    i += STREAMS_PER_CALL
  ) {
    await search(ctx, input, matches, retry, {
      logStreamNames: names.slice(i, i + STREAMS_PER_CALL),
    });
  }
  return retry;
}

/** The training job whose logs are judged, and the input narrowed to its streams. */
async function jobScope(
  ctx: CheckContext,
  input: Input,
): Promise<{ input: Input; job?: FoundTrainingJob }> {
  if (!input.trainingJob) return { input };
  const job = await findTrainingJob(ctx, input.trainingJob);
  const name = job.job?.TrainingJobName;
  return name ? { input: { ...input, streamPrefix: `${name}/` }, job } : { input, job };
}

export const logsEventsCheck: CheckType<typeof logsEvents.with> = onTarget({
  ...logsEvents,
  async run(original, ctx) {
    const scoped = await jobScope(ctx, original);
    const outcome = await judgeEvents(ctx, scoped);
    // A job that never ran (moto_server) wrote no logs, whatever its role may do.
    return unjudgedIfNeverRan(scoped.job?.job, outcome);
  },
});

async function judgeEvents(
  ctx: CheckContext,
  { input, job }: { input: Input; job?: FoundTrainingJob },
): Promise<CheckOutcome> {
  if (job && !job.job) {
    return failed(
      `found no ${job.lookedFor} in ${ctx.target.region}, so no logs of it: run the training job first${beforeAttemptNote(job, ctx.since)}`,
      { logGroup: input.logGroup, trainingJob: input.trainingJob },
    );
  }
  const status = job?.job?.TrainingJobStatus;
  const which = job && input.trainingJob ? describeChoice(job, input.trainingJob) : '';
  let found: Search;
  try {
    found = await findEvents(ctx, input);
  } catch (error) {
    if (isAwsError(error, 'ResourceNotFound')) {
      if (status && RUNNING_STATES.includes(status)) {
        return inProgress(
          `no log group named ${input.logGroup} yet: ${which} is still ${status}`,
          { what: `logs of training job ${job!.job!.TrainingJobName}`, state: status },
          { logGroup: input.logGroup },
        );
      }
      if (status) {
        return failedForGood(
          `no log group named ${input.logGroup}, and ${which} is ${status}: it ended without writing any logs (usually because its role may not write to CloudWatch Logs: logs:CreateLogStream and logs:PutLogEvents), and logs are never written after the fact`,
          { logGroup: input.logGroup, jobStatus: status },
        );
      }
      return failed(
        `no log group named ${input.logGroup}: nothing has written logs there yet. A training job writes them as its role, so the job must have run, and the role needs logs:CreateLogStream and logs:PutLogEvents`,
        { logGroup: input.logGroup },
      );
    }
    throw error;
  }
  const { events } = found;
  const streams = [...new Set(events.map((e) => e.logStreamName ?? ''))];
  const evidence = {
    logGroup: input.logGroup,
    ...(input.streamPrefix ? { streamPrefix: input.streamPrefix } : {}),
    ...(input.pattern ? { pattern: input.pattern } : {}),
    events: events.length,
    streams: streams.slice(0, 10),
    sample: events.slice(0, 3).map((e) => e.message?.slice(0, 200)),
    ...(found.outside ? { outsideFilter: found.outside } : {}),
  };
  const scope = [
    input.streamPrefix ? `streams starting ${input.streamPrefix}` : '',
    input.pattern ? `matching "${input.pattern}"` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const where = `${input.logGroup}${scope ? ` (${scope})` : ''}`;
  // Events the target sent although they are outside the filter are not the student's work.
  const besides = found.outside
    ? ` (the target also returned ${found.outside} event(s) outside the filter, which do not count)`
    : '';
  if (events.length < input.minEvents && status && RUNNING_STATES.includes(status)) {
    // The job writes its logs as it runs: they may still come.
    return inProgress(
      `${events.length} log event(s) in ${where} so far: ${which} is still ${status}`,
      { what: `logs of training job ${job!.job!.TrainingJobName}`, state: status },
      { ...evidence, jobStatus: status },
    );
  }
  if (events.length < input.minEvents && status) {
    // Logs are never written after the fact: a job that ended without them will not get them.
    return failedForGood(
      `${events.length === 0 ? 'no' : `only ${events.length}`} log event(s) in ${where}, and ${which} is ${status}: it ended without writing ${events.length === 0 ? 'any logs' : 'enough logs'} (usually because its role may not write to CloudWatch Logs), and logs are never written after the fact${besides}`,
      { ...evidence, jobStatus: status },
    );
  }
  if (events.length < input.minEvents) {
    return failed(
      events.length === 0
        ? `no log events in ${where}: the job wrote nothing there, usually because its role may not write to CloudWatch Logs${besides}`
        : `${events.length} log event(s) in ${where}; at least ${input.minEvents} expected${besides}`,
      evidence,
    );
  }
  return passed(
    `${events.length}${found.truncated ? '+' : ''} log event(s) in ${where}, in ${streams.length} stream(s)${which ? `, from ${which}` : ''}`,
    evidence,
  );
}
