import chalk from 'chalk';
import path from 'node:path';
import { loadLabFile } from '../engine/load-lab.js';
import { resolveLabArgument } from '../lab/discover.js';
import { formatProblem } from '../lab/problem.js';
import { EXIT } from './usage-error.js';

/** Lints lab files: every problem of every file, then a summary; exit 2 when any has one. */
export async function validateCommand(
  files: string[],
  options: { json?: boolean },
): Promise<number> {
  const results = [];
  for (const argument of files) {
    const file = resolveLabArgument(argument) ?? argument;
    const result = await loadLabFile(file);
    results.push({
      file: path.relative(process.cwd(), path.resolve(file)) || file,
      ok: result.ok,
      problems: result.ok ? [] : result.problems,
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
