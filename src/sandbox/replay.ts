/**
 * A sandbox made from a journal alone: each record replayed, in order, by the sandbox's own code
 * with its recorded clock and random draws, into a fresh in-memory state. What it holds is what
 * the recorded calls produce, never a state written by hand: this is how a hand-in is graded.
 */
import { createHash } from 'node:crypto';
import { ReplayMismatch } from './core.js';
import { blobRefs, type JournalRecord } from './journal.js';
import { createCore, serve, type Sandbox } from './server.js';
import { FileStateStore } from './store.js';
import type { SandboxTiming } from './types.js';

export interface ReplayedSandbox {
  /** In memory, on 127.0.0.1, like startSandbox's; stop() when done. */
  sandbox: Sandbox;
  /** The first record that did not replay as recorded; the state is as of the record before it. */
  mismatch?: { seq: number; expected: string; got: string };
}

export async function replaySandbox(
  records: readonly JournalRecord[],
  readBlob: (sha256: string) => Promise<Buffer | undefined>,
  options: { timing?: Partial<SandboxTiming>; log?: (message: string) => void } = {},
): Promise<ReplayedSandbox> {
  const log = options.log ?? (() => undefined);
  const store = new FileStateStore(undefined);
  const core = createCore(store, options.timing, log);
  // Bodies whose content does not match their name are left out: the record that needs one fails.
  for (const id of blobRefs(records)) {
    const data = await readBlob(id);
    if (data && createHash('sha256').update(data).digest('hex') === id) await store.blobs.put(data);
  }
  let mismatch: ReplayedSandbox['mismatch'];
  core.background.setReplaying(true);
  for (const record of records) {
    try {
      await core.replay(record);
    } catch (error) {
      mismatch =
        error instanceof ReplayMismatch
          ? { seq: error.seq, expected: error.expected, got: error.got }
          : { seq: record.seq, expected: 'a record the sandbox can replay', got: String(error) };
      break;
    }
  }
  core.background.setReplaying(false);
  await core.start();
  return { sandbox: await serve(core, store, {}, log), ...(mismatch ? { mismatch } : {}) };
}
