/**
 * Writes progress as fast as it can, for the crash test in progress.test.ts: each write adds a
 * quiz answer and a large verdict (so a write takes long enough to be interrupted), then
 * prints how many writes completed. Run: node --import tsx test/engine/progress-writer.ts FILE
 */
import { Progress } from '../../src/engine/progress.js';

const file = process.argv[2]!;
const progress = Progress.load('lab', 'sandbox', { file });
const padding = 'x'.repeat(256 * 1024);
for (let i = 1; ; i++) {
  progress.recordResults([
    { stepId: 'step', checkId: `check-${i}`, status: 'failed', message: padding },
  ]);
  progress.recordAnswer(`q${i}`, i);
  process.stdout.write(`${i}\n`);
}
