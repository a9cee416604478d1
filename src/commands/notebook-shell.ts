import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { prepareWorkspace } from '../engine/workspace.js';
import {
  notebookSession,
  notebookTerminalHelp,
  NotebookSessionError,
  type NotebookSession,
} from './notebook-session.js';
import { withLabSession, type LabCommandOptions } from './target-session.js';
import { EXIT } from './usage-error.js';

/**
 * `labwright notebook-shell <lab> <notebook> [-- command...]`: the notebook's terminal. Runs a
 * command (by default your shell) in the lab's workspace with a session of the notebook's
 * execution role, issued as SageMaker issues it (src/commands/notebook-session.ts), so a script
 * the lesson runs in the notebook meets the role's permissions, AccessDenied included. On real
 * AWS it says how to open the notebook's own terminal instead. Exits with the command's code.
 */
export function notebookShellCommand(
  lab: string,
  notebook: string,
  command: string[],
  options: LabCommandOptions,
): Promise<number> {
  return withLabSession(lab, options, async ({ session, loaded, target }) => {
    const { info } = target.connection;
    if (info.kind === 'aws') {
      for (const line of notebookTerminalHelp(notebook, info.region)) console.log(line);
      return EXIT.ok;
    }
    let notebookRole: NotebookSession;
    try {
      notebookRole = await notebookSession(target.connection, notebook, {
        onWait: (status) =>
          console.error(`labwright: notebook ${notebook} is ${status}; waiting for InService…`),
      });
    } catch (error) {
      if (!(error instanceof NotebookSessionError)) throw error;
      console.error(`labwright: ${error.message}`);
      return EXIT.checkFailed;
    }
    const cwd = prepareWorkspace(loaded.dir, loaded.lab.id, session.vars);
    const how =
      notebookRole.issuedAs === 'sagemaker'
        ? 'assumed by SageMaker, as in the notebook'
        : 'a plain sts:AssumeRole with your credentials: this endpoint cannot act as SageMaker, and enforces the role only if it enforces IAM';
    console.error(
      `labwright: notebook ${notebook}'s terminal, as ${notebookRole.arn} (${how}), in ${cwd}${command.length ? '' : '; exit leaves it'}`,
    );
    const env = notebookEnv(process.env, notebookRole, info.endpoint!, info.region);
    return runAs(command, env, cwd, `(notebook ${notebook} as ${notebookRole.roleName})`);
  });
}

/**
 * The environment of the notebook's terminal: yours, with the role's session instead of any
 * credentials or profile of your own, the target's endpoint and region, and a prompt marker.
 */
export function notebookEnv(
  base: NodeJS.ProcessEnv,
  notebookRole: NotebookSession,
  endpoint: string,
  region: string,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) if (value !== undefined) env[name] = value;
  // A profile would win over the session in botocore, and an old token would not match it.
  for (const name of ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SECURITY_TOKEN']) delete env[name];
  env.AWS_ACCESS_KEY_ID = notebookRole.credentials.accessKeyId;
  env.AWS_SECRET_ACCESS_KEY = notebookRole.credentials.secretAccessKey;
  env.AWS_SESSION_TOKEN = notebookRole.credentials.sessionToken;
  env.AWS_ENDPOINT_URL = endpoint;
  env.AWS_REGION = env.AWS_DEFAULT_REGION = region;
  env.LABWRIGHT_NOTEBOOK = notebookRole.notebook;
  return env;
}

/** Runs the command (or an interactive shell with `marker` in its prompt); resolves to its exit code. */
async function runAs(
  command: string[],
  env: Record<string, string>,
  cwd: string,
  marker: string,
): Promise<number> {
  let file: string;
  let args: string[];
  let rcDir: string | undefined;
  if (command.length) {
    [file, ...args] = command as [string, ...string[]];
  } else {
    file = env.SHELL || 'bash';
    args = [];
    env.PS1 = `${marker} \\w \\$ `;
    if (path.basename(file) === 'bash') {
      // bash's own rc files set PS1: set the marker after them.
      rcDir = mkdtempSync(path.join(os.tmpdir(), 'labwright-notebook-'));
      const rc = path.join(rcDir, 'bashrc');
      writeFileSync(
        rc,
        `[ -f ~/.bashrc ] && . ~/.bashrc\nPS1=${JSON.stringify(`${marker} `)}"$PS1"\n`,
        { mode: 0o600 },
      );
      args = ['--rcfile', rc, '-i'];
    }
  }
  // Ctrl-C is the command's to handle, as in any terminal: labwright waits for it to end.
  const ignore = () => undefined;
  process.on('SIGINT', ignore);
  try {
    return await new Promise<number>((resolve) => {
      const child = spawn(file, args, { cwd, env, stdio: 'inherit' });
      child.on('error', (error) => {
        console.error(`labwright: could not run ${file}: ${error.message}`);
        resolve(127);
      });
      child.on('close', (code, signal) =>
        resolve(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 1)),
      );
    });
  } finally {
    process.off('SIGINT', ignore);
    if (rcDir) rmSync(rcDir, { recursive: true, force: true });
  }
}
