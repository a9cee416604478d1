import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { LoadedLab } from '../lab/load.js';

/**
 * Which lab a hand-in is for: its id, and its version. The version is the lab's `version` field
 * when the author wrote one; otherwise a hash of the lab's files, so a hand-in made against
 * different files is never graded by a lab that merely shares its id.
 */

export interface LabIdentity {
  id: string;
  version: string;
  /** SHA-256 over the lab folder's files (names and contents), whatever the version says. */
  filesHash: string;
}

export async function labIdentity(loaded: LoadedLab): Promise<LabIdentity> {
  const filesHash = await hashFolder(loaded.dir);
  // Known from loading; a LoadedLab made elsewhere is asked of its file.
  const declared =
    loaded.versionDeclared ?? parseDocument(await readFile(loaded.file, 'utf8')).has('version');
  return {
    id: loaded.lab.id,
    version: declared ? loaded.lab.version : `files-${filesHash.slice(0, 16)}`,
    filesHash,
  };
}

/** Every regular file below `dir`, in name order, hashed as `path\0size\0content`. */
async function hashFolder(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(path.join(dir, relative), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const name = path.posix.join(relative, entry.name);
      if (entry.isDirectory()) {
        if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
        await walk(name);
      } else if (entry.isFile()) {
        const content = await readFile(path.join(dir, name));
        hash.update(`${name}\0${content.length}\0`).update(content);
      }
    }
  };
  await walk('');
  return hash.digest('hex');
}
