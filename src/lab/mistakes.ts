import type { Path, Report } from './path.js';
import { closest } from './suggest.js';

/**
 * The references of a lab's `mistakes:` (see schema.ts): each names a step and the checks it
 * must make fail. Read from the raw data, leniently, so a lab with other problems still gets
 * these reports in the same pass.
 */
export function checkMistakes(data: object, report: Report): void {
  const steps = listAt(data, 'steps').map((step) => ({
    id: stringAt(step, 'id'),
    checks: listAt(step, 'checks')
      .map((check) => stringAt(check, 'id'))
      .filter((id): id is string => id !== undefined),
  }));
  const stepIds = steps.map((step) => step.id).filter((id): id is string => id !== undefined);
  const seen = new Map<string, number>();
  listAt(data, 'mistakes').forEach((mistake, m) => {
    const at: Path = ['mistakes', m];
    const id = stringAt(mistake, 'id');
    if (id !== undefined) {
      const first = seen.get(id);
      if (first !== undefined)
        report([...at, 'id'], `duplicate mistake id "${id}" (also mistakes[${first}])`);
      else seen.set(id, m);
    }
    const step = stringAt(mistake, 'step');
    if (step !== undefined && !stepIds.includes(step)) {
      const near = closest(step, stepIds);
      report(
        [...at, 'step'],
        `the lab has no step "${step}"${near ? ` (did you mean "${near}"?)` : ''}; its steps are ${stepIds.join(', ')}`,
      );
    }
    if (stringAt(mistake, 'mode') === 'after' && listAt(mistake, 'actions').length === 0) {
      report(
        [...at, 'mode'],
        'a mistake made after the step\'s actions needs actions of its own (mode "instead" with no actions leaves the step undone)',
      );
    }
    listAt(mistake, 'expect').forEach((expectation, e) => {
      const where: Path = [...at, 'expect', e];
      const check = stringAt(expectation, 'check');
      if (check !== undefined) {
        const problem = checkReferenceProblem(check, steps);
        if (problem) report([...where, 'check'], problem);
      }
      const matches = stringAt(expectation, 'matches');
      if (matches !== undefined) {
        try {
          new RegExp(matches);
        } catch (error) {
          report([...where, 'matches'], `not a regular expression: ${(error as Error).message}`);
        }
      }
    });
  });
}

/** A check reference: `check-id` naming one check of the lab, or `step-id/check-id`. */
function checkReferenceProblem(
  reference: string,
  steps: readonly { id: string | undefined; checks: readonly string[] }[],
): string | undefined {
  const [first, second] = reference.split('/');
  if (second !== undefined) {
    const step = steps.find((s) => s.id === first);
    if (!step) return `the lab has no step "${first}"`;
    if (step.checks.includes(second)) return undefined;
    const near = closest(second, [...step.checks]);
    return `step ${first} has no check "${second}"${near ? ` (did you mean "${near}"?)` : ''}`;
  }
  const owners = steps.filter((step) => step.checks.includes(reference));
  if (owners.length === 1) return undefined;
  if (owners.length > 1) {
    const choices = owners.map((step) => `${step.id}/${reference}`).join(' or ');
    return `more than one step has a check "${reference}": write ${choices}`;
  }
  const all = steps.flatMap((step) => step.checks);
  const near = closest(reference, all);
  return `the lab has no check "${reference}"${near ? ` (did you mean "${near}"?)` : ''}`;
}

function listAt(value: unknown, key: string): unknown[] {
  const list =
    value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return Array.isArray(list) ? list : [];
}

function stringAt(value: unknown, key: string): string | undefined {
  const item =
    value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return typeof item === 'string' ? item : undefined;
}
