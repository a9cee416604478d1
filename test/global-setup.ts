import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Tests that run the real CLI (node bin/labwright.js) need the bundle: build it once per run.
 * Every test also gets state and cache folders of its run, never the developer's own: progress,
 * sandbox state, workspaces and compiled code land there (a test may still choose its own).
 */
export default function setup(): () => void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  const home = mkdtempSync(path.join(os.tmpdir(), 'labwright-tests-'));
  process.env.XDG_STATE_HOME = path.join(home, 'state');
  // The SDK's Node 20 notice, once per client in every test file, would bury real output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  process.env.XDG_CACHE_HOME = path.join(home, 'cache');
  return () => rmSync(home, { recursive: true, force: true });
}
