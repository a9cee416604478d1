import { blobRefs, replaySandbox, verifyChain, type JournalRecord } from './journal.js';
import type { Sandbox } from '../sandbox/server.js';
import { HandInError, sealOf, sha256, type HandIn } from './format.js';
import type { LabIdentity } from './lab-version.js';

/**
 * What makes a hand-in gradable: it is for this lab and version, its journal's chain is intact,
 * its seal matches every other part, the bytes its calls uploaded are all there and are what
 * their hashes say; and replaying its journal with the sandbox's own code gives, call by call,
 * the outcomes it records. Each failure is a HandInError naming the record and the reason.
 */

export function verifyHandIn(handIn: HandIn, lab: Pick<LabIdentity, 'id' | 'version'>): void {
  const { header, body } = handIn;
  if (header.lab !== lab.id) {
    throw new HandInError(`a hand-in for lab ${header.lab}, not ${lab.id}`);
  }
  if (header.labVersion !== lab.version) {
    throw new HandInError(
      `a hand-in for version ${header.labVersion} of lab ${lab.id}, which is graded at version ${lab.version}`,
    );
  }
  const chain = verifyChain(body.journal);
  if (!chain.ok) {
    throw new HandInError(`record ${chain.seq}${what(body.journal, chain.seq)}: ${chain.reason}`);
  }
  if (sealOf(header, body) !== body.seal) {
    throw new HandInError(
      "the hand-in was changed after it was written: its journal's chain is intact but its seal does not match (the variables, progress, files or report were edited)",
    );
  }
  for (const [hash, base64] of Object.entries(body.blobs)) {
    if (sha256(Buffer.from(base64, 'base64')) !== hash) {
      throw new HandInError(
        `the uploaded bytes stored as ${hash.slice(0, 12)}… are not what their hash says`,
      );
    }
  }
  for (const hash of blobRefs(body.journal)) {
    if (!(hash in body.blobs)) {
      const seq = body.journal.find((record) => JSON.stringify(record.input).includes(hash))?.seq;
      throw new HandInError(
        `${seq ? `record ${seq}${what(body.journal, seq)}: ` : ''}the uploaded bytes ${hash.slice(0, 12)}… are missing from the hand-in`,
      );
    }
  }
}

/** Replays a verified hand-in into a fresh in-memory sandbox; the caller stops it. */
export async function replayHandIn(handIn: HandIn): Promise<Sandbox> {
  const { body } = handIn;
  let replayed: Awaited<ReturnType<typeof replaySandbox>>;
  try {
    replayed = await replaySandbox(body.journal, async (hash) =>
      hash in body.blobs ? Buffer.from(body.blobs[hash]!, 'base64') : undefined,
    );
  } catch (error) {
    throw new HandInError(`the journal cannot be replayed: ${(error as Error).message}`);
  }
  const { sandbox, mismatch } = replayed;
  if (mismatch) {
    await sandbox.stop();
    const outcome = (code: string) => (!code || code === 'ok' ? 'success' : code);
    throw new HandInError(
      `record ${mismatch.seq}${what(body.journal, mismatch.seq)}: replayed, it gives ${outcome(mismatch.got)} where the hand-in records ${outcome(mismatch.expected)}`,
    );
  }
  return sandbox;
}

/** ` (iam:PutRolePolicy)`: what a record was, for the error row. */
function what(journal: readonly JournalRecord[], seq: number): string {
  const record = journal.find((candidate) => candidate.seq === seq);
  if (!record || typeof record.service !== 'string' || typeof record.operation !== 'string') {
    return '';
  }
  return ` (${record.kind === 'task' ? 'task ' : ''}${record.service}:${record.operation})`;
}
