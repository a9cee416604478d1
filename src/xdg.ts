import os from 'node:os';
import path from 'node:path';

/**
 * labwright's folders, as the XDG base directory convention places them: state that must
 * survive (progress, the sandbox, workspaces) and caches that may be deleted at any time.
 */

type Env = Readonly<Record<string, string | undefined>>;

/** `${XDG_STATE_HOME:-~/.local/state}/labwright` */
export function stateDir(env: Env = process.env): string {
  const base = env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  return path.join(base, 'labwright');
}

/** `${XDG_CACHE_HOME:-~/.cache}/labwright` */
export function cacheDir(env: Env = process.env): string {
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'labwright');
}
