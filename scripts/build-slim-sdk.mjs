// The slim SDK builds behind `labwright check` (see loadSlimServiceModule in src/aws/services.ts):
// for each service in src/aws/sdk-services.json, one CommonJS file with the client class and
// the operations the check library calls, tree-shaken by esbuild from the package's own ES
// modules. Only the package's files are bundled; what it imports (@smithy/*, @aws-sdk/core, ...)
// stays a require, resolved at run time from the package's folder, so it shares those modules
// with the whole package when both load.
import { build } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, URL } from 'node:url';

const services = JSON.parse(
  readFileSync(fileURLToPath(new URL('../src/aws/sdk-services.json', import.meta.url)), 'utf8'),
);
const require = createRequire(import.meta.url);

/** The folder of a client package's ES modules (dist-es), found from its CommonJS entry. */
function esmFolder(pkg) {
  const cjsEntry = require.resolve(pkg);
  const folder = path.join(path.dirname(cjsEntry), '..', 'dist-es');
  if (!existsSync(folder)) throw new Error(`${pkg} has no dist-es folder at ${folder}`);
  return folder;
}

/** The entry module of a slim build: the client class, and each operation's command and schema. */
function entrySource(service, { package: pkg, client, checkOperations }) {
  const folder = esmFolder(pkg);
  const lines = [`export { ${client} } from ${JSON.stringify(path.join(folder, `${client}.js`))};`];
  for (const operation of checkOperations) {
    const command = path.join(folder, 'commands', `${operation}Command.js`);
    if (!existsSync(command)) {
      throw new Error(
        `src/aws/sdk-services.json: ${pkg} has no operation ${operation} (${service})`,
      );
    }
    lines.push(`export { ${operation}Command } from ${JSON.stringify(command)};`);
    // The operation's schema, which coerceInput reads (src/aws/operation-schema.ts).
    lines.push(
      `export { ${operation}$ } from ${JSON.stringify(path.join(folder, 'schemas', 'schemas_0.js'))};`,
    );
  }
  return { contents: lines.join('\n'), resolveDir: folder };
}

/** Writes `<outdir>/<service>.cjs` for every service. */
export async function buildSlimSdk(outdir) {
  const entries = Object.fromEntries(
    Object.entries(services).map(([service, spec]) => [service, entrySource(service, spec)]),
  );
  await build({
    entryPoints: Object.keys(entries).map((service) => ({ in: `slim:${service}`, out: service })),
    outdir,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
    plugins: [
      {
        name: 'slim-sdk',
        setup(builder) {
          builder.onResolve({ filter: /^slim:/ }, (args) => ({
            path: args.path.slice('slim:'.length),
            namespace: 'slim',
          }));
          builder.onLoad({ filter: /.*/, namespace: 'slim' }, (args) => entries[args.path]);
          // Other packages stay requires, resolved from the client package at run time.
          builder.onResolve({ filter: /^[^./]/ }, (args) =>
            args.kind === 'entry-point' ? undefined : { path: args.path, external: true },
          );
        },
      },
    ],
  });
}
