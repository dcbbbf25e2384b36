/**
 * Runs at most `concurrency` tasks at once; up to `queueLimit` more wait, first come first served;
 * beyond that a task is refused at once with `full()`, so a burst costs waiting, never memory.
 */
export class Limiter {
  #running = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(
    private readonly concurrency: number,
    private readonly queueLimit: number,
    private readonly full: () => Error,
  ) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#running < this.concurrency) this.#running++;
    else if (this.#waiting.length >= this.queueLimit) throw this.full();
    // The slot is handed over by the task that ends (the count stays as it is).
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }

  /** Tasks running, and waiting. */
  get load(): { running: number; waiting: number } {
    return { running: this.#running, waiting: this.#waiting.length };
  }
}
