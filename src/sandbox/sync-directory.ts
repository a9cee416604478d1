import { open, type FileHandle } from 'node:fs/promises';

/**
 * fsync of a directory makes a rename or a new file in it durable; not every platform can open
 * one (those errors pass). Any other failure is thrown: the caller decides what it costs.
 */
export async function syncDirectory(path: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL') throw error;
  } finally {
    await handle?.close();
  }
}

/**
 * The same for a snapshot's folders, where a failure costs nothing: the journal still holds
 * every record, so the snapshot is as durable as the file system makes it.
 */
export function syncSnapshotDirectory(path: string): Promise<void> {
  return syncDirectory(path).catch(() => undefined);
}
