/**
 * Commands copied from the screen, in a real terminal (tmux, with `set-clipboard on`): at 120
 * and 80 columns, every step's commands are copied with their copy keys (OSC 52 into tmux's
 * buffer) and run, after the "Your own terminal" lines, with the aws CLI in a second shell,
 * as a student pastes them; each succeeds. At 120, 80 and 60 columns, what the screen shows of
 * a long command is never broken inside a word, and pastes back to the command.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireTool } from '../support/tools.js';
import { loadLabFile } from '../../src/engine/load-lab.js';
import { splitOutsideQuotes } from '../../src/ui/text/command-lines.js';
import { interpolateString } from '../../src/lab/vars.js';
import { requireTmux, Terminal } from './tmux.js';

const ready = requireTmux() && requireTool('aws');
const repo = path.resolve(__dirname, '../..');
const STEPS = 7;

/** Reads the whole step, a page at a time, from the top: every line the content shows. */
async function wholeStep(terminal: Terminal): Promise<string[]> {
  terminal.press('Home');
  const seen: string[] = [];
  for (let page = 0; page < 30; page++) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const screen = terminal.screen();
    const lines = screen.split('\n');
    const rule = lines.findIndex((line) => /^─{5,}/.test(line));
    seen.push(...lines.slice(3, rule));
    if (rule < 0 || !/↓ more/.test(lines[rule]!)) break;
    terminal.press('NPage');
  }
  return seen;
}

/** The copy keys of the step's actions (`yN copy` beside each title), and of the terminal lines. */
function copyKeys(lines: string[]): { actions: string[]; terminal: string | undefined } {
  const actions = new Set<string>();
  let terminal: string | undefined;
  for (const [i, line] of lines.entries()) {
    const action = /\s(y\d) copy$/.exec(line);
    if (action) actions.add(action[1]!);
    const block = /^(y\d) copies this$/.exec(line);
    if (block && lines[i + 1]?.startsWith('cd ')) terminal = block[1];
  }
  return { actions: [...actions], terminal };
}

