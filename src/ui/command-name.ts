import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/**
 * How the student runs labwright from their shell: `labwright` when it is on the PATH (after
 * `npm link` or a global install), else `npx labwright`, which works in the project folder
 * after a plain `npm install`.
 */
export function labwrightCommand(env: NodeJS.ProcessEnv = process.env): string {
  // npm start and npx put their own folders on the PATH for the run: not the student's shell's.
  const dirs = (env.PATH ?? '')
    .split(path.delimiter)
    .filter((dir) => dir && !/[\\/](?:node_modules[\\/]\.bin|_npx)(?:[\\/]|$)/.test(dir));
  const names = process.platform === 'win32' ? ['labwright.cmd', 'labwright.exe'] : ['labwright'];
  for (const dir of dirs) {
    for (const name of names) {
      try {
        accessSync(path.join(dir, name), constants.X_OK);
        return 'labwright';
      } catch {
        // Not here.
      }
    }
  }
  return 'npx labwright';
}
