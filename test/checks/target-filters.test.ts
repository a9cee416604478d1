/**
 * Each check re-checks on its own side every filter it asks the target for, so a target that
 * ignores a filter (as moto ignores FilterLogEvents' logStreamNamePrefix) costs time, never a
 * wrong verdict. The targets here are fakes that answer with whatever they hold, ignoring the
 * filters, and count what they were asked. And every check that calls AWS says the same thing
 * when the target lacks an operation.
 */
import { describe, expect, it } from 'vitest';
import type { CheckContext, CheckOutcome } from '../../checks/define.js';
import { checkTypes } from '../../checks/index.js';
import { notImplementedMessage } from '../../checks/support/target.js';
import { isUnsupportedOperation } from '../../src/aws/errors.js';

type Handler = (input: Record<string, unknown>) => unknown;

/** A target that answers `service:Operation` with its handler, whatever the input asks for. */
function carelessTarget(handlers: Record<string, Handler>): CheckContext & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async call<Output>(service: string, operation: string, input: Record<string, unknown>) {
      asked.push(`${service}:${operation}`);
      const handler = handlers[`${service}:${operation}`];
      if (!handler) throw new Error(`the fake target has no ${service}:${operation}`);
      return (await handler(input)) as Output;
    },
    target: {
      kind: 'endpoint',
      endpoint: 'http://fake',
      region: 'us-east-1',
      account: '000000000000',
      partition: 'aws',
    },
    vars: { account: '000000000000', region: 'us-east-1', partition: 'aws' },
    labDir: process.cwd(),
    cwd: process.cwd(),
    answers: {},
    env: {},
    signal: new AbortController().signal,
  };
}

function run(type: string, input: unknown, ctx: CheckContext): Promise<CheckOutcome> {
  const check = checkTypes.get(type)!;
  return check.run(check.with.parse(input), ctx);
}

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);

describe('logs.events re-checks the stream prefix and the pattern', () => {
  const otherJob = {
    'logs:FilterLogEvents': () => ({
      events: [
        { logStreamName: 'other-job/algo-1', message: 'Training seconds: 12', timestamp: 1 },
      ],
    }),
  };

  it("does not pass on another stream's events that the target returned for the prefix", async () => {
    const ctx = carelessTarget(otherJob);
    const outcome = await run(
      'logs.events',
      { logGroup: '/aws/sagemaker/TrainingJobs', streamPrefix: 'wanted-job/' },
      ctx,
    );
    expect(outcome.status).toBe('failed');
    expect(outcome.message).toContain(
      'no log events in /aws/sagemaker/TrainingJobs (streams starting wanted-job/)',
    );
    expect(outcome.message).toContain('the target also returned 1 event(s) outside the filter');
    expect(outcome.evidence).toMatchObject({ events: 0, outsideFilter: 1 });
  });

  it('does not pass on events that do not match the pattern', async () => {
    const ctx = carelessTarget({
      'logs:FilterLogEvents': () => ({
        events: [
          { logStreamName: 'job/algo-1', message: 'Downloading data', timestamp: 1 },
          { logStreamName: 'job/algo-1', message: 'seconds Training', timestamp: 2 },
        ],
      }),
    });
    const phrase = await run('logs.events', { logGroup: 'g', pattern: '"Training seconds"' }, ctx);
    expect(phrase.status).toBe('failed');
    const terms = await run(
      'logs.events',
      { logGroup: 'g', pattern: 'Training seconds -DEBUG' },
      ctx,
    );
    expect(terms.status).toBe('passed');
    expect(terms.evidence).toMatchObject({ events: 1, outsideFilter: 1 });
    const anyOf = await run('logs.events', { logGroup: 'g', pattern: '?ERROR ?WARN' }, ctx);
    expect(anyOf.status).toBe('failed');
  });

  it('refuses patterns it could not re-check, when the lab loads', () => {
    const spec = checkTypes.get('logs.events')!;
    for (const pattern of ['{ $.level = "ERROR" }', '[ip, user, status=500]', '"unclosed']) {
      expect(spec.with.safeParse({ logGroup: 'g', pattern }).success, pattern).toBe(false);
    }
  });

  it('searches the streams by name when other streams fill the pages of a careless target', async () => {
    const ctx = carelessTarget({
      'logs:FilterLogEvents': (input) => {
        const names = input.logStreamNames as string[] | undefined;
        if (names) {
          return {
            events: names.map((name) => ({ logStreamName: name, message: 'Training seconds: 3' })),
          };
        }
        // Pages of another job's events, for ever.
        return { events: [{ logStreamName: 'other-job/algo-1', message: 'x' }], nextToken: 'more' };
      },
      'logs:DescribeLogStreams': () => ({
        logStreams: [{ logStreamName: 'other-job/algo-1' }, { logStreamName: 'wanted-job/algo-1' }],
      }),
    });
    const outcome = await run('logs.events', { logGroup: 'g', streamPrefix: 'wanted-job/' }, ctx);
    expect(outcome.status, outcome.message).toBe('passed');
    expect(outcome.evidence).toMatchObject({ streams: ['wanted-job/algo-1'] });
    expect(ctx.asked).toContain('logs:DescribeLogStreams');
  });
});

