import { errorCode, errorMessage } from '../../src/aws/errors.js';

/**
 * AWS error codes as the SDK v3 surfaces them. The SDK names modelled errors after their
 * shape (IAM's NoSuchEntity arrives as NoSuchEntityException) and unmodelled ones after the
 * wire code, so a check asks for the code and accepts either spelling.
 */
export function awsErrorCode(error: unknown): string | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const e = error as { name?: unknown; Code?: unknown; code?: unknown };
  if (httpStatusOf(error) !== undefined) {
    const code = errorCode(error);
    if (code !== 'Error') return code;
  }
  for (const value of [e.Code, e.code, e.name]) {
    if (typeof value === 'string' && value !== 'Error') return value;
  }
  return undefined;
}

export function isAwsError(error: unknown, ...codes: string[]): boolean {
  const candidates = new Set<string>();
  const code = awsErrorCode(error);
  if (code) candidates.add(code);
  if (error && typeof error === 'object') {
    const e = error as { name?: unknown; Code?: unknown; code?: unknown };
    for (const value of [e.Code, e.code, e.name])
      if (typeof value === 'string') candidates.add(value);
  }
  return codes.some((code) => candidates.has(code) || candidates.has(`${code}Exception`));
}

/** The HTTP status of a failed call, when the SDK recorded it (HeadBucket errors carry nothing else). */
export function httpStatusOf(error: unknown): number | undefined {
  const meta = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata;
  return meta?.httpStatusCode;
}

/** What went wrong, in AWS's words ("Not Found" for a HEAD request's bare 404). */
export function errorText(error: unknown): string {
  return errorMessage(error);
}
