import { score } from '../engine/verdicts.js';
import { percentOf, type StudentResult } from './results.js';

/**
 * gradebook.csv: a row per student, ready to import into a spreadsheet or an LMS.
 * Columns: id, score, possible, percent, the points earned in each step (by step id),
 * hints_used, error. A student who could not be graded has empty step cells and the reason.
 */
export function gradebookCsv(
  stepIds: readonly string[],
  results: readonly StudentResult[],
): string {
  const header = ['id', 'score', 'possible', 'percent', ...stepIds, 'hints_used', 'error'];
  const rows = results.map((result) => {
    const earnedByStep = new Map(result.steps.map((step) => [step.id, score(step.checks).earned]));
    const graded = result.error === null;
    return [
      result.id,
      String(result.score.earned),
      String(result.score.possible),
      percentOf(result).toFixed(1),
      ...stepIds.map((id) => (graded ? String(earnedByStep.get(id) ?? 0) : '')),
      String(result.hintsUsed),
      result.error ?? '',
    ];
  });
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/**
 * RFC 4180 quoting. A cell that a spreadsheet would run as a formula (=, +, -, @ first)
 * is prefixed with a quote mark, as OWASP advises for CSV exports: ids come from a roster
 * and error messages from remote services, neither of which the instructor wrote here.
 */
function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) && !/^-?\d+(\.\d+)?$/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
