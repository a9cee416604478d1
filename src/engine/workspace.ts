import { isUtf8 } from 'node:buffer';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { interpolateKnown } from '../lab/vars.js';
import { stateDir } from '../xdg.js';
import { writeAtomically } from './progress.js';

/**
 * The lab's files as a student's own terminal needs them. A lab shows commands such as
 * `aws iam put-role-policy --policy-document file://files/policy.json`, and its files hold lab
 * variables (`arn:aws:s3:::${bucket}/*`) that labwright fills when it runs an action itself, but
 * that the aws CLI would send as written. The workspace is a copy of the lab folder (without
 * lab.yaml) with the variables filled in, under `${XDG_STATE_HOME:-~/.local/state}/labwright/
 * workspace/<lab>/`, where the TUI tells the student to run their commands. Any other `${...}`
 * (CloudFormation's `${AWS::Region}`) stays as written; `$${` is a literal `${`, as in lab.yaml.
 */

/** A lab folder larger than this is not copied: the student works in the lab folder itself. */
const MAX_FILES = 500;
const MAX_BYTES = 20 * 1024 * 1024;

export function workspaceDir(labId: string): string {
  return path.join(stateDir(), 'workspace', labId.replace(/[^A-Za-z0-9._-]/g, '_'));
}

/**
 * Writes the workspace of a lab (only files that changed) and returns its folder; the lab
 * folder itself when it cannot (too large, or the state folder is not writable).
 */
export function prepareWorkspace(
  labDir: string,
  labId: string,
  vars: Readonly<Record<string, string>>,
): string {
  const files = labFiles(labDir);
  if (!files) return labDir;
  const dir = workspaceDir(labId);
  try {
    // Shell actions run in the workspace: it exists even for a lab without files.
    mkdirSync(dir, { recursive: true });
    for (const file of files) {
      const source = readFileSync(path.join(labDir, file));
      const content = isText(source)
        ? Buffer.from(interpolateKnown(source.toString('utf8'), vars))
        : source;
      const target = path.join(dir, file);
      if (!sameContent(target, content)) writeAtomically(target, content);
    }
  } catch {
    return labDir;
  }
  return dir;
}

/** The lab's files, relative to its folder; undefined when there are too many or too much. */
function labFiles(labDir: string): string[] | undefined {
  let entries: string[];
  try {
    entries = readdirSync(labDir, { recursive: true, encoding: 'utf8' });
  } catch {
    return undefined;
  }
  const files: string[] = [];
  let bytes = 0;
  for (const entry of entries) {
    if (entry === 'lab.yaml' || entry.split(path.sep).some((part) => part.startsWith('.')))
      continue;
    const stat = statSync(path.join(labDir, entry), { throwIfNoEntry: false });
    if (!stat?.isFile()) continue;
    bytes += stat.size;
    files.push(entry);
    if (files.length > MAX_FILES || bytes > MAX_BYTES) return undefined;
  }
  return files;
}

/** Text worth filling: valid UTF-8 without NUL bytes, with a `${` in it. */
function isText(content: Buffer): boolean {
  return content.includes('${') && !content.includes(0) && isUtf8(content);
}

function sameContent(file: string, content: Buffer): boolean {
  try {
    return readFileSync(file).equals(content);
  } catch {
    return false;
  }
}
