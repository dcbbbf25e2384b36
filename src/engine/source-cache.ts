import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SourceInfo } from '../core/types.js';
import { chunkDemuxer, isManifestKey, manifestTracks } from '../media/manifest-source.js';
import type { ProcessRunner } from '../media/process-runner.js';
import type { ObjectStore } from '../stores/object-store.js';
import { ByteLru } from './byte-lru.js';
import { SingleFlight } from './single-flight.js';

export interface SourceCacheOptions {
  objects: ObjectStore;
  runner: ProcessRunner;
  ffmpegPath: string;
  dir: string;
  maxBytes: number;
  timeoutMs: number;
}

/** How far into a source that cannot seek a job still reads the original from its start. */
const LINEAR_READ_SECONDS = 30;

/**
 * Where ffmpeg reads a source from, and the local copies that takes, made once per source key + ETag
 * and kept on disk, LRU-bounded in bytes:
 * - a chunked recording (a DASH MPD or an HLS media playlist) is assembled into one seekable file;
 * - a recording that cannot seek (a browser recorder's WebM without Cues) is indexed by a stream-copy
 *   remux — the Matroska muxer writes Cues and a Duration — for reads past its first seconds;
 * - anything else is read where it is (a file, or S3 by range through a presigned URL).
 */
export class SourceCache {
  readonly #files: ByteLru<string>;
  readonly #flights = new SingleFlight<string>();

  constructor(private readonly options: SourceCacheOptions) {
    this.#files = new ByteLru(options.maxBytes, (_key, path) => void rm(path, { force: true }));
  }

  /** A path or URL ffmpeg reads `source` from, for a read starting `atSeconds` into it. */
  async input(source: SourceInfo, atSeconds = 0): Promise<string> {
    if (isManifestKey(source.key)) return this.assembled(source.key, source.etag);
    if (source.seekable === false && atSeconds >= LINEAR_READ_SECONDS) return this.#indexed(source);
    return this.options.objects.input(source.key);
  }

  /**
   * One seekable Matroska file of a chunked recording: each track's init + chunks concatenated byte
   * for byte (valid for WebM, MPEG-TS and fragmented MP4), then stream-copied together. ffmpeg reads
   * only those local files, each with its demuxer forced by the chunk's kind — never a manifest.
   */
  assembled(manifestKey: string, etag: string): Promise<string> {
    return this.#materialize(`manifest\n${manifestKey}\n${etag}`, async (output) => {
      const { objects } = this.options;
      const tracks = manifestTracks(manifestKey, (await objects.read(manifestKey)).toString('utf8'));
      const work = await mkdtemp(join(this.options.dir, 'assemble-'));
      try {
        const inputs: string[] = [];
        for (const [i, track] of tracks.entries()) {
          const file = join(work, `track-${i}`);
          const handle = await open(file, 'w');
          try {
            for (const key of [...(track.init ? [track.init] : []), ...track.chunks]) await handle.write(await objects.read(key));
          } finally {
            await handle.close();
          }
          inputs.push('-f', chunkDemuxer(track.chunks[0]!), '-i', file);
        }
        const maps = tracks.flatMap((_, i) => ['-map', String(i)]);
        const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...inputs, ...maps, '-c', 'copy', '-f', 'matroska', output];
        await this.options.runner.run(this.options.ffmpegPath, args, { timeoutMs: this.options.timeoutMs });
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    });
  }

  #indexed(source: SourceInfo): Promise<string> {
    return this.#materialize(`index\n${source.key}\n${source.etag}`, async (output) => {
      const input = await this.options.objects.input(source.key);
      const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-f', 'matroska', '-i', input, '-map', '0', '-c', 'copy', '-f', 'matroska', output];
      await this.options.runner.run(this.options.ffmpegPath, args, { timeoutMs: this.options.timeoutMs });
    });
  }

  /** Makes a file once per identity (single-flight); renamed into place only when whole. */
  async #materialize(identity: string, make: (output: string) => Promise<void>): Promise<string> {
    const key = createHash('sha256').update(identity).digest('hex').slice(0, 32);
    const cached = this.#files.get(key);
    if (cached) return cached;
    return this.#flights.run(key, async () => {
      await mkdir(this.options.dir, { recursive: true });
      const path = join(this.options.dir, `${key}.mkv`);
      const partial = `${path}.partial`;
      try {
        await make(partial);
        // A reader never sees a half-written copy.
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
