/**
 * A real terminal for end-to-end TUI tests: a tmux server of our own (its own socket), one
 * 80x24 window running bash, driven with send-keys and read with capture-pane, as a student
 * at a keyboard would drive it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { inCI } from '../support/tools.js';

/** True when tmux runs here; false to skip; throws under CI, where a skip would hide a gap. */
export function requireTmux(): boolean {
  const ok = spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0;
  if (ok) return true;
  if (inCI()) throw new Error('tmux is required when CI is set, but it is not installed');
  return false;
}

export class Terminal {
  private readonly socket = `labwright-e2e-${process.pid}-${Date.now()}`;
  private readonly target = 'student';

  constructor(
    readonly columns = 80,
    readonly rows = 24,
  ) {}

  /**
   * Starts bash in a fresh window of the given size. The terminal gets only `env` and the
   * basics: with CI variables in its environment Ink would not draw interactively.
   */
  start(cwd: string, env: Record<string, string>): void {
    const environment = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/root',
      LANG: 'C.UTF-8',
      LC_ALL: 'C.UTF-8',
      TERM: 'xterm-256color',
      ...env,
    };
    this.tmux(
      [
        '-u',
        '-f',
        '/dev/null',
        'new-session',
        '-d',
        '-s',
        this.target,
        '-x',
        String(this.columns),
        '-y',
        String(this.rows),
        '-c',
        cwd,
        'bash --norc --noprofile',
      ],
      environment,
    );
    this.tmux(['set-option', '-t', this.target, 'status', 'off']);
    // What a student sets for the copy keys (OSC 52) to reach the clipboard through tmux.
    this.tmux(['set-option', '-s', 'set-clipboard', 'on']);
  }

  /** What the programs in the window last copied (OSC 52 lands in tmux's buffer); '' if nothing. */
  buffer(): string {
    const shown = spawnSync('tmux', ['-L', this.socket, 'show-buffer'], { encoding: 'utf8' });
    return shown.status === 0 ? shown.stdout : '';
  }

  /** Forgets what was copied. */
  clearBuffer(): void {
    spawnSync('tmux', ['-L', this.socket, 'delete-buffer'], { stdio: 'ignore' });
  }

  /** Types a line and presses Enter. */
  typeLine(text: string): void {
    this.tmux(['send-keys', '-t', this.target, '-l', text]);
    this.tmux(['send-keys', '-t', this.target, 'Enter']);
  }

  /** Types text in one write, as a fast typist or a paste delivers it. */
  type(text: string): void {
    this.tmux(['send-keys', '-t', this.target, '-l', text]);
  }

  /** Presses keys by tmux name: `Enter`, `C-c`, `End`, or a literal character. */
  press(...keys: string[]): void {
    for (const key of keys) this.tmux(['send-keys', '-t', this.target, key]);
  }

  /** What the window shows now; with `escapes`, with the colour and style codes it shows them in. */
  screen(options: { escapes?: boolean } = {}): string {
    return this.tmux(['capture-pane', '-p', ...(options.escapes ? ['-e'] : []), '-t', this.target]);
  }

  /**
   * Waits until the screen shows `expected` (a string or a pattern) and returns the screen.
   * Bounded: a TUI that never shows it fails with the last screen in the message.
   */
  async waitFor(expected: string | RegExp, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let screen = '';
    while (Date.now() < deadline) {
      screen = this.screen();
      if (typeof expected === 'string' ? screen.includes(expected) : expected.test(screen))
        return screen;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the terminal never showed ${String(expected)}; it shows:\n${screen}`);
  }

  stop(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server'], { stdio: 'ignore' });
  }

  private tmux(args: string[], env?: Record<string, string>): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], {
      encoding: 'utf8',
      ...(env ? { env } : {}),
    });
  }
}
