import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { LoadedLab } from './load.js';
import { locate } from './locate.js';
import type { Path } from './path.js';
import { formatPath, type LabProblem } from './problem.js';

/** A problem found on a loaded lab, to be placed at its file:line:col. */
export interface Unplaced {
  at: Path;
  message: string;
  /** Text to point at inside a multi-line string (a `|` block). */
  find?: string;
}

/**
 * Places problems found on a loaded lab at their file:line:col, `shown` as the file's name.
 * The YAML is read and parsed once for all of them: a loaded lab keeps no positions (it may
 * come from the lab cache), so this module, and the parser, load only when there is a problem.
 */
export function placeProblems(loaded: LoadedLab, shown: string, found: Unplaced[]): LabProblem[] {
  const file = path.relative(process.cwd(), path.resolve(shown)) || shown;
  const source = readFileSync(loaded.file, 'utf8');
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines });
  return found.map(({ at, message, find }) => {
    const text = find === undefined ? undefined : { find, source };
    return { file, ...locate(doc, lines, at, false, text), message, path: formatPath(at) };
  });
}
