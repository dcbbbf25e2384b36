/** A least-recently-used map bounded by the total `size` of its values, in bytes. */
export class ByteLru<V> {
  readonly #entries = new Map<string, { value: V; size: number }>();
  #bytes = 0;

  constructor(
    readonly maxBytes: number,
    private readonly onEvict?: (key: string, value: V) => void,
  ) {}

  get bytes(): number {
    return this.#bytes;
  }

  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  /**
   * Stores a value, evicting the least recently used others until the cache fits its budget. The value
   * just stored is never evicted by its own arrival: one larger than the whole budget stays, alone,
   * until the next one comes — so a caller is never handed something already disposed of.
   */
  set(key: string, value: V, size: number): void {
    this.delete(key);
    this.#entries.set(key, { value, size });
    this.#bytes += size;
    for (const [oldest, entry] of this.#entries) {
      if (this.#bytes <= this.maxBytes || oldest === key) break;
      this.#entries.delete(oldest);
      this.#bytes -= entry.size;
      this.onEvict?.(oldest, entry.value);
    }
  }

  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#bytes -= entry.size;
    this.onEvict?.(key, entry.value);
  }

  /** Removes every entry (calling onEvict for each). */
  clear(): void {
    for (const key of [...this.#entries.keys()]) this.delete(key);
  }
}
