import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes several files so that none is ever seen half-written: each goes to a temporary
 * file beside it, flushed to disk, and only when all are written are they renamed into
 * place (a rename within a folder is atomic). A failure leaves the old files as they were.
 */
export async function writeFilesAtomically(
  dir: string,
  files: Readonly<Record<string, string>>,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const suffix = `.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const written: { temporary: string; final: string }[] = [];
  try {
    for (const [name, content] of Object.entries(files)) {
      const final = path.join(dir, name);
      const temporary = final + suffix;
      written.push({ temporary, final });
      const handle = await open(temporary, 'w');
      try {
        await handle.writeFile(content, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    for (const { temporary, final } of written) await rename(temporary, final);
  } catch (error) {
    await Promise.all(written.map(({ temporary }) => rm(temporary, { force: true })));
    throw error;
  }
}
