import type { LabReport } from '../engine/report.js';

/** `check --json`: the report object of DESIGN.md, keys in the contract's order. */
export function renderJson(report: LabReport): string {
  const ordered: LabReport = {
    lab: report.lab,
    labVersion: report.labVersion,
    target: report.target,
    startedAt: report.startedAt,
    durationMs: report.durationMs,
    score: report.score,
    hintsUsed: report.hintsUsed,
    steps: report.steps.map((step) => ({
      id: step.id,
      title: step.title,
      optional: step.optional,
      status: step.status,
      checks: step.checks.map((check) => ({
        id: check.id,
        type: check.type,
        ...(check.title !== undefined ? { title: check.title } : {}),
        status: check.status,
        points: check.points,
        optional: check.optional,
        message: check.message,
        hint: check.hint,
        hintsUsed: check.hintsUsed,
        evidence: check.evidence,
        durationMs: check.durationMs,
      })),
    })),
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}
