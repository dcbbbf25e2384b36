import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, rename, rm, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { LIMITS } from '../core/edits/limits.js';
import type { SourceInfo } from '../core/types.js';
import { diskFull, ErrorCode, OriginError, UnusableSourceError } from '../errors.js';
import {
  chunkDemuxer,
  chunksCovering,
  isManifestKey,
  readManifest,
  type ChunkedRecording,
  type ManifestTrack,
} from '../media/sources/manifest-source.js';
import { containerOf, FFMPEG_QUIET, inputOptions, SNIFF_BYTES } from '../media/sources/container.js';
import type { ProbeTarget } from '../media/sources/probe.js';
import { processFailure } from '../media/process-failure.js';
import { ProcessError, type ProcessRunner } from '../media/process-runner.js';
import type { ObjectStore } from '../stores/object-store.js';
import { Lru } from '../util/lru.js';
import { CachedJobs } from './cached-jobs.js';

export interface SourcesOptions {
  objects: ObjectStore;
  runner: ProcessRunner;
  ffmpegPath: string;
  dir: string;
  maxBytes: number;
  timeoutMs: number;
  /** Told how long each ffmpeg run of the cache took (metrics). */
  observe?: (kind: 'index' | 'assemble', seconds: number) => void;
}

/** Where ffmpeg reads a source from for one job, and what to do once the job is done with it. */
export type { SourceLease } from '../media/sources/probe.js';
import type { SourceLease } from '../media/sources/probe.js';

/** How far into a source that cannot seek a job still reads the original from its start. */
const LINEAR_READ_SECONDS = 30;
const MANIFEST_CACHE_ENTRIES = 500;
const VERIFIED_ENTRIES = 10_000;
/** How long a source found unchanged is taken to be so: a stat per source per second at most. */
const IDENTITY_RECHECK_MS = 1000;

const kept = (input: string): SourceLease => ({ input, release: async () => {} });

/**
 * Where ffmpeg reads a source from, and the local files that takes:
 * - a chunked recording whose chunks each start with a keyframe is read chunk by chunk: a job gets a
 *   small file of the init segment and the chunks around what it reads, so its cost does not grow with
 *   the recording's length (docs/media-rules.md, "Sources");
 * - a chunked recording whose chunks may not (no `startWithSAP`, no `EXT-X-INDEPENDENT-SEGMENTS`) is
 *   assembled once into one seekable file;
 * - a recording that cannot seek (a browser recorder's WebM without Cues) is indexed once by a
 *   stream-copy remux — the Matroska muxer writes Cues and a Duration — for reads past its first seconds;
 * - anything else is read where it is (a file, or S3 by range through a presigned URL).
 * Assembled and indexed copies are made once per key + ETag and kept on disk, LRU-bounded in bytes.
 */
export class Sources {
  readonly #files: CachedJobs<string>;
  readonly #manifests = new Lru<Promise<ChunkedRecording>>(MANIFEST_CACHE_ENTRIES);
  /** When each source (key + ETag) was last found unchanged. */
  readonly #verified = new Lru<number>(VERIFIED_ENTRIES);

  constructor(private readonly options: SourcesOptions) {
    this.#files = new CachedJobs({ budget: options.maxBytes, onEvict: (_key, path) => void rm(path, { force: true }) });
  }

  /**
   * Where a job reads `kind` of `source` over [from, to) seconds of the source's own clock (with the
   * decoder's margin already included by the caller).
   */
  async open(source: SourceInfo, kind: 'video' | 'audio', from: number, to: number): Promise<SourceLease> {
    await this.verify(source);
    if (isManifestKey(source.key)) {
      const recording = await this.#manifest(source.key, source.etag);
      if (!recording.independent) return kept(await this.assembled(source.key, source.etag));
      const track = recording.tracks.find((t) => t.kind === kind) ?? recording.tracks.find((t) => t.kind === 'muxed')!;
      return this.#partial(
        track,
        chunksCovering(track, from, to).map((c) => c.key),
      );
    }
    if (source.seekable === false && from - source.video.startTime >= LINEAR_READ_SECONDS)
      return kept(await this.#indexed(source));
    return kept(await this.options.objects.input(source.key));
  }

