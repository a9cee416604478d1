/**
 * The TUI on a real lab, a real engine and the embedded sandbox (in memory), rendered with
 * ink-testing-library at a chosen terminal size. Keys go in through stdin; frames are read
 * with bounded waits for what a student would see.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { render } from 'ink-testing-library';
import { connect, type Connection } from '../../src/aws/connect.js';
import { loadLabFile } from '../../src/engine/load-lab.js';
import { Progress } from '../../src/engine/progress.js';
import { openLab, type LabSession } from '../../src/engine/runner.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { App, type AppProps } from '../../src/ui/App.js';
import { sessionFromEngine } from '../../src/ui/engine-session.js';
import type { TuiSession } from '../../src/ui/session.js';

export const LAB_FILE = path.resolve(__dirname, '../../labs/sagemaker-iam-roles/lab.yaml');
/** Two steps, one action and one check each: for what spans a whole lab. */
export const TWO_STEPS = path.resolve(__dirname, 'fixtures/two-steps/lab.yaml');
/** One step: an action shown only by its call, with a `{ file: }` document, and a `solveOnly` fix. */
export const BOUND_TEXT = path.resolve(__dirname, 'fixtures/bound-text/lab.yaml');

export interface TestLab {
  sandbox: Sandbox;
  connection: Connection;
  engine: LabSession;
  session: TuiSession;
  /** Runs a step's reference actions from "another terminal": nothing the TUI sees but the effect. */
  actElsewhere(stepId: string): Promise<void>;
  /** Where progress is saved. */
  progressFile: string;
  close(): Promise<void>;
}

/**
 * A lab (the lesson's, by default) on a fresh in-memory sandbox, with progress saved in a
 * temporary file; `vars` as `--var` gives them.
 */
export async function openTestLab(
  file = LAB_FILE,
  vars: Readonly<Record<string, string>> = {},
): Promise<TestLab> {
  // Notebooks and training jobs settle at once: the lab's checks do not wait on the clock.
  const sandbox = await startSandbox({
    port: 0,
    memory: true,
    log: () => undefined,
    timing: { notebookTransitionMs: 20, trainingJobMs: 50 },
  });
  const connection = await connect({
    kind: 'sandbox',
    region: 'us-east-1',
    endpoint: sandbox.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const result = await loadLabFile(file, { checkOperations: false });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'labwright-ui-'));
  const progressFile = path.join(dir, 'progress.json');
  const progress = Progress.load(result.loaded.lab.id, connection.key, { file: progressFile });
  const engine = openLab({ lab: result.loaded, connection, progress, vars });
  return {
    sandbox,
    connection,
    engine,
    session: sessionFromEngine(engine, result.loaded.dir),
    progressFile,
    async actElsewhere(stepId) {
      const elsewhere = openLab({
        lab: result.loaded,
        connection,
        vars,
        progress: Progress.inMemory(result.loaded.lab.id, connection.key),
      });
      await elsewhere.runActions(stepId);
    },
    async close() {
      connection.close();
      await sandbox.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type Rendered = ReturnType<typeof render> & {
  /** Sets the terminal size, as a resize does. */
  resize(columns: number, rows: number): void;
  /** Presses keys: text as typed, or names from `keys`. */
  press(...input: string[]): Promise<void>;
  /** Waits for the screen to show `expected` and returns the frame. */
  waitFor(
    expected: string | RegExp | ((frame: string) => boolean),
    timeoutMs?: number,
  ): Promise<string>;
  frame(): string;
};

export const keys = {
  enter: '\r',
  tab: '\t',
  escape: '\u001B',
  down: '\u001B[B',
  up: '\u001B[A',
  end: '\u001B[F',
  ctrlC: '\u0003',
};

/** True when a frame is exactly `rows` lines, none wider than `columns`. */
export const fitsIn = (columns: number, rows: number) => (frame: string) => {
  const lines = frame.split('\n');
  return lines.length === rows && lines.every((line) => [...line].length <= columns);
};

export async function renderApp(
  props: Omit<AppProps, 'onQuit'> & { onQuit?: () => void },
  columns = 80,
  rows = 24,
): Promise<Rendered> {
  const app = render(<App onQuit={() => undefined} {...props} />);
  const resize = (c: number, r: number) => {
    Object.defineProperty(app.stdout, 'columns', { value: c, configurable: true });
    Object.defineProperty(app.stdout, 'rows', { value: r, configurable: true });
    app.stdout.emit('resize');
  };
  const frame = () => app.lastFrame() ?? '';
  const waitFor: Rendered['waitFor'] = async (expected, timeoutMs = 20_000) => {
    const matches = (text: string) =>
      typeof expected === 'string'
        ? text.includes(expected)
        : expected instanceof RegExp
          ? expected.test(text)
          : expected(text);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (matches(frame())) return frame();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`the screen never showed ${String(expected)}; it shows:\n${frame()}`);
  };
  const press = async (...input: string[]) => {
    for (const text of input) {
      app.stdin.write(text);
      // Let Ink handle the key and React commit before the next one, as a typist would.
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
  };
  resize(columns, rows);
  await waitFor(fitsIn(columns, rows));
  return Object.assign(app, { resize, press, waitFor, frame });
}
