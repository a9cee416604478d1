import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LabReport } from '../engine/report.js';
import type { LoadedLab } from '../lab/load.js';
import type { TargetOptions } from '../aws/target.js';
import type { RosterStudent } from './roster.js';
import { possiblePoints, type StudentGrader } from './student-grader.js';
import type { FromWorker, ToWorker, WorkerSetup } from './worker-messages.js';
import { deferred } from '../deferred.js';

/**
 * Grading spread over threads. A hand-in is graded by replaying it into a sandbox that this
 * process then serves while the checks run against it: twice the work of grading the same
 * student over the network, where the student's machine serves the sandbox. Each thread
 * (grade-worker.ts) runs the single-threaded grader on its share of the class, so every core
 * works. The threads' entry is a file of the bundle (dist/grade-worker.js); where there is none
 * (labwright run from its sources), there is no worker grader and grading stays in one thread.
 */

const WORKER_ENTRY = new URL('./grade-worker.js', import.meta.url);
/** Each thread's old-generation heap: the SDK, the lab and its students in hand fit well within. */
const THREAD_HEAP_MB = 160;

/** Thrown in the main thread for a student the thread could not grade: its sentence, as is. */
class WorkerGradeFailure extends Error {
  override name = 'WorkerGradeFailure';
}

interface Job {
  resolve(report: LabReport): void;
  reject(error: Error): void;
}

interface Thread {
  worker: Worker;
  jobs: Map<number, Job>;
  ready: Promise<void>;
}

export function workerGraderAvailable(): boolean {
  return WORKER_ENTRY.protocol === 'file:' && existsSync(fileURLToPath(WORKER_ENTRY));
}

export function createWorkerGrader(
  labFile: string,
  loaded: LoadedLab,
  base: TargetOptions,
  threads: number,
): StudentGrader {
  const setup: WorkerSetup = { labFile, base: { ...base } };
  const pool: Thread[] = [];
  let nextJob = 0;
  let closed = false;

  function start(): Thread {
    // A thread's heap is capped, so it collects garbage as it goes instead of growing while there
    // is room: the class's peak memory stays that of a few students per thread, not of all.
    const worker = new Worker(WORKER_ENTRY, {
      workerData: setup,
      resourceLimits: { maxOldGenerationSizeMb: THREAD_HEAP_MB },
    });
    const jobs = new Map<number, Job>();
    // A thread that never became ready fails its jobs through `ready`; nobody else awaits it.
    const ready = deferred();
    const thread: Thread = { worker, jobs, ready: ready.promise };
    const stop = (error: Error) => {
      ready.reject(error);
      for (const job of jobs.values()) job.reject(error);
      jobs.clear();
      const index = pool.indexOf(thread);
      if (index >= 0) pool.splice(index, 1);
    };
    worker.on('message', (message: FromWorker) => {
      if (message.kind === 'ready') return ready.resolve();
      if (message.kind === 'broken') return stop(new WorkerGradeFailure(message.message));
      const job = jobs.get(message.job);
      if (!job) return;
      jobs.delete(message.job);
      if (message.kind === 'graded') job.resolve(message.report);
      else job.reject(new WorkerGradeFailure(message.message));
    });
    worker.on('error', (error) =>
      stop(new WorkerGradeFailure(`grading stopped: the grading thread failed: ${error.message}`)),
    );
    worker.on('exit', (code) => {
      if (!closed || jobs.size) {
        stop(new WorkerGradeFailure(`grading stopped: the grading thread exited (${code})`));
      }
    });
    pool.push(thread);
    return thread;
  }

  /** The thread with the fewest students in hand; a new one while there are fewer than asked. */
  function pick(): Thread {
    if (pool.length < threads) return start();
    return pool.reduce((least, thread) => (thread.jobs.size < least.jobs.size ? thread : least));
  }

  return {
    possiblePoints: possiblePoints(loaded),
    async grade(student: RosterStudent, signal: AbortSignal): Promise<LabReport> {
      signal.throwIfAborted();
      const thread = pick();
      const job = nextJob++;
      const graded = new Promise<LabReport>((resolve, reject) => {
        thread.jobs.set(job, { resolve, reject });
      });
      // Settled by the thread even when this call already gave up (thread not ready, aborted).
      graded.catch(() => undefined);
      const send = (message: ToWorker) => thread.worker.postMessage(message);
      const onAbort = () => {
        send({ kind: 'abort', job, reason: String((signal.reason as Error)?.message ?? '') });
      };
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        await thread.ready;
        send({ kind: 'grade', job, student });
        return await graded;
      } finally {
        signal.removeEventListener('abort', onAbort);
        thread.jobs.delete(job);
      }
    },
    describeError(error: unknown): string {
      if (error instanceof WorkerGradeFailure) return error.message;
      return `grading stopped: ${(error as Error)?.message ?? String(error)}`;
    },
    close() {
      closed = true;
      for (const thread of pool.splice(0)) {
        // The thread removes its temporary folder and ends; one that lingers is stopped.
        thread.worker.postMessage({ kind: 'close' } satisfies ToWorker);
        thread.worker.unref();
        setTimeout(() => void thread.worker.terminate(), 2000).unref();
      }
    },
  };
}
