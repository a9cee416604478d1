import { copyFileSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../package-root.js';
import { EXIT } from './usage-error.js';
import { UsageError } from './usage-error.js';

/**
 * `labwright schema [dir]`: where the lab format's JSON Schema is, for a lab outside labs/. The
 * schema ships with labwright at `<package>/labs/lab.schema.json` (installed from npm:
 * `node_modules/labwright/labs/lab.schema.json`). Without a folder, prints that path; with one,
 * copies the schema there as lab.schema.json, so `# yaml-language-server:
 * $schema=./lab.schema.json` works from any folder, and prints the line to put atop lab.yaml.
 */
export function schemaCommand(dir: string | undefined): number {
  const schema = path.join(packageRoot(), 'labs', 'lab.schema.json');
  if (dir === undefined) {
    console.log(schema);
    return EXIT.ok;
  }
  const folder = path.resolve(dir);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new UsageError(`schema ${dir}: not a folder; give the lab's folder`);
  }
  const target = path.join(folder, 'lab.schema.json');
  if (path.resolve(schema) !== target) copyFileSync(schema, target);
  console.log(`wrote ${path.relative(process.cwd(), target) || target}`);
  console.log('put this line first in lab.yaml:');
  console.log('# yaml-language-server: $schema=./lab.schema.json');
  return EXIT.ok;
}
