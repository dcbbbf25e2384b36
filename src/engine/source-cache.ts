import { createHash } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SourceInfo } from '../core/types.js';
import type { ProcessRunner } from '../media/process-runner.js';
import { ByteLru } from './byte-lru.js';
import { SingleFlight } from './single-flight.js';

export interface SourceCacheOptions {
  runner: ProcessRunner;
  ffmpegPath: string;
  dir: string;
  maxBytes: number;
  timeoutMs: number;
}

/**
 * Local, seekable copies of sources that cannot seek on their own (a browser recorder's WebM without
 * Cues), made once per source key + ETag by a stream-copy remux — the Matroska muxer writes Cues and
 * a Duration — and kept on disk, LRU-bounded in bytes.
 */
export class SourceCache {
  readonly #files: ByteLru<string>;
  readonly #flights = new SingleFlight<string>();

  constructor(private readonly options: SourceCacheOptions) {
    this.#files = new ByteLru(options.maxBytes, (_key, path) => void rm(path, { force: true }));
  }

  /** Path of the indexed copy of `source`, made from `input()` on first use. */
  async indexed(source: SourceInfo, input: () => Promise<string>): Promise<string> {
    const key = createHash('sha256').update(`${source.key}\n${source.etag}`).digest('hex').slice(0, 32);
    const cached = this.#files.get(key);
    if (cached) return cached;
    return this.#flights.run(key, async () => {
      await mkdir(this.options.dir, { recursive: true });
      const path = join(this.options.dir, `${key}.mkv`);
      const partial = `${path}.partial`;
      try {
        const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-f', 'matroska', '-i', await input(), '-map', '0', '-c', 'copy', '-f', 'matroska', partial];
        await this.options.runner.run(this.options.ffmpegPath, args, { timeoutMs: this.options.timeoutMs });
        // Renamed only when whole: a reader never sees a half-written copy.
        await rename(partial, path);
      } catch (err) {
        await rm(partial, { force: true });
        throw err;
      }
      this.#files.set(key, path, (await stat(path)).size);
      return path;
    });
  }

  /** Deletes every copy. */
  clear(): void {
    this.#files.clear();
  }
}
