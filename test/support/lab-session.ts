/**
 * Runs a lab's checks through the engine (openLab -> runChecks), against an endpoint, with
 * progress kept in memory: exactly what `labwright check --target localstack --endpoint URL`
 * judges, without the CLI around it.
 */
import path from 'node:path';
import { connect } from '../../src/aws/connect.js';
import { resolveTarget } from '../../src/aws/target.js';
import { loadLabFile } from '../../src/engine/load-lab.js';
import { Progress } from '../../src/engine/progress.js';
import type { CheckReport, LabReport } from '../../src/engine/report.js';
import { openLab } from '../../src/engine/runner.js';

export const LESSON_LAB = path.resolve('labs/sagemaker-iam-roles/lab.yaml');

export interface CheckedLab {
  report: LabReport;
  /** Each check's report, by `step/check` id. */
  checks: Map<string, CheckReport>;
}

export async function checkLab(options: {
  endpoint: string;
  steps?: string[];
  file?: string;
  cwd?: string;
  answers?: Record<string, number>;
}): Promise<CheckedLab> {
  const loaded = await loadLabFile(options.file ?? LESSON_LAB, { checkOperations: false });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const connection = await connect(
    resolveTarget({ target: 'localstack', endpoint: options.endpoint, region: 'us-east-1' }, {}),
  );
  try {
    const session = openLab({
      lab: loaded.loaded,
      connection,
      progress: Progress.inMemory(loaded.loaded.lab.id, connection.key),
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
    for (const [question, choice] of Object.entries(options.answers ?? {})) {
      session.recordAnswer(question, choice);
    }
    const report = await session.runChecks({
      ...(options.steps ? { steps: options.steps } : {}),
      wait: 'none',
    });
    const checks = new Map<string, CheckReport>();
    for (const step of report.steps) {
      for (const check of step.checks) checks.set(`${step.id}/${check.id}`, check);
    }
    return { report, checks };
  } finally {
    connection.close();
  }
}
