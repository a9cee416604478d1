import { mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { targetInfo, type ClientTransport } from '../aws/clients.js';
import { targetKey, type Connection } from '../aws/connect.js';
import { firstLine, TargetError } from '../aws/errors.js';
import { resolveTarget, type Target, type TargetOptions } from '../aws/target.js';
import { HandInError, unpackHandIn, type HandIn } from '../handin/format.js';
import { labIdentity, type LabIdentity } from '../handin/lab-version.js';
import { writeStudentFiles } from '../handin/student-files.js';
import { replayHandIn, verifyHandIn } from '../handin/verify.js';
import { Progress } from '../engine/progress.js';
import type { LabReport } from '../engine/report.js';
import { openLab } from '../engine/runner.js';
import type { LoadedLab } from '../lab/load.js';
import { RoleAssumer } from './assume-role.js';
import { HandInTransport } from '../handin/transport.js';
import { ReadOnlyAwsClients } from './read-only-clients.js';
import type { RosterStudent } from './roster.js';

/**
 * Grades one student: reaches their work (an endpoint, a profile, or a role assumed in their
 * account), runs the lab's checks once, read-only, with progress kept in memory (a student's
 * hints are theirs: grading neither reads nor writes progress files), and returns the report.
 */

export interface StudentGrader {
  grade(student: RosterStudent, signal: AbortSignal): Promise<LabReport>;
  /** What went wrong, as the sentence in the student's `error` cell. */
  describeError(error: unknown): string;
  /** Every check's points: what an ungraded student could have earned. */
  readonly possiblePoints: number;
  close(): void;
}

/**
 * `base` is the instructor's own target: it supplies the default region and, for `role_arn`
 * rows, the credentials (and endpoint, with --endpoint) that assume the grading role.
 */
export function createStudentGrader(loaded: LoadedLab, base: TargetOptions): StudentGrader {
  // Validates the target options now, so a mistake is a usage error before anyone is graded.
  const baseTarget = instructorTarget(base);
  let assumer: RoleAssumer | undefined;
  // The student's own files (a CloudFormation template) are not here: checks that read them
  // see an empty folder, never the instructor's working folder.
  const emptyCwd = mkdtempSync(path.join(os.tmpdir(), 'labwright-grade-'));

  async function studentTarget(student: RosterStudent, signal: AbortSignal): Promise<Target> {
    const region = student.region ?? base.region;
    const access = student.access;
    if (access.kind === 'endpoint') {
      return resolveTarget({ endpoint: access.endpoint, ...(region ? { region } : {}) });
    }
    if (access.kind === 'profile') {
      return resolveTarget({ profile: access.profile, ...(region ? { region } : {}) });
    }
    if (access.kind === 'submission') throw new Error('a hand-in is graded by gradeHandIn');
    assumer ??= new RoleAssumer(baseTarget);
    const credentials = await assumer.assume(
      access.roleArn,
      access.externalId,
      sessionName(student.id),
      signal,
    );
    return baseTarget.kind === 'aws'
      ? {
          kind: 'aws',
          ...((region ?? baseTarget.region) ? { region: region ?? baseTarget.region } : {}),
          credentials,
        }
      : {
          kind: 'endpoint',
          endpoint: baseTarget.endpoint!,
          region: region ?? baseTarget.region,
          credentials,
        };
  }

  /** Runs the lab's checks once, read-only, against a reached target. */
  async function runChecks(
    target: Target,
    signal: AbortSignal,
    options: {
      vars: Record<string, string>;
      cwd: string;
      handIn?: HandIn;
      transport?: ClientTransport;
    },
  ): Promise<LabReport> {
    const clients = new ReadOnlyAwsClients(target, signal, options.transport);
    try {
      const connection = await connectReadOnly(clients);
      const session = openLab({
        lab: loaded,
        connection,
        vars: options.vars,
        // Quiz answers and hints live in the student's own progress: graded as none, unless
        // the student handed them in.
        progress: handInProgress(loaded.lab.id, connection.key, options.handIn),
        cwd: options.cwd,
      });
      // The student's work is finished: nothing to wait for, so each check runs once.
      return await session.runChecks({ wait: 'none', signal });
    } finally {
      clients.destroy();
    }
  }

  let identity: Promise<LabIdentity> | undefined;
  const handIns = new HandInTransport();

  /**
   * A hand-in: verified (lab, version, chain, seal), replayed call by call into a fresh
   * in-memory sandbox, then graded there like any endpoint, with the files it holds as the
   * student's folder. What is graded is what the recorded calls produce.
   */
  async function gradeHandIn(
    student: RosterStudent,
    file: string,
    signal: AbortSignal,
  ): Promise<LabReport> {
    const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
      throw new HandInError(`cannot read ${file}: ${error.code ?? error.message}`);
    });
    const handIn = unpackHandIn(bytes);
    identity ??= labIdentity(loaded);
    verifyHandIn(handIn, await identity);
    signal.throwIfAborted();
    const sandbox = await replayHandIn(handIn);
    const cwd = await mkdtemp(path.join(os.tmpdir(), 'labwright-handin-'));
    try {
      await writeStudentFiles(cwd, handIn.body.files);
      // The replayed sandbox lives in this process: the checks' SDK clients reach it without a
      // socket (its endpoint still serves checks that run the aws CLI).
      const report = await handIns.within(sandbox.requestHandler, () =>
        runChecks(
          resolveTarget({ endpoint: sandbox.endpoint, region: handIn.body.region }),
          signal,
          {
            vars: { ...handIn.body.vars, ...student.vars },
            cwd,
            handIn,
            transport: handIns.transport,
          },
        ),
      );
      // The replayed sandbox is gone after grading: name the hand-in instead.
      return { ...report, target: { ...report.target, endpoint: file } };
    } finally {
      await sandbox.stop();
      await rm(cwd, { recursive: true, force: true });
    }
  }

  return {
    possiblePoints: possiblePoints(loaded),
    async grade(student, signal) {
      if (student.refusal) throw new HandInError(student.refusal);
      if (student.access.kind === 'submission') {
        return gradeHandIn(student, student.access.file, signal);
      }
      return runChecks(await studentTarget(student, signal), signal, {
        vars: student.vars,
        // The student's own folder when the roster names one; never the instructor's.
        cwd: student.dir ?? emptyCwd,
      });
    },
    describeError,
    close() {
      assumer?.destroy();
      handIns.close();
      rmSync(emptyCwd, { recursive: true, force: true });
    },
  };
}

