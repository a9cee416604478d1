import * as z from 'zod';
import { spawn } from 'node:child_process';
import { defineCheckSpec, type CheckType } from './define.js';
import { errored, failed, passed } from './support/outcome.js';
import { shellEnvironment, shellLine } from '../src/lab/vars.js';

export const shell = defineCheckSpec({
  type: 'shell',
  summary: "Run a command with the target's AWS environment; exit 0 passes.",
  docs: {
    judges:
      "Runs a bash command with the target's AWS environment (endpoint, credentials, region) and the lab's variables as environment variables; it passes when the command exits 0 and, with `outputMatches`, its stdout matches. The escape hatch for what only a program can judge; its message is the command's output, so prefer a dedicated check.",
    calls: ['any: what the command calls'],
    example: {
      run: 'aws s3api head-object --bucket "$bucket" --key data/train.csv',
      timeoutSeconds: 30,
    },
  },
  with: z.strictObject({
    run: z.string().min(1).describe('A shell command (bash)'),
    outputMatches: z.string().optional().describe('A regular expression stdout must match'),
    timeoutSeconds: z.number().int().min(1).max(600).default(60),
  }),
});

/** Output kept for the message and evidence: the end is where errors are. */
const OUTPUT_LIMIT = 64 * 1024;

interface ShellResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  spawnError?: Error;
}

function runBash(
  command: string,
  options: { cwd: string; env: Record<string, string>; timeoutMs: number; signal: AbortSignal },
): Promise<ShellResult> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', command], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so a timeout ends the command's children too.
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const keep = (buffer: string, chunk: Buffer) =>
      (buffer + chunk.toString()).slice(-OUTPUT_LIMIT);
    child.stdout.on('data', (chunk: Buffer) => (stdout = keep(stdout, chunk)));
    child.stderr.on('data', (chunk: Buffer) => (stderr = keep(stderr, chunk)));
    const kill = () => {
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, options.timeoutMs);
    options.signal.addEventListener('abort', kill, { once: true });
    child.on('error', (spawnError) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, stdout, stderr, timedOut, spawnError });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', kill);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

function tail(text: string, lines = 5): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export const shellCheck: CheckType<typeof shell.with> = {
  ...shell,
  async run(input, ctx) {
    let pattern: RegExp | undefined;
    if (input.outputMatches) {
      try {
        pattern = new RegExp(input.outputMatches, 'm');
      } catch (error) {
        return errored(
          `outputMatches is not a valid regular expression: ${(error as Error).message}`,
        );
      }
    }
    // Variables reach bash as environment variables, never pasted into the command.
    const result = await runBash(shellLine(input.run), {
      cwd: ctx.cwd,
      env: shellEnvironment(ctx.env, ctx.vars),
      timeoutMs: input.timeoutSeconds * 1000,
      signal: ctx.signal,
    });
    const evidence = {
      command: input.run,
      exitCode: result.code,
      stdout: tail(result.stdout, 20),
      stderr: tail(result.stderr, 20),
    };
    if (result.spawnError) {
      return errored(`could not run bash: ${result.spawnError.message}`, evidence);
    }
    if (result.timedOut) {
      return failed(`\`${input.run}\` did not finish within ${input.timeoutSeconds} s`, evidence);
    }
    if (result.code !== 0) {
      const said = tail(result.stderr) || tail(result.stdout);
      return failed(
        `\`${input.run}\` exited with ${result.code ?? result.signal}${said ? `: ${said}` : ''}`,
        evidence,
      );
    }
    if (pattern && !pattern.test(result.stdout)) {
      return failed(
        `\`${input.run}\` succeeded, but its output does not match /${input.outputMatches}/` +
          (result.stdout.trim()
            ? `; it printed: ${tail(result.stdout, 3)}`
            : '; it printed nothing'),
        evidence,
      );
    }
    return passed(
      `\`${input.run}\` succeeded${pattern ? ` and printed what was expected` : ''}`,
      evidence,
    );
  },
};