describe('cloudtrail.events re-checks the lookup attribute and the time window', () => {
  const role = 'arn:aws:iam::000000000000:role/SageMakerExecutionRole';
  const assumeRole = (resource: string, time: Date, id: string) => ({
    EventId: id,
    EventName: 'AssumeRole',
    EventTime: time,
    Resources: [{ ResourceType: 'AWS::IAM::Role', ResourceName: resource }],
    CloudTrailEvent: JSON.stringify({
      userIdentity: { type: 'AWSService', invokedBy: 'sagemaker.amazonaws.com' },
    }),
  });
  const input = {
    lookup: { attribute: 'ResourceName', value: role },
    eventName: 'AssumeRole',
    withinMinutes: 60,
  };

  it("does not pass on another role's events, or on events older than the window", async () => {
    const ctx = carelessTarget({
      'cloudtrail:LookupEvents': () => ({
        Events: [
          assumeRole('arn:aws:iam::000000000000:role/OtherRole', minutesAgo(5), '1'),
          assumeRole(role, minutesAgo(24 * 60), '2'),
          { ...assumeRole(role, minutesAgo(5), '3'), EventName: 'GetRole' },
        ],
      }),
    });
    const outcome = await run('cloudtrail.events', input, ctx);
    expect(outcome.status, outcome.message).toBe('failed');
    expect(outcome.message).toContain('CloudTrail has 0 AssumeRole');
  });

  it('passes on a matching event in the window', async () => {
    const ctx = carelessTarget({
      'cloudtrail:LookupEvents': () => ({ Events: [assumeRole(role, minutesAgo(5), '1')] }),
    });
    expect((await run('cloudtrail.events', input, ctx)).status).toBe('passed');
  });

  it('re-checks the second search (by the attribute) too', async () => {
    let calls = 0;
    const ctx = carelessTarget({
      'cloudtrail:LookupEvents': (request) => {
        calls++;
        const by = (request.LookupAttributes as { AttributeKey: string }[])[0]?.AttributeKey;
        // The search by name is cut short; the search by resource answers with another role.
        if (by === 'EventName') {
          return { Events: [], NextToken: request.NextToken ? undefined : 'more' };
        }
        return {
          Events: [assumeRole('arn:aws:iam::000000000000:role/OtherRole', minutesAgo(1), '9')],
        };
      },
    });
    const outcome = await run('cloudtrail.events', input, ctx);
    expect(calls).toBeGreaterThan(1);
    expect(outcome.status, outcome.message).toBe('failed');
  });
});

describe('the S3, SageMaker, CloudTrail and IAM checks judge only what they asked about', () => {
  it('s3.objects.list counts only keys under the prefix', async () => {
    const ctx = carelessTarget({
      's3:ListObjectsV2': () => ({ Contents: [{ Key: 'other/file.csv' }], IsTruncated: false }),
    });
    const outcome = await run('s3.objects.list', { bucket: 'my-bucket', prefix: 'data/' }, ctx);
    expect(outcome.status).toBe('failed');
    expect(outcome.evidence).toMatchObject({ objects: 0, outsidePrefix: 1 });
  });

  it('sagemaker.trainingJob finds the newest job with the prefix on any page, in any order', async () => {
    const job = (name: string, minutes: number) => ({
      TrainingJobName: name,
      CreationTime: minutesAgo(minutes),
    });
    // Oldest first, NameContains and SortBy ignored, as moto answers.
    const pages = [
      [job('lesson-old', 50), job('other-1', 40)],
      [job('lesson-new', 10), job('other-2', 5)],
    ];
    const ctx = carelessTarget({
      'sagemaker:ListTrainingJobs': (input) => {
        const index = Number(input.NextToken ?? 0);
        return {
          TrainingJobSummaries: pages[index],
          ...(index + 1 < pages.length ? { NextToken: String(index + 1) } : {}),
        };
      },
      'sagemaker:DescribeTrainingJob': (input) => ({
        TrainingJobName: input.TrainingJobName,
        TrainingJobStatus: 'Completed',
      }),
    });
    const outcome = await run('sagemaker.trainingJob', { namePrefix: 'lesson-' }, ctx);
    expect(outcome.status, outcome.message).toBe('passed');
    expect(outcome.evidence).toMatchObject({ name: 'lesson-new' });
    const none = await run('sagemaker.trainingJob', { namePrefix: 'missing-' }, ctx);
    expect(none.status).toBe('failed');
  });

  it('sagemaker.trainingJob and sagemaker.notebook do not take another resource for the one named', async () => {
    const ctx = carelessTarget({
      'sagemaker:DescribeTrainingJob': () => ({
        TrainingJobName: 'other',
        TrainingJobStatus: 'Completed',
      }),
      'sagemaker:DescribeNotebookInstance': () => ({
        NotebookInstanceName: 'OtherNotebook',
        NotebookInstanceStatus: 'InService',
      }),
    });
    expect((await run('sagemaker.trainingJob', { name: 'wanted' }, ctx)).status).toBe('failed');
    const notebook = await run('sagemaker.notebook', { name: 'MyNotebookInstance' }, ctx);
    expect(notebook.status).toBe('failed');
    expect(notebook.message).toContain('no notebook instance named MyNotebookInstance');
  });

  it('cloudtrail.trail judges only the trail named', async () => {
    const ctx = carelessTarget({
      'cloudtrail:DescribeTrails': () => ({
        trailList: [{ Name: 'someone-elses', TrailARN: 'arn:x' }],
      }),
      'cloudtrail:GetTrailStatus': () => ({ IsLogging: true }),
    });
    const outcome = await run('cloudtrail.trail', { name: 'lesson-9-1-trail' }, ctx);
    expect(outcome.status).toBe('failed');
    expect(outcome.message).toContain('no CloudTrail trail named lesson-9-1-trail');
  });

  it('the IAM checks do not take another role for the one named', async () => {
    const ctx = carelessTarget({
      'iam:GetRole': () => ({
        Role: { RoleName: 'OtherRole', Arn: 'arn:aws:iam::000000000000:role/OtherRole', Path: '/' },
      }),
    });
    const outcome = await run('iam.role.exists', { role: 'SageMakerExecutionRole' }, ctx);
    expect(outcome.status).toBe('failed');
    expect(outcome.message).toContain('no role named SageMakerExecutionRole');
  });
});

