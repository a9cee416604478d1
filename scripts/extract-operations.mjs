// Writes src/aws/operations.json: for each service labwright speaks, every SDK v3 operation and
// the input members the service model requires, and its waiters. `labwright validate` reads this table instead
// of loading the SDK packages (most of its time), and a test keeps it equal to the packages.
// Run: node scripts/extract-operations.mjs
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const services = JSON.parse(
  (await import('node:fs')).readFileSync(path.join(root, 'src/aws/sdk-services.json'), 'utf8'),
);

export function operationTable() {
  const table = {};
  for (const [service, { package: name }] of Object.entries(services)) {
    const module = require(name);
    const operations = {};
    const waiters = [];
    for (const key of Object.keys(module).sort()) {
      if (key.startsWith('waitUntil')) waiters.push(key.slice('waitUntil'.length));
      if (!key.endsWith('Command') || key === 'Command') continue;
      const operation = key.slice(0, -'Command'.length);
      operations[operation] = requiredMembers(module[`${operation}$`]);
    }
    table[service] = { operations, waiters };
  }
  return table;
}

/** A structure schema is [3, namespace, name, traits, memberNames, members, requiredCount]. */
function requiredMembers(op) {
  if (!Array.isArray(op) || typeof op[4] !== 'function') return [];
  const input = op[4]();
  if (!Array.isArray(input) || input[0] !== 3 || !Array.isArray(input[4])) return [];
  const count = typeof input[6] === 'number' ? input[6] : 0;
  return input[4].slice(0, count);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = path.join(root, 'src/aws/operations.json');
  writeFileSync(file, `${JSON.stringify(operationTable())}\n`);
  console.log(`wrote ${path.relative(root, file)}`);
}
