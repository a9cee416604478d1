import type { Lab } from '../lab/schema.js';
import type { Path } from '../lab/path.js';
import implemented from '../sandbox/operations.json' with { type: 'json' };

/**
 * The AWS calls of a lab that the embedded sandbox does not serve: each would fail there with
 * NotImplemented, though it may work on AWS or LocalStack. `validate` warns about them (a lab may
 * mean to run only on AWS). The table is generated from the sandbox's own handlers (`npm run docs`,
 * kept current by a test), so validating never loads the sandbox.
 */

export interface SandboxGap {
  at: Path;
  call: string;
}

const OPERATIONS = implemented as Record<string, readonly string[]>;

export function sandboxServes(call: string): boolean {
  const [service = '', operation = ''] = call.split(':');
  return OPERATIONS[service]?.includes(operation) ?? false;
}

export function sandboxGaps(lab: Lab): SandboxGap[] {
  const gaps: SandboxGap[] = [];
  const actions = (list: readonly object[], at: Path) =>
    list.forEach((action, a) => {
      if ('aws' in action && typeof action.aws === 'string' && !sandboxServes(action.aws)) {
        gaps.push({ at: [...at, a, 'aws'], call: action.aws });
      }
    });
  lab.steps.forEach((step, s) => {
    actions(step.actions, ['steps', s, 'actions']);
    step.checks.forEach((check, c) => {
      const call = check.type === 'aws.call' ? check.with.call : undefined;
      if (typeof call === 'string' && !sandboxServes(call)) {
        gaps.push({ at: ['steps', s, 'checks', c, 'with', 'call'], call });
      }
    });
  });
  actions(lab.cleanup, ['cleanup']);
  lab.mistakes.forEach((mistake, m) => {
    actions(mistake.actions, ['mistakes', m, 'actions']);
    actions(mistake.cleanup, ['mistakes', m, 'cleanup']);
  });
  return gaps;
}
