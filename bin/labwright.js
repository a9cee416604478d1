#!/usr/bin/env node
// The published entry: the bundled CLI in dist/ (built by `npm install` / `npm run build`).
import { existsSync, readFileSync } from 'node:fs';
import module from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { URL } from 'node:url';

const args = process.argv.slice(2);
// `labwright --version` alone answers from package.json, before the CLI and its parser load.
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  console.log(
    JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version,
  );
  process.exit(0);
}

const bundle = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(bundle)) {
  console.error(
    'labwright: dist/cli.js is missing; run `npm install` (or `npm run build`) in the labwright folder.',
  );
  process.exit(2);
}
// Node 22.1+ keeps compiled code between runs itself, ours included; Node 20 has no such cache,
// and there labwright keeps the AWS SDK's compiled code on its own (src/aws/code-cache.ts).
if (typeof module.enableCompileCache === 'function' && !process.env.LABWRIGHT_NO_CODE_CACHE) {
  const cacheHome = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  module.enableCompileCache(path.join(cacheHome, 'labwright', 'node-compile-cache'));
}
const { main } = await import(bundle.href);
process.exitCode = await main(args);
