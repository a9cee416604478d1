import os from 'node:os';
import path from 'node:path';
import { resolveTarget } from '../aws/target.js';
import { writeAtomically } from '../engine/progress.js';
import { buildHandIn } from '../handin/build.js';
import { parseVars } from '../engine/vars.js';
import { withLabSession, type LabCommandOptions } from './target-session.js';
import { EXIT, UsageError } from './usage-error.js';

export interface SubmitOptions extends LabCommandOptions {
  out?: string;
  student?: string;
}

/**
 * `labwright submit <lab>`: writes the student's hand-in, one file with everything the sandbox
 * recorded of their work, their files and progress, and their own report (see
 * src/handin/format.ts). Exit 0 when written, whatever the checks say; 2 on a target other
 * than the sandbox, whose work the instructor grades where it is.
 */
export async function submitCommand(lab: string, options: SubmitOptions): Promise<number> {
  let kind: string;
  try {
    kind = resolveTarget(options).kind;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (kind !== 'sandbox') {
    throw new UsageError(
      `submit hands in work done on labwright's own sandbox; work on ${kind === 'aws' ? 'AWS' : 'an endpoint'} is graded where it is: ` +
        'give your instructor a roster row with your endpoint, your AWS profile, or a role_arn they may assume',
    );
  }
  const student = (options.student ?? process.env.USER ?? safeUser()).trim();
  if (!student || /[\p{Cc}]/u.test(student)) {
    throw new UsageError('--student: give your name or student id (no control characters)');
  }
  const vars = parseVars(options.var ?? []);

  return withLabSession(lab, { ...options, json: false }, async ({ session, loaded, target }) => {
    const out = path.resolve(options.out ?? `${loaded.lab.id}-${fileSafe(student)}.labwright`);
    // The student's own report, as `check --json` gives it: for reference, never for the grade.
    const report = await session.runChecks({ wait: 'none' });
    const stateDir = target.sandbox?.stateDir;
    if (!stateDir) throw new UsageError('submit needs the sandbox target');
    const built = await buildHandIn({
      loaded,
      stateDir,
      student,
      vars,
      resolvedVars: session.vars,
      region: target.connection.info.region,
      progress: session.progress,
      cwd: process.cwd(),
      report,
    });
    try {
      writeAtomically(out, built.bytes);
    } catch (error) {
      throw new UsageError(`cannot write ${out}: ${(error as Error).message}`);
    }
    for (const warning of built.warnings) console.error(`labwright: note: ${warning}`);
    if (built.records === 0) {
      console.error(
        `labwright: note: the sandbox recorded no calls since its last reset (state folder ${stateDir}): was the lab done on another machine or state folder?`,
      );
    }
    const shown = path.relative(process.cwd(), out) || out;
    const files = built.files.length ? `, your files ${built.files.join(', ')}` : '';
    console.log(
      `Wrote ${shown.startsWith('..') ? out : shown} (${kilobytes(built.bytes.length)}): ` +
        `${built.records} recorded call${built.records === 1 ? '' : 's'}${files}; ` +
        `your own check says ${report.score.earned}/${report.score.possible}. Hand this file in.`,
    );
    return EXIT.ok;
  });
}

function safeUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return '';
  }
}

function fileSafe(name: string): string {
  return name.replace(/[^\w.@+-]/g, '_').slice(0, 100);
}

function kilobytes(bytes: number): string {
  return bytes < 1024 * 1024
    ? `${(bytes / 1024).toFixed(1)} kB`
    : `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}
