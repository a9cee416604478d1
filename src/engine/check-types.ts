import type { CheckType } from '../../checks/define.js';
import { checkTypes } from '../../checks/index.js';

/** The check types labwright ships, by name (from checks/index.ts, the one list). */
export function defaultCheckTypes(): ReadonlyMap<string, CheckType> {
  return checkTypes;
}