/** Every check's points: what an ungraded student could have earned. */
export function possiblePoints(loaded: LoadedLab): number {
  return loaded.lab.steps.reduce(
    (sum, step) => sum + step.checks.reduce((points, check) => points + check.points, 0),
    0,
  );
}

function instructorTarget(base: TargetOptions): Target {
  // --target defaults to sandbox, the student's own machine: an instructor's role_arn rows
  // are assumed on AWS, or through --endpoint when one is given.
  const { target, ...rest } = base;
  const resolved = resolveTarget(target === 'sandbox' ? rest : base);
  return resolved.kind === 'sandbox' ? resolveTarget({ ...rest, target: 'aws' }) : resolved;
}

/** CloudTrail shows the session name: say who graded, and whom. */
function sessionName(studentId: string): string {
  return `labwright-grade-${studentId.replace(/[^\w+=,.@-]/g, '_')}`.slice(0, 64);
}

/** Like connect() of src/aws/connect.ts, with clients that refuse to change anything. */
async function connectReadOnly(clients: ReadOnlyAwsClients): Promise<Connection> {
  const identity = await clients.identity();
  const region = await clients.region();
  const info = targetInfo(clients.target, identity, region);
  return {
    target: clients.target,
    info,
    clients,
    key: targetKey(info),
    env: clients.shellEnv(process.env, region),
    close: () => clients.destroy(),
  };
}

/** Progress in memory: empty, or the hints and quiz answers a hand-in carries. */
function handInProgress(labId: string, key: string, handIn: HandIn | undefined): Progress {
  const progress = Progress.inMemory(labId, key);
  if (!handIn) return progress;
  for (const [question, choice] of Object.entries(handIn.body.progress.answers)) {
    progress.recordAnswer(question, choice);
  }
  for (const [check, seen] of Object.entries(handIn.body.progress.hintsSeen)) {
    const slash = check.indexOf('/');
    if (slash < 0) continue;
    for (let i = 0; i < Math.min(seen, 100); i++) {
      progress.recordHint(check.slice(0, slash), check.slice(slash + 1), seen);
    }
  }
  return progress;
}

function describeError(error: unknown): string {
  if (error instanceof TargetError || error instanceof HandInError) return error.message;
  const e = error as Error;
  const code = e?.name && e.name !== 'Error' ? `${e.name}: ` : '';
  return `grading stopped: ${code}${firstLine(e?.message ?? String(error))}`;
}
