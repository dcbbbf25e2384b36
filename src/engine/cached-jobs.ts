import { OriginError, isTransient } from '../errors.js';
import { Lru } from '../util/lru.js';
import { SingleFlight } from '../util/single-flight.js';

/** How a caller got a value: kept in memory, from a run it joined, or from a run it started. */
export type CacheStatus = 'hit' | 'miss' | 'coalesced';

export interface CachedJobsOptions<V> {
  /** Budget of the values kept, in the unit `make` sizes them in (bytes, or 1 per entry). */
  budget: number;
  /** Called when a kept value leaves (to delete the file it names, say). */
  onEvict?: (key: string, value: V) => void;
  /**
   * How long a failure that a retry would meet again is remembered (ms; 0: not at all): a broken
   * artifact is not remade for every request and retry, yet a fix is seen within seconds.
   */
  failureMemoryMs?: number;
}

/** What a run gives: the value to keep, its size in the budget's unit, and what the run reports. */
export interface Made<V, R> {
  value: V;
  size: number;
  report?: R;
}

/** A value, how it was got, and the report of the run that made it (none on a hit). */
export interface Taken<V, R> {
  value: V;
  status: CacheStatus;
  report?: R;
}

const FAILURE_ENTRIES = 2000;

/**
 * Values made by jobs, each made once however many ask at the same time (single-flight), kept in
 * memory within a budget (LRU), with failures optionally remembered for a while. The one way an
 * artifact, an overlay picture or a source copy is cached: a hit, a run under way to join, or a run.
 */
export class CachedJobs<V, R = undefined> {
  readonly #kept: Lru<V>;
  readonly #flights = new SingleFlight<Made<V, R>>();
  readonly #failures = new Lru<{ error: OriginError; until: number }>(FAILURE_ENTRIES);

  constructor(private readonly options: CachedJobsOptions<V>) {
    this.#kept = new Lru(options.budget, options.onEvict);
  }

  /** The value kept for `key`, if any. */
  get(key: string): V | undefined {
    return this.#kept.get(key);
  }

  /** Keeps a value made elsewhere (another job's run made it too). */
  keep(key: string, value: V, size: number): void {
    this.#kept.set(key, value, size);
  }

  /** Whether a run for `key` is under way. */
  running(key: string): boolean {
    return this.#flights.has(key);
  }

  /** The remembered failure of `key`'s last run, while it is remembered. */
  failure(key: string): OriginError | undefined {
    const failure = this.#failures.get(key);
    return failure && failure.until > performance.now() ? failure.error : undefined;
  }

  /**
   * The value of `key`: kept, or from the run under way (`onJoin` is told first), or from a new run
   * of `make`, whose value is kept once made. Throws a remembered failure without running anything.
   */
  async take(key: string, make: () => Promise<Made<V, R>>, onJoin?: () => void): Promise<Taken<V, R>> {
    const kept = this.#kept.get(key);
    if (kept !== undefined) return { value: kept, status: 'hit' };
    const failure = this.failure(key);
    if (failure) throw failure;
    const joining = this.#flights.has(key);
    if (joining) onJoin?.();
    const made = await this.#flights.run(key, async () => {
      try {
        const result = await make();
        this.#kept.set(key, result.value, result.size);
        return result;
      } catch (err) {
        const memory = this.options.failureMemoryMs ?? 0;
        if (memory > 0 && err instanceof OriginError && !isTransient(err.code))
          this.#failures.set(key, { error: err, until: performance.now() + memory });
        throw err;
      }
    });
    return { value: made.value, status: joining ? 'coalesced' : 'miss', report: made.report };
  }

  /** Total size of the values kept. */
  get size(): number {
    return this.#kept.total;
  }

  /** Drops every kept value (calling onEvict for each). */
  clear(): void {
    this.#kept.clear();
  }
}
