/**
 * Hand-in test helpers: the real CLI (bin/labwright.js, built by test/global-setup.ts) run as
 * its own process without blocking this one (the student's sandbox lives here and must answer),
 * and hand-ins rewritten the way a student with an editor would.
 */
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { packHandIn, unpackHandIn, type HandIn } from '../../src/handin/format.js';

const BIN = path.resolve(__dirname, '../../bin/labwright.js');

export interface CliRun {
  code: number | null;
  out: string;
  err: string;
}

export function labwrightAsync(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', ...options.env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

export async function readHandIn(file: string): Promise<HandIn> {
  return unpackHandIn(await readFile(file));
}

/** Writes a hand-in with its seal recomputed (an edit the journal's chain must still catch). */
export async function writeHandIn(file: string, handIn: HandIn): Promise<void> {
  const { seal: _seal, ...body } = handIn.body;
  await writeFile(file, packHandIn(handIn.header, body));
}
