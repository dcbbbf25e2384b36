/**
 * One in-flight promise per key: concurrent callers for the same key share one run of `work` and
 * get the same result. The entry is dropped when the run settles, so a failure is not remembered.
 */
export class SingleFlight<T> {
  readonly #inflight = new Map<string, Promise<T>>();

  /** Whether a run for `key` is under way (callers use it to tell "coalesced" from "miss"). */
  has(key: string): boolean {
    return this.#inflight.has(key);
  }

  run(key: string, work: () => Promise<T>): Promise<T> {
    const existing = this.#inflight.get(key);
    if (existing) return existing;
    const promise = work().finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, promise);
    return promise;
  }
}
