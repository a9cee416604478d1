/**
 * A grading thread (see worker-grader.ts): loads the lab once, then grades the students the
 * main thread sends it, one message each, with the same grader `grade` uses in a single thread.
 * Errors cross the thread boundary as the sentence of the student's error row.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadLabFile } from '../engine/load-lab.js';
import type { TargetOptions } from '../aws/target.js';
import { createStudentGrader } from './student-grader.js';
import type { ToWorker, FromWorker, WorkerSetup } from './worker-messages.js';

const port = parentPort;
if (!port) throw new Error('grade-worker.js runs as a worker thread of labwright grade');

const setup = workerData as WorkerSetup;
const post = (message: FromWorker) => port.postMessage(message);

const loaded = await loadLabFile(setup.labFile);
if (!loaded.ok) {
  post({ kind: 'broken', message: `the lab ${setup.labFile} no longer loads` });
} else {
  const grader = createStudentGrader(loaded.loaded, setup.base as TargetOptions);
  const running = new Map<number, AbortController>();
  port.on('message', (message: ToWorker) => {
    if (message.kind === 'abort') {
      running.get(message.job)?.abort(new Error(message.reason));
      return;
    }
    if (message.kind === 'close') {
      grader.close();
      port.close();
      return;
    }
    const controller = new AbortController();
    running.set(message.job, controller);
    grader
      .grade(message.student, controller.signal)
      .then(
        (report) => post({ kind: 'graded', job: message.job, report }),
        (error: unknown) =>
          post({ kind: 'failed', job: message.job, message: grader.describeError(error) }),
      )
      .finally(() => running.delete(message.job));
  });
  post({ kind: 'ready' });
}
