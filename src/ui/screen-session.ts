import { inspect } from 'node:util';

/**
 * The terminal while the TUI owns it: the alternate screen (so quitting gives the student's
 * shell back as it was), a hidden cursor, and stderr held back so a stray warning cannot
 * tear the frame. `restore()` undoes all of it, once, whatever way the process ends.
 */

const ENTER_ALT = '\u001B[?1049h\u001B[H';
const LEAVE_ALT = '\u001B[?1049l';
const SHOW_CURSOR = '\u001B[?25h';

export interface ScreenSession {
  /** What was written to stderr meanwhile, to print after the screen is restored. */
  held(): string;
  restore(): void;
}

export function takeScreen(stdout: NodeJS.WriteStream = process.stdout): ScreenSession {
  stdout.write(ENTER_ALT);
  const held: string[] = [];
  const originalWrite = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    held.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stderr.write;

  // console.log from anywhere (a check, the SDK) would tear the frame: hold it with stderr.
  const consoleMethods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const originalConsole = consoleMethods.map((name) => console[name]);
  for (const name of consoleMethods) {
    console[name] = (...args: unknown[]) => {
      held.push(`${args.map((arg) => (typeof arg === 'string' ? arg : inspect(arg))).join(' ')}\n`);
    };
  }

  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    process.stderr.write = originalWrite;
    consoleMethods.forEach((name, i) => {
      console[name] = originalConsole[i]!;
    });
    stdout.write(SHOW_CURSOR + LEAVE_ALT);
    process.off('exit', restore);
  };
  // Whatever ends the process (an uncaught error, a kill), the terminal comes back.
  process.on('exit', restore);
  return { held: () => held.join(''), restore };
}
