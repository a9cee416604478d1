import { interpolateString } from '../../lab/vars.js';

/** Puts lab variables into text for the screen; text naming a variable the run lacks is shown as written. */
export function fillVars(value: string, vars: Readonly<Record<string, string>>): string {
  try {
    return interpolateString(value, vars);
  } catch {
    return value;
  }
}
