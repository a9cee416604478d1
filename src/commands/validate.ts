import chalk from 'chalk';
import path from 'node:path';
import { loadLabForValidate } from '../engine/lab-cache.js';
import { resolveLabArgument } from '../lab/discover.js';
import { formatProblem, type LabProblem } from '../lab/problem.js';
import type { Unplaced } from '../lab/place-problems.js';
import { sandboxGaps } from './sandbox-coverage.js';
import { unknownIamActions } from './iam-action-names.js';
import type { LoadedLab } from '../lab/load.js';
import { EXIT, UsageError } from './usage-error.js';

const TARGETS = ['sandbox', 'localstack', 'aws'];

/** Lints lab files: every problem of every file, then a summary; exit 2 when any has one. */
export async function validateCommand(
  files: string[],
  options: { json?: boolean; target?: string },
): Promise<number> {
  const target = options.target ?? 'sandbox';
  if (!TARGETS.includes(target)) {
    throw new UsageError(`--target must be one of ${TARGETS.join(', ')}, not "${target}"`);
  }
  const results = [];
  for (const argument of files) {
    const file = resolveLabArgument(argument) ?? argument;
    // A lab unchanged since it last validated comes from the lab cache, unparsed.
    const result = await loadLabForValidate(file);
    let names: LabProblem[] = [];
    let warnings: LabProblem[] = [];
    if (result.ok) {
      // Found here rather than at load: they cost the IAM reference, and `check` needs none.
      const unknown = actionNameProblems(result.loaded);
      const gaps = target === 'sandbox' ? sandboxWarnings(result.loaded) : [];
      const placed = await placeAll(result.loaded, file, [...unknown, ...gaps]);
      names = placed.slice(0, unknown.length);
      warnings = placed.slice(unknown.length);
    }
    results.push({
      file: path.relative(process.cwd(), path.resolve(file)) || file,
      ok: result.ok && names.length === 0,
      problems: result.ok ? names : result.problems,
      warnings,
      steps: result.ok ? result.loaded.lab.steps.length : undefined,
      checks: result.ok
        ? result.loaded.lab.steps.reduce((n, s) => n + s.checks.length, 0)
        : undefined,
    });
  }
  if (options.json) {
    console.log(JSON.stringify(results, null, 2));
  } else {
    for (const result of results) {
      for (const warning of result.warnings) console.error(formatProblem(warning));
      if (result.ok) {
        console.log(
          `${chalk.green('✓')} ${result.file}: ${result.steps} steps, ${result.checks} checks`,
        );
      } else {
        for (const problem of result.problems) console.error(formatProblem(problem));
        console.error(
          `${chalk.red('✗')} ${result.file}: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}`,
        );
      }
    }
  }
  return results.every((result) => result.ok) ? EXIT.ok : EXIT.usage;
}

/** Places what was found; the YAML parser loads only when something was. */
async function placeAll(
  loaded: LoadedLab,
  shown: string,
  found: Unplaced[],
): Promise<LabProblem[]> {
  if (!found.length) return [];
  const { placeProblems } = await import('../lab/place-problems.js');
  return placeProblems(loaded, shown, found);
}

/**
 * Warnings, not problems: the lab's AWS calls that the embedded sandbox does not serve. A lab
 * meant for AWS alone may have them; on the sandbox each fails with NotImplemented.
 */
function sandboxWarnings(loaded: LoadedLab): Unplaced[] {
  return sandboxGaps(loaded.lab).map(({ at, call }) => ({
    at,
    message: `warning: the embedded sandbox does not serve ${call}: on --target sandbox it fails with NotImplemented (see docs/sandbox.md; --target aws or localstack to silence)`,
  }));
}

/** IAM action names no AWS service has, in the lab's policies and probes. */
function actionNameProblems(loaded: LoadedLab): Unplaced[] {
  return unknownIamActions(loaded).map(({ at, action, message }) => ({
    at,
    message,
    find: action,
  }));
}
