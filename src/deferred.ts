/**
 * A promise settled from outside (Node 20 has no Promise.withResolvers). Its rejection is
 * marked as handled: those who wait on it still hear of a failure, but one no one waits for
 * (a grading thread that failed before anyone asked, journal lines kept for a retry) does not
 * crash the process as an unhandled rejection.
 */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: Error) => void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
