// What bin/labwright.js does with the bundle, from the sources: for tests that need the CLI as
// its own process (that it exits, what it prints to a pipe).
import { main } from '../../../src/cli.js';

process.exitCode = await main(process.argv.slice(2));
