import { ErrorCode, OriginError } from '../errors.js';

export type Priority = 'high' | 'low';

interface Waiting {
  start: () => void;
  reject: (err: unknown) => void;
}

export interface JobPoolOptions {
  /** Jobs running at once (about one encode per core). */
  concurrency: number;
  /** Jobs allowed to wait; beyond it `run` fails with `overloaded` at once. */
  queueLimit: number;
}

/**
 * A bounded pool: at most `concurrency` jobs run, at most `queueLimit` wait. Waiting high-priority
 * jobs (a player is waiting) start before low-priority ones (lookahead), and low ones are the first
 * to be refused when the queue is full.
 */
export class JobPool {
  #active = 0;
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

  run<T>(job: () => Promise<T>, priority: Priority = 'high'): Promise<T> {
    if (this.#closed) return Promise.reject(new OriginError(ErrorCode.Unavailable, 'the server is shutting down'));
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        this.#active += 1;
        job()
          .then(resolve, reject)
          .finally(() => {
            this.#active -= 1;
            this.#next();
          });
      };
      if (this.#active < this.options.concurrency) return start();
      if (this.queued >= this.options.queueLimit) {
        // Make room for a player by dropping the newest lookahead job, if any.
        const dropped = priority === 'high' ? this.#low.pop() : undefined;
        if (!dropped) return reject(new OriginError(ErrorCode.Overloaded, 'too many jobs are waiting; retry shortly'));
        dropped.reject(new OriginError(ErrorCode.Overloaded, 'dropped to make room for a waiting player'));
      }
      (priority === 'high' ? this.#high : this.#low).push({ start, reject });
    });
  }

  #next(): void {
    while (this.#active < this.options.concurrency) {
      const next = this.#high.shift() ?? this.#low.shift();
      if (!next) return;
      next.start();
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
