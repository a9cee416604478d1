import chalk from 'chalk';
import { DEFAULT_REGION } from '../aws/target.js';
import {
  defaultSandboxStateDir,
  findRunningSandbox,
  startRecordedSandbox,
  PREFERRED_PORT,
} from './sandbox-target.js';
import { EXIT, UsageError } from './usage-error.js';

export interface SandboxCommandOptions {
  port?: string;
  state?: string;
  reset?: boolean;
}

/**
 * `labwright sandbox`: the embedded AWS emulator on its own, in the foreground, so the aws
 * CLI, boto3 and `labwright check` in other terminals share it. Prints the endpoint and the
 * environment to export; Ctrl-C stops it cleanly (state is saved).
 */
export async function sandboxCommand(options: SandboxCommandOptions): Promise<number> {
  const port = parsePort(options.port);
  const stateDir = options.state ?? defaultSandboxStateDir();
  const running = await findRunningSandbox(stateDir);
  if (running) {
    console.error(
      `labwright: a sandbox is already running for ${stateDir} at ${running.endpoint} (pid ${running.pid}); use it, or stop it first`,
    );
    return EXIT.target;
  }
  let sandbox;
  try {
    sandbox = await startRecordedSandbox({
      stateDir,
      port,
      ...(options.reset ? { reset: true } : {}),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      console.error(
        `labwright: port ${port} is already in use (LocalStack or another sandbox?): stop it, or pick another port with --port, or --port 0 for any free one`,
      );
      return EXIT.target;
    }
    if (code === 'EACCES') {
      console.error(
        `labwright: labwright may not listen on port ${port}: pick another with --port`,
      );
      return EXIT.target;
    }
    throw error;
  }
  const out = process.stdout;
  out.write(`${chalk.bold('labwright sandbox')} listening on ${chalk.cyan(sandbox.endpoint)}\n`);
  out.write(chalk.dim(`state: ${stateDir}${options.reset ? ' (reset)' : ''}\n`));
  out.write('\nIn another terminal, point the aws CLI, boto3 and the SDKs at it:\n\n');
  out.write(`export AWS_ENDPOINT_URL=${sandbox.endpoint}\n`);
  out.write('export AWS_ACCESS_KEY_ID=test\n');
  out.write('export AWS_SECRET_ACCESS_KEY=test\n');
  out.write(`export AWS_DEFAULT_REGION=${DEFAULT_REGION}\n`);
  out.write(`\nlabwright commands on the sandbox target use it too. Ctrl-C stops it.\n`);

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await sandbox.stop();
  if (!sandbox.saved()) {
    out.write(
      '\nsandbox stopped, but its last calls could not be saved (see the message above).\n',
    );
    return EXIT.target;
  }
  out.write('\nsandbox stopped; its state is saved.\n');
  return EXIT.ok;
}

function parsePort(text: string | undefined): number {
  if (text === undefined) return PREFERRED_PORT;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) {
    throw new UsageError(`--port must be a port number from 0 to 65535, not "${text}"`);
  }
  return port;
}