/** Copies with the copy key `yN`, as a student does, and returns what reached the clipboard. */
async function copy(terminal: Terminal, key: string): Promise<string> {
  terminal.clearBuffer();
  terminal.press('y', key.slice(1));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const text = terminal.buffer();
    if (text) return text;
    if (Date.now() > deadline) throw new Error(`${key} copied nothing`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(!ready)('commands copied from the lab, run in another terminal', () => {
  const states: string[] = [];
  const terminals: Terminal[] = [];
  afterAll(() => {
    for (const terminal of terminals) terminal.stop();
    for (const state of states) rmSync(state, { recursive: true, force: true });
  });

  for (const columns of [120, 80]) {
    it(`copies every action's command at ${columns} columns, and each runs`, async () => {
      const ignoreErrors = await ignoredErrors();
      const state = mkdtempSync(path.join(os.tmpdir(), 'labwright-copy-'));
      states.push(state);
      const terminal = new Terminal(columns, 40);
      terminals.push(terminal);
      terminal.start(repo, { XDG_STATE_HOME: state, XDG_CACHE_HOME: path.join(state, 'cache') });
      terminal.typeLine('node bin/labwright.js run sagemaker-iam-roles --step intro');
      await terminal.waitFor('Quiz 1/3');
      terminal.press('1', 'Enter', '1', 'Enter', '1', 'Enter');
      await terminal.waitFor('Checks');

      for (let step = 1; step <= STEPS; step++) {
        await terminal.waitFor(`Step ${step}/${STEPS}`);
        const { actions, terminal: shellKey } = copyKeys(await wholeStep(terminal));
        expect(shellKey).toBeDefined();
        const shell = await copy(terminal, shellKey!);
        expect(shell).toMatch(/^cd .*\nexport AWS_ENDPOINT_URL=http:\/\/127\.0\.0\.1:\d+\n/);
        for (const key of actions) {
          const command = await copy(terminal, key);
          // The student's second terminal: the lines pasted, then the command.
          const run = spawnBash(`${shell}\n${command}`);
          // As the lab says: some errors mean it was done already (a policy not attached).
          const ignored = (ignoreErrors.get(command) ?? []).some((code) =>
            run.stderr.includes(`(${code})`),
          );
          if (!ignored) expect(run.status, `${command}\n${run.stderr}`).toBe(0);
        }
        if (step < STEPS) terminal.press('n');
      }
      terminal.press('q');
      const screen = await terminal.waitFor('Continue with:');
      expect(screen).toMatch(/Continue with: (npx )?labwright run sagemaker-iam-roles/);
    }, 600_000);
  }

  it('takes p p p sent in one burst as three steps back, and keeps h, n/p, s and q in the footer at 60 columns', async () => {
    const state = mkdtempSync(path.join(os.tmpdir(), 'labwright-copy-'));
    states.push(state);
    const terminal = new Terminal(60, 24);
    terminals.push(terminal);
    terminal.start(repo, { XDG_STATE_HOME: state, XDG_CACHE_HOME: path.join(state, 'cache') });
    terminal.typeLine('node bin/labwright.js run sagemaker-iam-roles --step test-access');
    let screen = await terminal.waitFor('Step 4/7');
    const footer = (text: string) => text.trimEnd().split('\n').at(-1)!;
    for (const key of ['h hint', 'n/p step', 's steps', 'q quit'])
      expect(footer(screen)).toContain(key);
    terminal.type('ppp');
    screen = await terminal.waitFor('Step 1/7');
    // The intro's quiz is open: its keys, and still the ones to move around.
    for (const key of ['1-9 answer', 'h hint', 'n/p step', 's steps', 'q quit'])
      expect(footer(screen)).toContain(key);
    terminal.press('q');
    await terminal.waitFor('Continue with:');
  }, 120_000);

  for (const columns of [120, 80, 60]) {
    it(`shows step 5's long command unbroken inside words at ${columns} columns`, async () => {
      const state = mkdtempSync(path.join(os.tmpdir(), 'labwright-copy-'));
      states.push(state);
      const terminal = new Terminal(columns, 60);
      terminals.push(terminal);
      terminal.start(repo, { XDG_STATE_HOME: state, XDG_CACHE_HOME: path.join(state, 'cache') });
      terminal.typeLine('node bin/labwright.js run sagemaker-iam-roles --step cloudwatch-logs');
      await terminal.waitFor('Step 5/7');
      terminal.press('Tab', 'Tab');
      // The action's own command in view, to its last line (the instructions show it too).
      const screen = await terminal.waitFor(
        /› 2\. Run a training job[^\n]*\n(?:.*\n)*?.*feature_dim=2,predictor_type=binary_classifier\n/,
      );
      const lines = screen.split('\n');
      const title = lines.findIndex((line) => line.includes('› 2. Run a training job'));
      const key = /\s(y\d) copy$/.exec(lines[title]!)?.[1];
      expect(key).toBeDefined();
      const command = await copy(terminal, key!);
      expect(command).toMatch(/^aws sagemaker create-training-job --training-job-name /);
      let end = title + 1;
      while (lines[end]!.endsWith(' \\') || lines[end]!.endsWith('…')) end++;
      expect(lines[end], screen).toMatch(/feature_dim=2,predictor_type=binary_classifier$/);
      const shown = lines.slice(title + 1, end + 1);
      const words = new Set(splitOutsideQuotes(command));
      for (const line of shown) {
        const lineWords = splitOutsideQuotes(line.replace(/ \\$/, ''));
        if (line.endsWith('…')) lineWords.pop();
        for (const word of lineWords) expect(words).toContain(word);
      }
      if (!shown.some((line) => line.endsWith('…')))
        expect(shown.join('\n').replace(/ \\\n */g, ' ')).toBe(command);
      terminal.press('q');
      await terminal.waitFor('Continue with:');
    }, 120_000);
  }
});

/** The error codes each action's command may end with and still count as done, by command. */
async function ignoredErrors(): Promise<Map<string, string[]>> {
  const result = await loadLabFile(path.join(repo, 'labs/sagemaker-iam-roles/lab.yaml'), {
    checkOperations: false,
  });
  if (!result.ok) throw new Error('the lab does not load');
  const vars = {
    ...result.loaded.lab.vars,
    account: '000000000000',
    region: 'us-east-1',
    partition: 'aws',
  };
  const values = Object.fromEntries(
    Object.entries(vars).map(([name, value]) => [
      name,
      typeof value === 'string' ? value : String((value as { default?: unknown }).default ?? ''),
    ]),
  );
  const map = new Map<string, string[]>();
  for (const step of result.loaded.lab.steps)
    for (const action of step.actions)
      if (action.cli && 'ignoreErrors' in action)
        map.set(interpolateString(action.cli, values).trim(), action.ignoreErrors);
  return map;
}

function spawnBash(script: string): { status: number | null; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_ENDPOINT_URL'])
    delete env[name];
  try {
    execFileSync('bash', ['-e', '-c', script], { env, stdio: 'pipe', timeout: 60_000 });
    return { status: 0, stderr: '' };
  } catch (error) {
    const failed = error as { status: number | null; stderr?: Buffer };
    return { status: failed.status, stderr: failed.stderr?.toString() ?? '' };
  }
}
