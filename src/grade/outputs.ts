import path from 'node:path';
import { writeFilesAtomically } from './atomic-write.js';
import { gradebookCsv } from './gradebook-csv.js';
import { gradeJunitXml } from './junit.js';
import type { ClassResults } from './results.js';

export const OUTPUT_FILES = {
  gradebook: 'gradebook.csv',
  results: 'results.json',
  junit: 'junit.xml',
} as const;

/** Writes gradebook.csv, results.json and junit.xml into `outDir`, all or none; returns their paths. */
export async function writeGradeOutputs(
  outDir: string,
  stepIds: readonly string[],
  results: ClassResults,
): Promise<string[]> {
  await writeFilesAtomically(outDir, {
    [OUTPUT_FILES.gradebook]: gradebookCsv(stepIds, results.students),
    [OUTPUT_FILES.results]: `${JSON.stringify(results, null, 2)}\n`,
    [OUTPUT_FILES.junit]: gradeJunitXml(results),
  });
  return Object.values(OUTPUT_FILES).map((name) => path.join(outDir, name));
}
