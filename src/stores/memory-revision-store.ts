import type { RevisionRecord, SourceInfo } from '../core/types.js';
import type { RevisionStore } from './revision-store.js';

interface Entry<T> {
  value: T;
  expiresAt: number;
}

/** The in-process store of the embedded default: same contract as Redis, lost on restart. */
export class MemoryRevisionStore implements RevisionStore {
  readonly #revisions = new Map<string, Entry<RevisionRecord>>();
  readonly #probes = new Map<string, Entry<SourceInfo>>();

  constructor(private readonly now: () => number = Date.now) {}

  #live<T>(map: Map<string, Entry<T>>, key: string): T | undefined {
    const entry = map.get(key);
    if (entry && entry.expiresAt <= this.now()) map.delete(key);
    return entry && entry.expiresAt > this.now() ? structuredClone(entry.value) : undefined;
  }

  async getRevision(id: string): Promise<RevisionRecord | undefined> {
    return this.#live(this.#revisions, id);
  }

  async saveRevision(record: RevisionRecord, ttlSeconds: number): Promise<boolean> {
    const expiresAt = this.now() + ttlSeconds * 1000;
    const existing = this.#live(this.#revisions, record.id);
    this.#revisions.set(record.id, { value: existing ?? structuredClone(record), expiresAt });
    return existing === undefined;
  }

  async getProbe(key: string, etag: string): Promise<SourceInfo | undefined> {
    return this.#live(this.#probes, `${key}\n${etag}`);
  }

  async saveProbe(info: SourceInfo, ttlSeconds: number): Promise<void> {
    this.#probes.set(`${info.key}\n${info.etag}`, {
      value: structuredClone(info),
      expiresAt: this.now() + ttlSeconds * 1000,
    });
  }

  async close(): Promise<void> {}
}
