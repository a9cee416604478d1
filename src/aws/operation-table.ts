import { isServiceName } from '../service-names.js';
import table from './operations.json' with { type: 'json' };

/**
 * Every operation of the services labwright speaks, with the input members AWS requires, and
 * their waiters: extracted from the SDK packages by scripts/extract-operations.mjs (a test keeps
 * it equal to them), so validating a lab loads no SDK package.
 */

type Table = Record<string, { operations: Record<string, string[]>; waiters: string[] }>;

const services = table as Table;

/** The operations a service offers, or undefined when labwright has no client for it. */
export function operationsOf(service: string): ReadonlySet<string> | undefined {
  if (!isServiceName(service)) return undefined;
  return new Set(Object.keys(services[service]?.operations ?? {}));
}

/** The input members an operation requires (empty for an unknown one). */
export function requiredInput(service: string, operation: string): readonly string[] {
  if (!isServiceName(service)) return [];
  return services[service]?.operations[operation] ?? [];
}

/** A service's SDK waiters (TrainingJobCompletedOrStopped, ...). */
export function waitersOf(service: string): readonly string[] {
  if (!isServiceName(service)) return [];
  return services[service]?.waiters ?? [];
}

/** The table itself, for the test that keeps it fresh. */
export const operationTable: Readonly<Table> = services;
