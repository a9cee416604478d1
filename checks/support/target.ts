/**
 * Calling the target from a check, and the one verdict for an operation the target lacks.
 *
 * Checks run against the sandbox, LocalStack, moto and AWS. An emulator may not implement an
 * operation a check needs (moto has no CloudTrail LookupEvents): the check then cannot judge,
 * and says so in the same words whichever check it is. A check calls the target through
 * `callTarget`, which names the missing operation, and is declared with `onTarget`, which turns
 * that into the `error` verdict from `notImplemented`.
 */
import type * as z from 'zod';
import { isUnsupportedOperation } from '../../src/aws/errors.js';
import type { CheckContext, CheckOutcome, CheckType } from '../define.js';
import { errored } from './outcome.js';

type Service = Parameters<CheckContext['call']>[0];

/** How students know each service, for the message. */
const SERVICE_NAMES: Record<Service, string> = {
  iam: 'IAM',
  sts: 'STS',
  s3: 'S3',
  sagemaker: 'SageMaker',
  logs: 'CloudWatch Logs',
  cloudtrail: 'CloudTrail',
  kms: 'KMS',
};

/** The target answered an operation with "not implemented" (or a server error page instead of it). */
export class OperationNotImplemented extends Error {
  override name = 'OperationNotImplemented';
  constructor(
    readonly service: string,
    readonly operation: string,
    options?: { cause?: unknown },
  ) {
    super(notImplementedMessage(service, operation), options);
  }
}

/** `CloudTrail LookupEvents`, `S3 GetBucketPolicy`. */
export function operationName(service: string, operation: string): string {
  return `${SERVICE_NAMES[service as Service] ?? service} ${operation}`;
}

/** The one wording, for every check: "the target does not implement CloudTrail LookupEvents, ...". */
export function notImplementedMessage(service: string, operation: string): string {
  return `the target does not implement ${operationName(service, operation)}, so this check cannot judge there; run it on the sandbox or AWS`;
}

/** The verdict of a check that needs an operation the target lacks. */
export function notImplemented(service: string, operation: string): CheckOutcome {
  return errored(notImplementedMessage(service, operation), {
    notImplemented: `${service}:${operation}`,
  });
}

/**
 * ctx.call, except that an operation the target does not implement throws OperationNotImplemented
 * naming it (a raw SDK error from an emulator says only "500" or "not valid JSON").
 */
export async function callTarget<Output = Record<string, unknown>>(
  ctx: CheckContext,
  service: Service,
  operation: string,
  input: Record<string, unknown>,
): Promise<Output> {
  try {
    return await ctx.call<Output>(service, operation, input);
  } catch (error) {
    if (isUnsupportedOperation(error)) {
      throw new OperationNotImplemented(service, operation, { cause: error });
    }
    throw error;
  }
}

/**
 * A check type whose run ends in the `notImplemented` verdict when an operation it calls is
 * missing on the target, wherever in the check (or its helpers) the call was made.
 */
export function onTarget<W extends z.ZodType>(check: CheckType<W>): CheckType<W> {
  const run = check.run.bind(check);
  return {
    ...check,
    async run(input, ctx) {
      try {
        return await run(input, ctx);
      } catch (error) {
        if (error instanceof OperationNotImplemented) {
          return notImplemented(error.service, error.operation);
        }
        throw error;
      }
    },
  };
}