  /**
   * Checks that a source (or an overlay's image) is still what its revision was minted from (its ETag, or size and
   * mtime): a
   * revision's segments are immutable, so one made from a source changed or deleted since would be a
   * lie under the same URL — `source_changed` (409) instead. Checked at most once a second per source
   * (`fresh` forces a check).
   */
  async verify(source: Pick<SourceInfo, 'key' | 'etag'>, fresh = false): Promise<void> {
    const key = `${source.key}\n${source.etag}`;
    const checked = this.#verified.get(key);
    if (!fresh && checked !== undefined && performance.now() - checked < IDENTITY_RECHECK_MS) return;
    const now = await this.options.objects.stat(source.key).catch((err: unknown) => {
      if (err instanceof UnusableSourceError) return undefined;
      throw err;
    });
    if (now?.etag !== source.etag) {
      this.#verified.delete(key);
      throw new OriginError(
        ErrorCode.SourceChanged,
        `the source ${JSON.stringify(source.key)} changed after this revision was minted; mint it again`,
      );
    }
    this.#verified.set(key, performance.now());
  }

  /** What mint probes for a source, by key and ETag. Release the chunk files once probed. */
  async probeTarget(key: string, etag: string): Promise<ProbeTarget> {
    if (!isManifestKey(key)) {
      // The container from the bytes, never from the name or a guess by ffprobe (docs/http-rules.md, "Hostile input").
      const demuxer = containerOf(await this.options.objects.readHead(key, SNIFF_BYTES));
      if (!demuxer) throw new UnusableSourceError('is not MP4, MOV, WebM/Matroska or MPEG-TS');
      return { kind: 'file', input: await this.options.objects.input(key), demuxer };
    }
    const recording = await this.#manifest(key, etag);
    if (!recording.independent) return { kind: 'file', input: await this.assembled(key, etag), demuxer: 'matroska' };
    const first = (t: ManifestTrack) => this.#partial(t, [t.chunks[0]!.key]);
    const video = recording.tracks.find((t) => t.kind !== 'audio')!;
    const audio = recording.tracks.find((t) => t.kind === 'audio');
    const last = video.chunks.at(-1)!;
    const [videoLease, audioLease] = await Promise.all([first(video), audio ? first(audio) : undefined]);
    return {
      kind: 'chunks',
      video: videoLease,
      audio: audioLease,
      demuxer: chunkDemuxer(video.chunks[0]!.key),
      end: last.start + last.duration,
    };
  }

  /** The manifest, read and parsed once per key + ETag. */
  #manifest(key: string, etag: string): Promise<ChunkedRecording> {
    const id = `${key}\n${etag}`;
    let recording = this.#manifests.get(id);
    if (!recording) {
      recording = this.options.objects
        .read(key, LIMITS.manifestBytes)
        .then((text) => readManifest(key, text.toString('utf8')));
      recording.catch(() => this.#manifests.delete(id));
      this.#manifests.set(id, recording);
    }
    return recording;
  }

