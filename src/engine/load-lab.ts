import { checkSpecs } from '../../checks/index.js';
import { operationsOf, requiredInput, waitersOf } from '../aws/operation-table.js';
import { SERVICE_NAMES } from '../service-names.js';
import { loadLab, type LoadResult } from '../lab/load.js';

const checkSchemas = new Map([...checkSpecs].map(([type, spec]) => [type, spec.with]));

/** Loads a lab with the check types and AWS services this build of labwright knows. */
export function loadLabFile(file: string, { checkOperations = true } = {}): Promise<LoadResult> {
  return loadLab(file, {
    checkSchemas,
    knownServices: SERVICE_NAMES,
    // The operation table, not the SDK packages: validating loads no AWS client.
    ...(checkOperations
      ? {
          serviceOperations: (service: string) => Promise.resolve(operationsOf(service)),
          requiredInput,
          waiters: waitersOf,
        }
      : {}),
  });
}
