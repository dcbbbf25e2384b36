import type { RevisionRecord, SourceInfo } from '../core/types.js';

/**
 * Where revisions and shared probe results live (Redis in production, memory in the embedded default).
 * Implementations throw `OriginError(unavailable)` when the backing service does not answer.
 */
export interface RevisionStore {
  getRevision(id: string): Promise<RevisionRecord | undefined>;
  /** Stores a revision if absent (true), or refreshes the TTL of the one already there (false). */
  saveRevision(record: RevisionRecord, ttlSeconds: number): Promise<boolean>;
  /** Probe results by source key and the source's ETag, shared by every node. */
  getProbe(key: string, etag: string): Promise<SourceInfo | undefined>;
  saveProbe(info: SourceInfo, ttlSeconds: number): Promise<void>;
  close(): Promise<void>;
}
