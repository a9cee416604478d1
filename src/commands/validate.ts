import chalk from 'chalk';
import path from 'node:path';
import { loadLabFile } from '../engine/load-lab.js';
import { resolveLabArgument } from '../lab/discover.js';
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { locate } from '../lab/locate.js';
import { formatPath, formatProblem, type LabProblem } from '../lab/problem.js';
import { sandboxGaps } from './sandbox-coverage.js';
import { unknownIamActions } from './iam-action-names.js';
import type { LoadedLab } from '../lab/load.js';
import type { Path } from '../lab/path.js';
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
    let names: LabProblem[] = [];
    let warnings: LabProblem[] = [];
    if (result.ok) {
      const place = placer(result.loaded, file);
      // Found here rather than at load: they cost the IAM reference, and `check` needs none.
      names = await actionNameProblems(result.loaded, place);
      if (target === 'sandbox') warnings = sandboxWarnings(result.loaded, place);
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

/**
 * Places problems found on a loaded lab at their file:line:col. The YAML is read and parsed once
 * per file, and only when there is something to place.
 */
function placer(loaded: LoadedLab, shown: string) {
  let parsed: { source: string; doc: Document; lines: LineCounter } | undefined;
  const file = path.relative(process.cwd(), path.resolve(shown)) || shown;
  return (at: Path, message: string, find?: string): LabProblem => {
    if (!parsed) {
      const source = readFileSync(loaded.file, 'utf8');
      const lines = new LineCounter();
      parsed = { source, lines, doc: parseDocument(source, { lineCounter: lines }) };
    }
    const { source, doc, lines } = parsed;
    const text = find === undefined ? undefined : { find, source };
    return { file, ...locate(doc, lines, at, false, text), message, path: formatPath(at) };
  };
}

/**
 * Warnings, not problems: the lab's AWS calls that the embedded sandbox does not serve. A lab
 * meant for AWS alone may have them; on the sandbox each fails with NotImplemented.
 */
function sandboxWarnings(loaded: LoadedLab, place: ReturnType<typeof placer>): LabProblem[] {
  return sandboxGaps(loaded.lab).map(({ at, call }) =>
    place(
      at,
      `warning: the embedded sandbox does not serve ${call}: on --target sandbox it fails with NotImplemented (see docs/sandbox.md; --target aws or localstack to silence)`,
    ),
  );
}

/** IAM action names no AWS service has, in the lab's policies and probes, at their lines. */
async function actionNameProblems(
  loaded: LoadedLab,
  place: ReturnType<typeof placer>,
): Promise<LabProblem[]> {
  return (await unknownIamActions(loaded)).map(({ at, action, message }) =>
    place(at, message, action),
  );
}
