/**
 * A least-recently-used map bounded by the total weight of its entries: bytes where values vary in
 * size, 1 per entry where they do not (the default).
 */
export class Lru<V> {
  readonly #entries = new Map<string, { value: V; size: number }>();
  #total = 0;

  constructor(
    readonly budget: number,
    private readonly onEvict?: (key: string, value: V) => void,
  ) {}

  /** Total weight of the entries. */
  get total(): number {
    return this.#total;
  }

  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  /**
   * Stores a value, evicting the least recently used others until the total fits the budget. The value
   * just stored is never evicted by its own arrival: one larger than the whole budget stays, alone,
   * until the next one comes — so a caller is never handed something already disposed of.
   */
  set(key: string, value: V, size = 1): void {
    this.delete(key);
    this.#entries.set(key, { value, size });
    this.#total += size;
    for (const [oldest, entry] of this.#entries) {
      if (this.#total <= this.budget || oldest === key) break;
      this.#entries.delete(oldest);
      this.#total -= entry.size;
      this.onEvict?.(oldest, entry.value);
    }
  }

  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#total -= entry.size;
    this.onEvict?.(key, entry.value);
  }

  /** Removes every entry (calling onEvict for each). */
  clear(): void {
    for (const key of [...this.#entries.keys()]) this.delete(key);
  }
}
