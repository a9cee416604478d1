/**
 * The sandbox's own background work (a training job moving through its stages), in steps the
 * journal can record and replay. A worker sleeps between steps with `sleep(key, ms)`; each
 * wake-up runs as one `Wake` task record taken in turn with the calls, so the journal holds the
 * order in which things really happened. While replaying, a sleep ends only when the journal's
 * Wake record for it comes; once replay is over, the sleeps left become real timers again.
 */

/** What the core provides: its clock, and the start and end of a wake-up's record. */
export interface WakeRecords {
  now(): number;
  /** Takes the sandbox's turn and opens a `Wake` record for `key` (live only). */
  begin(service: string, key: string): Promise<void>;
  /** Closes the open `Wake` record of `key`, if there is one, and gives the turn back. */
  end(key: string): void;
}

interface Sleeper {
  service: string;
  due: number;
  resume: () => void;
  timer?: NodeJS.Timeout;
}

export class Background {
  private replaying = false;
  private readonly sleepers = new Map<string, Sleeper>();
  private readonly workers = new Map<string, object>();

  constructor(private readonly records: WakeRecords) {}

  /** No worker is alive: the state holds everything there is to know (a snapshot may be taken). */
  get idle(): boolean {
    return this.workers.size === 0;
  }

  /**
   * Runs `work` as the worker `key` of `service`, unless one runs already. It starts at its
   * first wake-up, never inside the call that started it, so all it does is in its own records.
   * `work` waits between steps with the `sleep` it is given.
   */
  start(
    service: string,
    key: string,
    work: (sleep: (ms: number) => Promise<void>) => Promise<void>,
  ): void {
    if (this.workers.has(key)) return;
    const token = {};
    this.workers.set(key, token);
    const sleep = (ms: number) => this.sleep(service, key, ms, token);
    const run = async () => {
      try {
        await sleep(0);
        await work(sleep);
      } finally {
        this.records.end(key);
        if (this.workers.get(key) === token) this.workers.delete(key);
      }
    };
    void run();
  }

  /** Ends the worker's current step and waits `ms` (by the sandbox clock) for its next one. */
  private async sleep(service: string, key: string, ms: number, token: object): Promise<void> {
    this.records.end(key);
    // A worker dropped by stopAll never wakes again; a new one may run under its key.
    if (this.workers.get(key) !== token) return new Promise<void>(() => undefined);
    await new Promise<void>((resume) => {
      const sleeper: Sleeper = { service, due: this.records.now() + ms, resume };
      this.sleepers.set(key, sleeper);
      if (!this.replaying) this.arm(key, sleeper);
    });
    if (!this.replaying) await this.records.begin(service, key);
  }

  /** Wakes `key` now rather than at its time (a stop request); replaying, the journal decides. */
  wake(key: string): void {
    if (this.replaying) return;
    this.resume(key);
  }

  /** Replaying a Wake record: resumes `key`'s sleep; false when nothing sleeps under that key. */
  resumeRecorded(key: string): boolean {
    return this.resume(key);
  }

  setReplaying(replaying: boolean): void {
    this.replaying = replaying;
    if (!replaying) for (const [key, sleeper] of this.sleepers) this.arm(key, sleeper);
  }

  /** Drops every worker: they stop where they sleep (the sandbox stops, or starts again). */
  stopAll(): void {
    for (const sleeper of this.sleepers.values()) clearTimeout(sleeper.timer);
    this.sleepers.clear();
    this.workers.clear();
  }

  /** Drops one worker where it sleeps (its resource was forgotten); it never wakes again. */
  cancel(key: string): void {
    clearTimeout(this.sleepers.get(key)?.timer);
    this.sleepers.delete(key);
    this.workers.delete(key);
  }

  private resume(key: string): boolean {
    const sleeper = this.sleepers.get(key);
    if (!sleeper) return false;
    clearTimeout(sleeper.timer);
    this.sleepers.delete(key);
    sleeper.resume();
    return true;
  }

  private arm(key: string, sleeper: Sleeper): void {
    clearTimeout(sleeper.timer);
    sleeper.timer = setTimeout(() => this.resume(key), Math.max(0, sleeper.due - Date.now()));
    sleeper.timer.unref();
  }
}
