/** Small shared pieces of the sandbox core tests: policies and AWS error assertions. */
import { expect } from 'vitest';

export const policy = (statements: object[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements });

export const trustRoot = policy([
  {
    Effect: 'Allow',
    Principal: { AWS: 'arn:aws:iam::000000000000:root' },
    Action: 'sts:AssumeRole',
  },
]);

export const trustSageMaker = policy([
  { Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' },
]);

interface SdkError {
  name: string;
  message: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}

/** Asserts an SDK call fails with an AWS error code (the SDK's name or the wire Code), status, text. */
export async function expectAwsError(
  promise: Promise<unknown>,
  code: string,
  status?: number,
  message?: string,
): Promise<SdkError> {
  let error: SdkError | undefined;
  try {
    await promise;
  } catch (e) {
    error = e as SdkError;
  }
  expect(error, `expected ${code}`).toBeDefined();
  const err = error as SdkError;
  const codes = [err.name, err.Code, err.name.replace(/Exception$/, '')];
  expect(codes, `${err.name}: ${err.message}`).toContain(code);
  if (status !== undefined) expect(err.$metadata?.httpStatusCode).toBe(status);
  if (message !== undefined) expect(err.message).toBe(message);
  return err;
}
