import { AwsClients, type ClientTransport } from '../aws/clients.js';
import type { Target } from '../aws/target.js';

/**
 * AWS clients that only read. Grading must change nothing in a student's account, whatever a
 * lab's checks ask for (an `aws.call` check could name any operation), so every call is
 * refused unless its operation is a read: Get, List, Describe, Head, Lookup, Filter, Simulate.
 */
export class ReadOnlyAwsClients extends AwsClients {
  /**
   * `signal` ends the student's grading: every call honours it, the first one (who am I?)
   * included, so a request to an endpoint that never answers is abandoned, not retried.
   */
  constructor(
    target: Target,
    private readonly signal: AbortSignal,
    transport: ClientTransport = {},
  ) {
    super(target, transport);
  }

  override call<Output = Record<string, unknown>>(
    service: string,
    operation: string,
    input: Record<string, unknown>,
    options: { signal?: AbortSignal } = {},
  ): Promise<Output> {
    if (!isReadOperation(operation)) {
      return Promise.reject(new ReadOnlyViolation(service, operation));
    }
    return super.call<Output>(service, operation, input, { signal: this.signal, ...options });
  }
}

const READ_PREFIXES = ['Get', 'List', 'Describe', 'Head', 'Lookup', 'Filter', 'Simulate'];

export function isReadOperation(operation: string): boolean {
  return READ_PREFIXES.some((prefix) => operation.startsWith(prefix));
}

export class ReadOnlyViolation extends Error {
  override name = 'ReadOnlyViolation';
  constructor(service: string, operation: string) {
    super(
      `grading is read-only, and ${service}:${operation} would change the student's account, so it was not called`,
    );
  }
}
