/** One thing wrong with a lab file, located as editors and compilers do: file:line:col. */
export interface LabProblem {
  file: string;
  line: number;
  col: number;
  message: string;
  /** Where in the lab, e.g. steps[2].checks[0].with.role; empty for the whole file. */
  path: string;
}

export function formatProblem(problem: LabProblem): string {
  const where = problem.path ? ` (at ${problem.path})` : '';
  return `${problem.file}:${problem.line}:${problem.col}: ${problem.message}${where}`;
}

/** steps[2].checks[0].with.role */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}
