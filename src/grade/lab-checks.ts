import type { Lab } from '../lab/schema.js';
import type { LabCheckRef } from './summary.js';

/** The lab's checks in lab order, as the summary ranks them. */
export function labCheckRefs(lab: Lab): LabCheckRef[] {
  return lab.steps.flatMap((step) =>
    step.checks.map((check) => ({
      stepId: step.id,
      checkId: check.id,
      title: check.title ?? check.id,
      optional: step.optional || check.optional,
    })),
  );
}
