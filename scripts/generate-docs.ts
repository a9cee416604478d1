// Writes docs/checks.md, docs/sandbox.md and src/sandbox/operations.json (what `validate` warns
// about on the sandbox) from the code. test/docs/generated-docs.test.ts fails when they are stale.
import { writeFileSync } from 'node:fs';
import { checkSpecs } from '../checks/index.js';
import { checksDoc } from './docs/checks-doc.js';
import { sandboxDoc } from './docs/sandbox-doc.js';
import { implementedOperations } from '../src/sandbox/implemented-operations.js';

const operations = implementedOperations();
const files: [string, string][] = [
  ['../docs/checks.md', checksDoc(checkSpecs.values(), operations)],
  ['../docs/sandbox.md', sandboxDoc(operations)],
  ['../src/sandbox/operations.json', `${JSON.stringify(operations, null, 2)}\n`],
];
for (const [file, text] of files) {
  const target = new URL(file, import.meta.url);
  writeFileSync(target, text);
  console.log(`wrote ${target.pathname}`);
}
