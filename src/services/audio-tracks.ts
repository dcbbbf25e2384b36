import type { Plan } from '../core/plan.js';
import { audioFrameCount } from '../core/segment-grid.js';
import { ByteLru } from '../engine/byte-lru.js';
import { withDeadline } from '../engine/deadline.js';
import type { JobPool } from '../engine/job-pool.js';
import { SingleFlight } from '../engine/single-flight.js';
import { OriginError } from '../errors.js';
import type { Logger } from '../logger.js';
import { AudioTrack, renderAudioTrack } from '../media/audio-track.js';
import type { ProcessRunner } from '../media/process-runner.js';
import type { SourceCache } from '../engine/source-cache.js';
import { failed, ffmpegContext } from './job-context.js';

/** Disk budget for rendered audio tracks (128 kbit/s: about 57 MB per hour). */
const AUDIO_TRACK_BYTES = 4 * 1024 * 1024 * 1024;

export interface AudioTracksDeps {
  runner: ProcessRunner;
  pool: JobPool;
  logger: Logger;
  ffmpegPath: string;
  jobTimeoutMs: number;
  /** How long a request waits for its job before a retryable 503 (the job goes on). */
  requestWaitMs: number;
  workDir: string;
  /** Where ffmpeg reads each source from (files, S3, assembled or indexed local copies). */
  sources: SourceCache;
}

/**
 * Each revision's audio track: created once (single-flight), rendered by a pool job in the
 * background, readable while it renders — a reader waits only for the frames it needs — and kept on
 * disk, LRU-bounded in bytes.
 */
export class AudioTracks {
  readonly #tracks = new ByteLru<AudioTrack>(AUDIO_TRACK_BYTES, (_key, track) => void track.dispose());
  readonly #flights = new SingleFlight<AudioTrack>();

  constructor(private readonly deps: AudioTracksDeps) {}

  /** Reads from the revision's track (starting its render if needed), within the request's wait. */
  async read(plan: Plan, read: (track: AudioTrack) => Promise<Buffer>): Promise<{ body: Buffer; origin: 'hit' | 'miss' | 'coalesced' }> {
    const { track, origin } = await this.#track(plan);
    const reading = read(track).catch((err: unknown) => failed(this.deps.logger, 'audio track', `${plan.revisionId}/audio`, err));
    return { body: await withDeadline(reading, this.deps.requestWaitMs, 'the audio segment'), origin };
  }

  async #track(plan: Plan): Promise<{ track: AudioTrack; origin: 'hit' | 'miss' | 'coalesced' }> {
    const key = plan.revisionId;
    const cached = this.#tracks.get(key);
    if (cached) return { track: cached, origin: cached.done ? 'hit' : 'coalesced' };
    const origin = this.#flights.has(key) ? 'coalesced' : 'miss';
    const track = await this.#flights.run(key, async () => {
      const made = await AudioTrack.create(this.deps.workDir, audioFrameCount(plan.grid), plan.audio!.bitrate);
      this.#tracks.set(key, made, made.estimatedSize);
      const pieces = async () => Promise.all(plan.spans.map(async (span) => ({ span, input: await this.deps.sources.input(span.source) })));
      this.deps.pool
        .run(async () => renderAudioTrack(ffmpegContext(this.deps), await pieces(), plan.fps, made))
        .catch((err: unknown) => {
          made.fail(err);
          if (!(err instanceof OriginError)) this.deps.logger.error('audio track failed', { key, error: String(err) });
          // Forget the failed track (and delete its file), so the next request tries again.
          if (this.#tracks.get(key) === made) this.#tracks.delete(key);
        });
      return made;
    });
    return { track, origin };
  }

  /** Stops renders and deletes every track. */
  clear(): void {
    this.#tracks.clear();
  }
}
