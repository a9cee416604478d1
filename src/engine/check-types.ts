import type { CheckType } from '../../checks/define.js';
import { checkTypes } from '../../checks/registry.js';

/** The check types labwright ships, by name (the checks' `run` logic, from checks/registry.ts). */
export function defaultCheckTypes(): ReadonlyMap<string, CheckType> {
  return checkTypes;
}
