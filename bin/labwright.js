#!/usr/bin/env node
// The published entry: the bundled CLI in dist/ (built by `npm install` / `npm run build`).
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(bundle)) {
  console.error(
    'labwright: dist/cli.js is missing; run `npm install` (or `npm run build`) in the labwright folder.',
  );
  process.exit(2);
}
const { main } = await import(bundle.href);
process.exitCode = await main(process.argv.slice(2));
