/** What the quit line and the completion screen tell the student to type. */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labwrightCommand } from '../../src/ui/command-name.js';

describe('the command a student types', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'labwright-path-'));
  const bin = path.join(dir, 'bin');
  const npmBin = path.join(dir, 'project', 'node_modules', '.bin');
  for (const folder of [bin, npmBin]) {
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'labwright'), '#!/bin/sh\n');
    chmodSync(path.join(folder, 'labwright'), 0o755);
  }
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is labwright when it is on the PATH', () => {
    expect(labwrightCommand({ PATH: `/nowhere${path.delimiter}${bin}` })).toBe('labwright');
  });

  it('is npx labwright when it is not, or only on the PATH npm gives its own scripts', () => {
    expect(labwrightCommand({ PATH: '/nowhere' })).toBe('npx labwright');
    expect(labwrightCommand({ PATH: npmBin })).toBe('npx labwright');
    expect(labwrightCommand({})).toBe('npx labwright');
  });
});
