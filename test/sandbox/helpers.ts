/** Small shared pieces of the sandbox core tests: policies, state folders, logs and AWS errors. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect } from 'vitest';

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

/** Makes a fresh state folder each call (`labwright-<name>-*`); all are removed after each test. */
export function stateDirs(name: string): () => string {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), `labwright-${name}-`));
    dirs.push(dir);
    return dir;
  };
}

/** A sandbox log that keeps its lines for the test to read. */
export function quietLog(): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  return { lines, log: (line: string) => void lines.push(line) };
}
