import { checkSpecs } from '../../checks/index.js';
import { SERVICE_NAMES, serviceOperations } from '../aws/services.js';
import { loadLab, type LoadResult } from '../lab/load.js';

const checkSchemas = new Map([...checkSpecs].map(([type, spec]) => [type, spec.with]));

/** Loads a lab with the check types and AWS services this build of labwright knows. */
export function loadLabFile(file: string, { checkOperations = true } = {}): Promise<LoadResult> {
  return loadLab(file, {
    checkSchemas,
    knownServices: SERVICE_NAMES,
    ...(checkOperations ? { serviceOperations } : {}),
  });
}
