/**
 * The notebook's terminal in a real terminal (tmux): `labwright notebook-shell` with no command
 * opens the student's shell with its prompt marked, the aws CLI in it runs as the notebook's
 * role, and `exit` comes back with the shell's exit code.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/server.js';
import { requireTool } from '../support/tools.js';
import { labwright, makeHome, sharedSandbox, type Home } from '../engine/support.js';
import { requireTmux, Terminal } from './tmux.js';

const ready = requireTmux() && requireTool('aws');
const repo = path.resolve(__dirname, '../..');

let home: Home;
let sandbox: Sandbox;
let terminal: Terminal | undefined;

beforeAll(async () => {
  if (!ready) return;
  home = makeHome();
  sandbox = await sharedSandbox(home);
  const solved = await labwright(home, [
    'solve',
    'sagemaker-iam-roles',
    '--step',
    'create-role',
    '--step',
    'assign-role',
  ]);
  expect(solved.status, solved.stdout + solved.stderr).toBe(0);
}, 240_000);

afterAll(async () => {
  terminal?.stop();
  await sandbox?.stop();
});

describe.skipIf(!ready)("the notebook's terminal, in a real terminal", () => {
  it('opens a shell marked as the notebook, running as its role, and exits with its code', async () => {
    terminal = new Terminal(120, 30);
    terminal.start(repo, {
      XDG_STATE_HOME: home.stateHome,
      XDG_CACHE_HOME: path.join(home.dir, 'cache'),
      SHELL: '/bin/bash',
      ...(process.env.PYENV_ROOT ? { PYENV_ROOT: process.env.PYENV_ROOT } : {}),
    });
    terminal.typeLine(
      'node bin/labwright.js notebook-shell sagemaker-iam-roles MyNotebookInstance',
    );
    await terminal.waitFor('(notebook MyNotebookInstance as SageMakerExecutionRole)', 90_000);
    terminal.typeLine('aws sts get-caller-identity --query Arn --output text');
    await terminal.waitFor(
      'arn:aws:sts::000000000000:assumed-role/SageMakerExecutionRole/SageMaker',
      60_000,
    );
    terminal.typeLine('exit 3');
    terminal.typeLine('echo "back with $?"');
    const screen = await terminal.waitFor('back with 3', 30_000);
    expect(screen).toContain("labwright: notebook MyNotebookInstance's terminal");
  }, 240_000);
});
