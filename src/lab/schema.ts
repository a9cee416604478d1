import * as z from 'zod';

/**
 * The lab format. A lab file is data, never code: this schema is the truth, and
 * labs/lab.schema.json is generated from it for editors. Check `with` blocks are
 * validated separately by each check type's own schema (see checks/).
 */

const id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'a lowercase id of letters, digits and hyphens, like create-role');

/** `{ file: path }`: a JSON or YAML document from the lab folder. */
export const fileRef = z.strictObject({
  file: z
    .string()
    .min(1)
    .describe('A JSON or YAML file in the lab folder, e.g. files/trust-policy.json'),
});
export type FileRef = z.infer<typeof fileRef>;

const varDefinition = z.union([
  z.string(),
  z.strictObject({
    default: z.string(),
    description: z.string().optional(),
  }),
]);

const retry = z.strictObject({
  timeoutSeconds: z.number().min(0).max(900).describe('Give up polling after this long'),
  intervalSeconds: z.number().min(0.05).max(60).default(1).describe('First wait; doubles up to 8x'),
});

const billable = z.strictObject({
  resource: z.string().min(1).describe('What is billed, e.g. "ml.t2.medium notebook instance"'),
  usdPerHour: z.number().min(0),
});

const actionBase = {
  id: id
    .optional()
    .describe(
      'Names the action, so later actions and checks can use its response: ${actions.<id>.<JMESPath>}',
    ),
  title: z.string().min(1).describe('What the action does, in a few words'),
  cli: z.string().optional().describe('The equivalent command a student can run by hand'),
  billable: billable.optional().describe('Confirmed before running on real AWS'),
  solveOnly: z
    .boolean()
    .default(false)
    .describe(
      'Run by `labwright solve`, never offered in the TUI: the fix a step asks the student to find (hints lead there)',
    ),
};

export const awsAction = z.strictObject({
  ...actionBase,
  aws: z
    .string()
    .regex(/^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$/, 'service:Operation, e.g. iam:CreateRole')
    .describe('An AWS SDK v3 operation, service:Operation'),
  input: z
    .record(z.string(), z.unknown())
    .default({})
    .describe('The operation input; { file: path } loads a document'),
  ignoreErrors: z
    .array(z.string())
    .default([])
    .describe('Error codes that mean "already done", e.g. EntityAlreadyExists'),
  retry: retry
    .optional()
    .describe(
      'Retry a failing call up to this bound: IAM changes take seconds to reach other services',
    ),
});

export const shellAction = z.strictObject({
  ...actionBase,
  shell: z.string().min(1).describe("A bash command, run with the target's AWS environment"),
});

export const manualAction = z.strictObject({
  ...actionBase,
  manual: z.string().min(1).describe('Markdown: what the student does by hand (console, notebook)'),
});

export const waitAction = z.strictObject({
  ...actionBase,
  wait: z
    .string()
    .regex(
      /^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$/,
      'service:Waiter, e.g. sagemaker:TrainingJobCompletedOrStopped',
    )
    .describe("Wait with one of the AWS SDK's waiters, service:Waiter"),
  input: z
    .record(z.string(), z.unknown())
    .default({})
    .describe("The waiter's input: the operation it polls, e.g. { TrainingJobName: ... }"),
  timeoutSeconds: z
    .number()
    .min(1)
    .max(3600)
    .default(300)
    .describe('Fail the action when the wait has not ended after this long'),
});

export const action = z.union([awsAction, shellAction, manualAction, waitAction]);

export const check = z.strictObject({
  id,
  title: z.string().min(1).optional().describe('What is checked, in a few words'),
  type: z.string().min(1).describe('A check type, e.g. iam.role.exists'),
  with: z.record(z.string(), z.unknown()).default({}),
  points: z.number().int().min(0).default(0),
  optional: z.boolean().default(false).describe('Optional checks do not decide pass or fail'),
  hints: z
    .array(z.string().min(1))
    .default([])
    .describe('Given one at a time, from a nudge to the answer'),
  retry: retry.optional().describe("Poll for eventual consistency; defaults to the lab's retry"),
  passesFresh: z
    .boolean()
    .default(false)
    .describe(
      'This check passes on an account where nothing was done yet (e.g. who am I): `labwright test` does not expect it to fail there',
    ),
  needs: z
    .array(id)
    .default([])
    .describe(
      'Checks (of this step or an earlier one) this one builds on: when one does not pass, this one is skipped',
    ),
});

export const step = z.strictObject({
  id,
  title: z.string().min(1),
  optional: z.boolean().default(false),
  instructions: z.string().default('').describe('Markdown, rendered in the terminal'),
  actions: z.array(action).default([]),
  checks: z.array(check).default([]),
});

/** What a declared mistake must trigger: a check that fails, saying something that helps. */
export const mistakeExpectation = z.strictObject({
  check: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9-]*(\/[a-z0-9][a-z0-9-]*)?$/,
      'a check id, or step-id/check-id when two steps have a check of that id',
    )
    .describe('The check that must fail: check-id, or step-id/check-id'),
  matches: z
    .string()
    .min(1)
    .optional()
    .describe(
      'A regular expression its message or hint must match: what the student needs to read',
    ),
});

/**
 * A typical wrong solution, for `labwright test`: the lab's reference actions run up to the
 * mistaken step, whose actions are replaced by (or followed by) the mistake's, and each
 * expected check must then fail with a message or hint that matches.
 */
export const mistake = z.strictObject({
  id,
  description: z.string().min(1).describe('The mistake, as a student would make it'),
  step: id.describe('The step in which the mistake is made'),
  mode: z
    .enum(['instead', 'after'])
    .default('instead')
    .describe("instead: replaces the step's reference actions; after: runs after them"),
  actions: z.array(action).default([]).describe('The actions that make the mistake'),
  expect: z
    .array(mistakeExpectation)
    .min(1)
    .describe('Each listed check must fail, its message or hint matching'),
  cleanup: z
    .array(awsAction.or(shellAction))
    .default([])
    .describe("Deletes what the mistake made and the lab's cleanup does not (run before it)"),
});

export const lab = z.strictObject({
  $schema: z.string().optional(),
  id,
  title: z.string().min(1),
  version: z.union([z.string(), z.number()]).transform(String).default('1'),
  summary: z.string().optional(),
  estimatedMinutes: z.number().int().positive().optional(),
  vars: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a variable name'), varDefinition)
    .default({}),
  retry: retry.default({ timeoutSeconds: 30, intervalSeconds: 1 }),
  cleanup: z
    .array(awsAction.or(shellAction))
    .default([])
    .describe('What `labwright reset` runs, in order, to delete what the lab created'),
  steps: z.array(step).min(1),
  mistakes: z
    .array(mistake)
    .default([])
    .describe('Typical wrong solutions that `labwright test` proves the checks catch'),
});

export type Lab = z.output<typeof lab>;
export type Step = z.output<typeof step>;
export type Check = z.output<typeof check>;
export type Action = z.output<typeof action>;
export type AwsAction = z.output<typeof awsAction>;
export type ShellAction = z.output<typeof shellAction>;
export type ManualAction = z.output<typeof manualAction>;
export type WaitAction = z.output<typeof waitAction>;
export type Retry = z.output<typeof retry>;
export type Mistake = z.output<typeof mistake>;
export type MistakeExpectation = z.output<typeof mistakeExpectation>;
