import * as z from 'zod';
import { isServiceName } from '../src/service-names.js';
import { defineCheckSpec, type CheckType } from './define.js';
import { cliOutput } from './support/cli-output.js';
import { awsErrorCode, errorText, httpStatusOf } from './support/aws-error.js';
import { errored, failed, passed } from './support/outcome.js';
import { callTarget, onTarget } from './support/target.js';

const assertion = z
  .strictObject({
    query: z
      .string()
      .min(1)
      .describe(
        'JMESPath over the output, as `aws --query` reads it: policy documents parsed, dates in ISO 8601, bodies as text',
      ),
    equals: z.unknown().optional(),
    contains: z.unknown().optional().describe('The result (list or string) contains this'),
    matches: z.string().optional().describe('A regular expression the result must match'),
    exists: z.boolean().optional().describe('The result is (or is not) null/empty'),
    minLength: z.number().int().min(0).optional(),
  })
  .refine((a) => ['equals', 'contains', 'matches', 'exists', 'minLength'].some((k) => k in a), {
    message: 'an assertion needs one of equals, contains, matches, exists, minLength',
  });

export const awsCall = defineCheckSpec({
  type: 'aws.call',
  summary: 'Call any AWS SDK operation and assert on its output with JMESPath.',
  docs: {
    judges:
      'Calls one AWS operation on the target with `input` and judges its output: each `expect` assertion applies a JMESPath query (as `aws --query` does) and compares the result (`equals`, `contains`, `matches`, `exists`, `minLength`). With `expectError` it passes only when the call fails with that error code. The escape hatch for anything no dedicated check covers; its messages are generic, so prefer a dedicated check when one exists.',
    calls: ['any: the operation named in `call`'],
    example: {
      call: 'iam:GetRole',
      input: { RoleName: '${roleName}' },
      expect: [{ query: 'Role.MaxSessionDuration', equals: 3600 }],
    },
  },
  with: z.strictObject({
    call: z
      .string()
      .regex(/^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$/, 'service:Operation, e.g. iam:GetRole')
      .describe('service:Operation, e.g. iam:GetRole'),
    input: z.record(z.string(), z.unknown()).default({}),
    expect: z.array(assertion).default([]),
    expectError: z
      .string()
      .optional()
      .describe(
        'Pass when the call fails with this error code (NoSuchEntity, NotFound; or the HTTP status, as the CLI says 404)',
      ),
  }),
});

type Assertion = z.output<typeof assertion>;

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === false) return true;
  if (typeof value === 'string' || Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/** Why the result fails the assertion, or undefined when it holds. */
function judge(a: Assertion, result: unknown): string | undefined {
  const got = `${a.query} is ${show(result)}`;
  if ('equals' in a && !same(result, a.equals)) return `${got}, expected ${show(a.equals)}`;
  if ('contains' in a) {
    const holds = Array.isArray(result)
      ? result.some((item) => same(item, a.contains))
      : typeof result === 'string' && result.includes(String(a.contains));
    if (!holds) return `${got}, which does not contain ${show(a.contains)}`;
  }
  if (a.matches !== undefined) {
    const text = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    if (!new RegExp(a.matches).test(text)) return `${got}, which does not match /${a.matches}/`;
  }
  if (a.exists !== undefined && isEmpty(result) === a.exists) {
    return a.exists ? `${a.query} is empty` : `${got}, expected nothing`;
  }
  if (a.minLength !== undefined) {
    const length = Array.isArray(result) || typeof result === 'string' ? result.length : 0;
    if (length < a.minLength) return `${got} (length ${length}), expected at least ${a.minLength}`;
  }
  return undefined;
}

/** An answer from AWS (it carries an HTTP status); anything else is the target failing, for the engine. */
function isServiceAnswer(error: unknown): boolean {
  return (
    httpStatusOf(error) !== undefined ||
    (awsErrorCode(error) !== undefined && (error as { $fault?: unknown }).$fault !== undefined)
  );
}

export const awsCallCheck: CheckType<typeof awsCall.with> = onTarget({
  ...awsCall,
  async run(input, ctx) {
    const [service = '', operation = ''] = input.call.split(':');
    if (!isServiceName(service)) {
      return errored(
        `aws.call cannot call ${service}: labwright knows iam, sts, s3, sagemaker, logs and cloudtrail`,
      );
    }
    let output: Record<string, unknown>;
    try {
      output = await callTarget(ctx, service, operation, input.input);
    } catch (error) {
      if (!isServiceAnswer(error)) throw error;
      const code = awsErrorCode(error) ?? 'an error';
      const evidence = { call: input.call, error: code, message: errorText(error) };
      if (input.expectError) {
        // The aws CLI names an answer without a body by its status: `An error occurred (404)`.
        const names = [code, String(httpStatusOf(error) ?? '')];
        const expected = [input.expectError, `${input.expectError}Exception`];
        return names.some((name) => expected.includes(name))
          ? passed(`${input.call} failed with ${input.expectError}, as expected`, evidence)
          : failed(
              `${input.call} failed with ${code}, not ${input.expectError}: ${errorText(error)}`,
              evidence,
            );
      }
      return failed(`${input.call} failed with ${code}: ${errorText(error)}`, evidence);
    }
    if (input.expectError) {
      return failed(`${input.call} succeeded, but it should fail with ${input.expectError}`, {
        call: input.call,
      });
    }
    const document = await cliOutput(service, operation, output);
    const { search } = await import('jmespath');
    const results: { query: string; result: unknown; problem?: string }[] = [];
    for (const a of input.expect) {
      let result: unknown;
      try {
        result = search(document as never, a.query);
      } catch (error) {
        return errored(`the query ${a.query} is not valid JMESPath: ${errorText(error)}`);
      }
      const problem = judge(a, result);
      results.push({ query: a.query, result, ...(problem ? { problem } : {}) });
    }
    const evidence = {
      call: input.call,
      results: results.map((r) => ({ query: r.query, result: r.result })),
    };
    const problems = results.flatMap((r) => (r.problem ? [r.problem] : []));
    if (problems.length > 0) return failed(problems.join('; '), evidence);
    return passed(
      results.length
        ? `${input.call}: ${results.map((r) => `${r.query} is ${show(r.result)}`).join('; ')}`
        : `${input.call} succeeded`,
      evidence,
    );
  },
});
