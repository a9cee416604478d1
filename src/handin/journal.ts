/** The sandbox's journal, as hand-ins use it: the one place that names the lead's modules. */
export { blobRefs, readJournal, verifyChain, type JournalRecord } from '../sandbox/journal.js';
export { replaySandbox } from '../sandbox/replay.js';