/** moto's answer to an operation it lacks: an HTML error page, which the SDK cannot read. */
function motoMissingOperation(): Error {
  const error = new SyntaxError(`Unexpected token '<', "<!doctype "... is not valid JSON`);
  Object.assign(error, { $metadata: { httpStatusCode: 500 } });
  return error;
}

/** Each check type that calls AWS, with settings that make it call. */
const AWS_CHECKS: Record<string, unknown> = {
  'iam.role.exists': { role: 'R' },
  'iam.role.trusts': { role: 'R', service: 'sagemaker.amazonaws.com' },
  'iam.role.policies': { role: 'R', attached: ['P'] },
  'iam.role.can': { role: 'R', allow: [{ action: 's3:GetObject', resource: 'arn:aws:s3:::b/*' }] },
  'iam.role.leastPrivilege': { role: 'R' },
  's3.bucket.exists': { bucket: 'my-bucket' },
  's3.objects.list': { bucket: 'my-bucket' },
  'sagemaker.notebook': { name: 'N' },
  'sagemaker.trainingJob': { namePrefix: 'job' },
  'logs.events': { logGroup: 'g' },
  'cloudtrail.trail': {},
  'cloudtrail.events': { lookup: { attribute: 'EventName', value: 'AssumeRole' } },
  'aws.call': { call: 'sts:GetCallerIdentity' },
};

describe('an operation the target lacks', () => {
  it('is recognised however the target says it', () => {
    const coded = (name: string, status: number) =>
      Object.assign(new Error('no'), { name, $metadata: { httpStatusCode: status } });
    expect(isUnsupportedOperation(motoMissingOperation())).toBe(true);
    const xml = Object.assign(
      new Error(
        '@aws-sdk XML parse error: mismatched tags\n  Deserialization error: to see the raw response',
      ),
      {
        $metadata: { httpStatusCode: 500 },
      },
    );
    expect(isUnsupportedOperation(xml)).toBe(true);
    expect(isUnsupportedOperation(coded('NotImplemented', 501))).toBe(true);
    expect(isUnsupportedOperation(coded('UnknownOperationException', 400))).toBe(true);
    expect(isUnsupportedOperation(coded('InternalFailure', 501))).toBe(true);
    expect(isUnsupportedOperation(coded('InternalFailure', 500))).toBe(false);
    expect(isUnsupportedOperation(coded('NoSuchEntity', 404))).toBe(false);
  });

  it('makes every check that calls AWS say, in the same words, which operation is missing', async () => {
    const ctx = carelessTarget({});
    ctx.call = async () => {
      throw motoMissingOperation();
    };
    const awsChecks = [...checkTypes.keys()].filter(
      (type) => !['quiz', 'shell', 'cfn.template', 'iac.role'].includes(type),
    );
    expect(Object.keys(AWS_CHECKS).sort()).toEqual(awsChecks.sort());
    for (const [type, input] of Object.entries(AWS_CHECKS)) {
      const outcome = await run(type, input, ctx);
      expect(outcome.status, type).toBe('error');
      expect(outcome.message, type).toMatch(
        /^the target does not implement [A-Za-z0-9 ]+ [A-Z]\w+, so this check cannot judge there; run it on the sandbox or AWS$/,
      );
      expect(outcome.retryable, type).toBe(false);
    }
    expect((await run('cloudtrail.events', AWS_CHECKS['cloudtrail.events'], ctx)).message).toBe(
      notImplementedMessage('cloudtrail', 'LookupEvents'),
    );
  });
});