  /** A file of a track's init segment and some of its chunks, byte for byte: valid WebM, MPEG-TS or fragmented MP4. */
  async #partial(track: ManifestTrack, chunks: string[]): Promise<SourceLease> {
    await mkdir(this.options.dir, { recursive: true });
    const path = join(this.options.dir, `chunks-${randomBytes(8).toString('hex')}${posix.extname(chunks[0]!)}`);
    const handle = await open(path, 'w');
    try {
      const parts = await Promise.all(
        [...(track.init ? [track.init] : []), ...chunks].map((key) =>
          this.options.objects.read(key, LIMITS.chunkBytes),
        ),
      );
      for (const part of parts) await handle.write(part);
    } catch (err) {
      await handle.close();
      await rm(path, { force: true });
      throw diskFull(err) ?? err;
    }
    await handle.close();
    return { input: path, release: () => rm(path, { force: true }) };
  }

  /**
   * One seekable Matroska file of a chunked recording: each track's init + chunks concatenated byte
   * for byte, then stream-copied together. ffmpeg reads only those local files, each with its demuxer
   * forced by the chunk's kind — never a manifest.
   */
  assembled(manifestKey: string, etag: string): Promise<string> {
    return this.#materialize(`manifest\n${manifestKey}\n${etag}`, async (output) => {
      const { tracks } = await this.#manifest(manifestKey, etag);
      await mkdir(this.options.dir, { recursive: true });
      const work = await mkdtemp(join(this.options.dir, 'assemble-'));
      let total = 0;
      try {
        const inputs: string[] = [];
        for (const [i, track] of tracks.entries()) {
          const file = join(work, `track-${i}`);
          const handle = await open(file, 'w');
          try {
            for (const key of [...(track.init ? [track.init] : []), ...track.chunks.map((c) => c.key)]) {
              const part = await this.options.objects.read(key, LIMITS.chunkBytes);
              total += part.length;
              if (total > LIMITS.assembledBytes)
                throw new UnusableSourceError(`is larger than ${LIMITS.assembledBytes} bytes in all`);
              await handle.write(part);
            }
          } finally {
            await handle.close();
          }
          inputs.push(...inputOptions(file, chunkDemuxer(track.chunks[0]!.key)), '-i', file);
        }
        const maps = tracks.flatMap((_, i) => ['-map', String(i)]);
        const args = [...FFMPEG_QUIET, '-y', ...inputs, ...maps, '-c', 'copy', '-f', 'matroska', output];
        try {
          await this.#run('assemble', args);
        } catch (err) {
          // Chunks that do not make one recording are the source's fault, not a fault of ours.
          if (err instanceof ProcessError && err.reason === 'exit')
            throw new UnusableSourceError(`has chunks ffmpeg cannot join (${err.message.slice(0, 200)})`);
          throw err;
        }
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    });
  }

  #indexed(source: SourceInfo): Promise<string> {
    return this.#materialize(`index\n${source.key}\n${source.etag}`, async (output) => {
      const input = await this.options.objects.input(source.key);
      const args = [
        ...FFMPEG_QUIET,
        '-y',
        ...inputOptions(input, 'matroska'),
        '-i',
        input,
        '-map',
        '0',
        '-c',
        'copy',
        '-f',
        'matroska',
        output,
      ];
      await this.#run('index', args);
    });
  }

  async #run(kind: 'index' | 'assemble', args: string[]): Promise<void> {
    const started = performance.now();
    try {
      await this.options.runner.run(this.options.ffmpegPath, args, { timeoutMs: this.options.timeoutMs });
    } catch (err) {
      // ffmpeg writing the copy ran out of disk: the disk's fault, not the source's. Killed (the
      // out-of-memory killer) or out of time: a retryable 503, at mint as at a segment.
      throw (
        diskFull(err, err instanceof ProcessError && err.stderrTail.includes('No space left on device')) ??
        processFailure(err, kind === 'index' ? 'indexing the source' : "joining the recording's chunks") ??
        err
      );
    } finally {
      this.options.observe?.(kind, (performance.now() - started) / 1000);
    }
  }

  /** Bytes of local files (assembled and indexed sources) the cache holds. */
  get bytes(): number {
    return this.#files.size;
  }

  /** Makes a file once per identity (single-flight); renamed into place only when whole. */
  async #materialize(identity: string, make: (output: string) => Promise<void>): Promise<string> {
    const key = createHash('sha256').update(identity).digest('hex').slice(0, 32);
    const taken = await this.#files.take(key, async () => {
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
      return { value: path, size: (await stat(path)).size };
    });
    return taken.value;
  }

  /** Deletes every copy. */
  clear(): void {
    this.#files.clear();
  }
}
