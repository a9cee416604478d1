import chalk from 'chalk';
import path from 'node:path';
import { loadLabFile } from '../engine/load-lab.js';
import { resolveLabArgument } from '../lab/discover.js';
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { locate } from '../lab/locate.js';
import { formatPath, formatProblem, type LabProblem } from '../lab/problem.js';
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
    const result = await loadLabFile(file);
    // Found here rather than at load: they cost the IAM reference, and `check` needs none.
    const names = result.ok ? await actionNameProblems(result.loaded, file) : [];
    results.push({
      file: path.relative(process.cwd(), path.resolve(file)) || file,
      ok: result.ok && names.length === 0,
      problems: result.ok ? names : result.problems,
      warnings: result.ok && target === 'sandbox' ? sandboxWarnings(result.loaded, file) : [],
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

/**
 * Warnings, not problems: the lab's AWS calls that the embedded sandbox does not serve. A lab
 * meant for AWS alone may have them; on the sandbox each fails with NotImplemented.
 */
function sandboxWarnings(loaded: LoadedLab, shown: string): LabProblem[] {
  const gaps = sandboxGaps(loaded.lab);
  if (!gaps.length) return [];
  const source = readFileSync(loaded.file, 'utf8');
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines });
  return gaps.map(({ at, call }) => ({
    file: path.relative(process.cwd(), path.resolve(shown)) || shown,
    ...locate(doc, lines, at, false),
    message: `warning: the embedded sandbox does not serve ${call}: on --target sandbox it fails with NotImplemented (see docs/sandbox.md; --target aws or localstack to silence)`,
    path: formatPath(at),
  }));
}

/** IAM action names no AWS service has, in the lab's policies and probes, at their lines. */
async function actionNameProblems(loaded: LoadedLab, shown: string): Promise<LabProblem[]> {
  const unknown = await unknownIamActions(loaded);
  if (!unknown.length) return [];
  const source = readFileSync(loaded.file, 'utf8');
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines });
  return unknown.map(({ at, action, message }) => ({
    file: path.relative(process.cwd(), path.resolve(shown)) || shown,
    ...locate(doc, lines, at, false, { find: action, source }),
    message,
    path: formatPath(at),
  }));
}
