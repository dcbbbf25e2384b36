import { ErrorCode, OriginError } from '../errors.js';

export type Priority = 'high' | 'low';

interface Waiting {
  key?: string;
  /** Starts the job; `low` says which share of the pool it counts against. */
  start: (low: boolean) => void;
  reject: (err: unknown) => void;
}

/** How long a job waited for a slot and how long it ran, in milliseconds. */
export interface JobTiming {
  queueMs: number;
  runMs: number;
}

export interface JobPoolOptions {
  /** Jobs running at once (about one encode per core). */
  concurrency: number;
  /** Jobs allowed to wait; beyond it `run` fails with `overloaded` at once. */
  queueLimit: number;
}

/**
 * A bounded pool: at most `concurrency` jobs run, at most `queueLimit` wait. Waiting high-priority
 * jobs (a player is waiting) start before low-priority ones (lookahead), low ones never hold the last
 * free slot (so a player's job starts at once or waits only for other players'), and low ones are the
 * first to be refused when the queue is full.
 */
export class JobPool {
  #active = 0;
  #activeLow = 0;
  readonly #high: Waiting[] = [];
  readonly #low: Waiting[] = [];
  #closed = false;

  constructor(readonly options: JobPoolOptions) {}

  get active(): number {
    return this.#active;
  }
  get queued(): number {
    return this.#high.length + this.#low.length;
  }

  /**
   * Runs `job` when a slot is free. `key` names the job so a waiting low-priority one can be
   * promoted when a player asks for the same thing.
   */
  run<T>(job: () => Promise<T>, priority: Priority = 'high', key?: string): Promise<T> {
    return this.runTimed(job, priority, key).then((r) => r.value);
  }

  /** Like `run`, and also reports how long the job queued and ran. */
  runTimed<T>(job: () => Promise<T>, priority: Priority = 'high', key?: string): Promise<{ value: T; timing: JobTiming }> {
    if (this.#closed) return Promise.reject(new OriginError(ErrorCode.Unavailable, 'the server is shutting down'));
    const queued = performance.now();
    return new Promise((resolve, reject) => {
      const start = (low: boolean) => {
        this.#active += 1;
        if (low) this.#activeLow += 1;
        const started = performance.now();
        job()
          .then((value) => resolve({ value, timing: { queueMs: started - queued, runMs: performance.now() - started } }), reject)
          .finally(() => {
            this.#active -= 1;
            if (low) this.#activeLow -= 1;
            this.#next();
          });
      };
      if (this.#canStart(priority === 'low')) return start(priority === 'low');
      if (this.queued >= this.options.queueLimit) {
        // Make room for a player by dropping the newest lookahead job, if any.
        const dropped = priority === 'high' ? this.#low.pop() : undefined;
        if (!dropped) return reject(new OriginError(ErrorCode.Overloaded, 'too many jobs are waiting; retry shortly'));
        dropped.reject(new OriginError(ErrorCode.Overloaded, 'dropped to make room for a waiting player'));
      }
      (priority === 'high' ? this.#high : this.#low).push({ key, start, reject });
    });
  }

  /** Moves a waiting low-priority job to the end of the high-priority queue. */
  promote(key: string): void {
    const i = this.#low.findIndex((w) => w.key === key);
    if (i >= 0) this.#high.push(...this.#low.splice(i, 1));
  }

  /** Low-priority jobs may hold all slots but one (and at least one). */
  #canStart(low: boolean): boolean {
    if (this.#active >= this.options.concurrency) return false;
    return !low || (this.#high.length === 0 && this.#activeLow < Math.max(1, this.options.concurrency - 1));
  }

  #next(): void {
    for (;;) {
      if (this.#high.length > 0 && this.#canStart(false)) this.#high.shift()!.start(false);
      else if (this.#low.length > 0 && this.#canStart(true)) this.#low.shift()!.start(true);
      else return;
    }
  }

  /** Refuses new jobs and fails every waiting one; running jobs finish (or are killed by their runner). */
  close(): void {
    this.#closed = true;
    for (const w of [...this.#high.splice(0), ...this.#low.splice(0)]) {
      w.reject(new OriginError(ErrorCode.Unavailable, 'the server is shutting down'));
    }
  }
}
