import * as z from 'zod';
import { defineCheckSpec, type CheckType } from './define.js';
import { isAwsError } from './support/aws-error.js';
import { failed, passed } from './support/outcome.js';

export const logsEvents = defineCheckSpec({
  type: 'logs.events',
  summary:
    'A CloudWatch Logs group holds events (optionally in matching streams, matching a filter pattern).',
  with: z.strictObject({
    logGroup: z.string().min(1).describe('e.g. /aws/sagemaker/TrainingJobs'),
    streamPrefix: z.string().optional().describe('Only streams whose name starts with this'),
    pattern: z
      .string()
      .optional()
      .describe('A CloudWatch Logs filter pattern, e.g. "Training seconds"'),
    minEvents: z.number().int().min(1).default(1),
  }),
});

interface FilterLogEventsOutput {
  events?: { logStreamName?: string; message?: string; timestamp?: number }[];
  nextToken?: string;
}

/** Pages to read before concluding there are too few events. */
const MAX_PAGES = 5;

export const logsEventsCheck: CheckType<typeof logsEvents.with> = {
  ...logsEvents,
  async run(input, ctx) {
    const events: NonNullable<FilterLogEventsOutput['events']> = [];
    let token: string | undefined;
    let pages = 0;
    try {
      do {
        const page = await ctx.call<FilterLogEventsOutput>('logs', 'FilterLogEvents', {
          logGroupName: input.logGroup,
          ...(input.streamPrefix ? { logStreamNamePrefix: input.streamPrefix } : {}),
          ...(input.pattern ? { filterPattern: input.pattern } : {}),
          ...(token ? { nextToken: token } : {}),
        });
        events.push(...(page.events ?? []));
        token = page.nextToken;
        pages++;
      } while (token && events.length < input.minEvents && pages < MAX_PAGES);
    } catch (error) {
      if (isAwsError(error, 'ResourceNotFound')) {
        return failed(
          `no log group named ${input.logGroup}: nothing has written logs there yet. A training job writes them as its role, so the job must have run, and the role needs logs:CreateLogStream and logs:PutLogEvents`,
          { logGroup: input.logGroup },
        );
      }
      throw error;
    }
    const streams = [...new Set(events.map((e) => e.logStreamName ?? ''))];
    const evidence = {
      logGroup: input.logGroup,
      ...(input.streamPrefix ? { streamPrefix: input.streamPrefix } : {}),
      ...(input.pattern ? { pattern: input.pattern } : {}),
      events: events.length,
      streams: streams.slice(0, 10),
      sample: events.slice(0, 3).map((e) => e.message?.slice(0, 200)),
    };
    const scope = [
      input.streamPrefix ? `streams starting ${input.streamPrefix}` : '',
      input.pattern ? `matching "${input.pattern}"` : '',
    ]
      .filter(Boolean)
      .join(', ');
    const where = `${input.logGroup}${scope ? ` (${scope})` : ''}`;
    if (events.length < input.minEvents) {
      return failed(
        events.length === 0
          ? `no log events in ${where}: the job wrote nothing there, usually because its role may not write to CloudWatch Logs`
          : `${events.length} log event(s) in ${where}; at least ${input.minEvents} expected`,
        evidence,
      );
    }
    return passed(
      `${events.length}${token ? '+' : ''} log event(s) in ${where}, in ${streams.length} stream(s)`,
      evidence,
    );
  },
};
