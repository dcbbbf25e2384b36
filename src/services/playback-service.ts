import { createHash } from 'node:crypto';
import { renderDashManifest } from '../core/dash-manifest.js';
import { renderMasterPlaylist, renderMediaPlaylist } from '../core/hls-playlist.js';
import type { VideoRendition } from '../core/ladder.js';
import { planRevision, videoCodec, type Plan, type PlanOptions, type Span } from '../core/plan.js';
import { isRevisionId } from '../core/revision.js';
import { piecesOf } from '../core/timeline.js';
import { ErrorCode, OriginError } from '../errors.js';
import { ByteLru } from '../engine/byte-lru.js';
import type { JobTiming, Priority } from '../engine/job-pool.js';
import { withDeadline } from '../engine/deadline.js';
import { artifactKeys } from './artifact-keys.js';
import { failed, ffmpegContext } from './job-context.js';
import { SingleFlight } from '../engine/single-flight.js';
import type { EncoderSettings } from '../media/ffmpeg-args.js';
import { readAvcConfig } from '../media/mp4/boxes.js';
import { makeVideoSegment } from '../media/video-segment.js';
import { avcCodecString } from '../core/h264.js';
import { planAudioChunk } from '../core/audio-chunk.js';
import { AUDIO_BITRATE, AUDIO_CHANNELS, AUDIO_SAMPLE_RATE, samplesPerVideoFrame } from '../core/media-units.js';
import { aacLcConfig } from '../media/adts.js';
import { makeAudioSegment } from '../media/audio-segment.js';
import type { Denoiser } from '../media/denoise/denoiser.js';
import { aacInitSegment } from '../media/mp4/aac-track.js';
import type { ProcessRunner } from '../media/process-runner.js';
import type { JobPool } from '../engine/job-pool.js';
import type { SourceCache } from '../engine/source-cache.js';
import type { Logger } from '../logger.js';
import type { RevisionStore } from '../stores/revision-store.js';

export type CacheStatus = 'hit' | 'miss' | 'coalesced';

/** Bytes ready to send, with what the HTTP edge needs to describe them. */
export interface Artifact {
  body: Buffer;
  etag: string;
  contentType: string;
  /** hit: served from memory; miss: this request ran the job; coalesced: joined a job under way. */
  cacheStatus: CacheStatus;
  timing: ArtifactTiming;
}

/** Where a response's time went, in milliseconds (sent as Server-Timing). */
export interface ArtifactTiming {
  /** Finding the revision and its plan. */
  resolve: number;
  /** Waiting for a job slot (the job this response waited for, if any). */
  queue?: number;
  /** Running ffmpeg. */
  ffmpeg?: number;
}

interface SegmentResult {
  /** Video only: the init segment that came out of the same run. */
  init?: Stored;
  media: Stored;
  timing: JobTiming;
}

export interface PlaybackDeps {
  store: RevisionStore;
  runner: ProcessRunner;
  pool: JobPool;
  logger: Logger;
  ffmpegPath: string;
  jobTimeoutMs: number;
  /** How long a request waits for its job before a retryable 503 (the job goes on). */
  requestWaitMs: number;
  /** Where ffmpeg reads each source from (files, S3, assembled or indexed local copies). */
  sources: SourceCache;
  /** RNNoise, for revisions with noise suppression. */
  denoiser: Denoiser;
  encoder: EncoderSettings;
  planOptions: PlanOptions;
  artifactCacheBytes: number;
  /** Segments of a rendition made ahead of the one a player asked for. */
  lookahead: number;
}


const PLAYLIST = 'application/vnd.apple.mpegurl';
const DASH = 'application/dash+xml';
const PLAN_CACHE_ENTRIES = 2000;
const INIT_CACHE_ENTRIES = 4000;

interface Stored {
  body: Buffer;
  etag: string;
}

function stored(body: Buffer): Stored {
  return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

/**
 * Answers playback requests: revision → plan (pure, cached) → playlist text, or a single-flight job in
 * the bounded pool → bytes (cached in memory, LRU by bytes).
 */
export class PlaybackService {
  readonly #plans = new ByteLru<Plan>(PLAN_CACHE_ENTRIES);
  readonly #inits = new ByteLru<Stored>(INIT_CACHE_ENTRIES);
  readonly #artifacts: ByteLru<Stored>;
  readonly #segmentFlights = new SingleFlight<SegmentResult>();
  /** Every audio rendition has the same init segment: AAC-LC, 48 kHz, stereo, one bitrate. */
  readonly #audioInit: Stored;
  #closing = false;

  constructor(private readonly deps: PlaybackDeps) {
    this.#artifacts = new ByteLru(deps.artifactCacheBytes);
    this.#audioInit = stored(
      aacInitSegment({ audioSpecificConfig: aacLcConfig(AUDIO_SAMPLE_RATE, AUDIO_CHANNELS), sampleRate: AUDIO_SAMPLE_RATE, channels: AUDIO_CHANNELS, bitrate: AUDIO_BITRATE }),
    );
  }

  /** The plan of a revision; `revision_not_found` for unknown or malformed ids. */
  async plan(revisionId: string): Promise<Plan> {
    const cached = this.#plans.get(revisionId);
    if (cached) return cached;
    const record = isRevisionId(revisionId) ? await this.deps.store.getRevision(revisionId) : undefined;
    if (!record) throw new OriginError(ErrorCode.RevisionNotFound, `no revision ${JSON.stringify(revisionId)}`);
    const plan = planRevision(record, this.deps.planOptions);
    this.#plans.set(revisionId, plan, 1);
    return plan;
  }

  async #resolve(revisionId: string): Promise<{ plan: Plan; resolve: number }> {
    const t0 = performance.now();
    const plan = await this.plan(revisionId);
    return { plan, resolve: performance.now() - t0 };
  }

  async masterPlaylist(revisionId: string): Promise<Artifact> {
    const { plan, resolve } = await this.#resolve(revisionId);
    return { ...this.#playlist(artifactKeys.playlist(plan.revisionId, 'master.m3u8'), () => renderMasterPlaylist(plan)), timing: { resolve } };
  }

  async mediaPlaylist(revisionId: string, renditionId: string): Promise<Artifact> {
    const { plan, resolve } = await this.#resolve(revisionId);
    this.#rendition(plan, renditionId);
    return { ...this.#playlist(artifactKeys.playlist(plan.revisionId, `${renditionId}.m3u8`), () => renderMediaPlaylist(plan, renditionId)), timing: { resolve } };
  }

  async dashManifest(revisionId: string): Promise<Artifact> {
    const { plan, resolve } = await this.#resolve(revisionId);
    return { ...this.#playlist(artifactKeys.playlist(plan.revisionId, 'manifest.mpd'), () => renderDashManifest(plan), DASH), timing: { resolve } };
  }

  /** Playlists are immutable per revision: rendered and hashed once, then served from memory. */
  #playlist(key: string, render: () => string, contentType = PLAYLIST): Omit<Artifact, 'timing'> {
    let text = this.#artifacts.get(key);
    if (!text) {
      text = stored(Buffer.from(render()));
      this.#artifacts.set(key, text, text.body.length);
    }
    return { ...text, contentType, cacheStatus: 'hit' };
  }

  async initSegment(revisionId: string, renditionId: string): Promise<Artifact> {
    const { plan, resolve } = await this.#resolve(revisionId);
    const rendition = this.#rendition(plan, renditionId);
    if (rendition === 'audio') return { ...this.#audioInit, contentType: 'audio/mp4', cacheStatus: 'hit', timing: { resolve } };
    const cached = this.#inits.get(artifactKeys.init(plan.revisionId, rendition.id));
    if (cached) return { ...cached, contentType: 'video/mp4', cacheStatus: 'hit', timing: { resolve } };
    // An init segment comes out of a segment run; segment 0 is the one the player asks for next.
    const { result, cacheStatus, timing } = await this.#forPlayer(plan, rendition, 0);
    return { ...result.init!, contentType: 'video/mp4', cacheStatus, timing: { resolve, ...timing } };
  }

  async mediaSegment(revisionId: string, renditionId: string, index: number): Promise<Artifact> {
    const { plan, resolve } = await this.#resolve(revisionId);
    const rendition = this.#rendition(plan, renditionId);
    if (!Number.isInteger(index) || index < 0 || index >= plan.grid.segments.length) {
      throw new OriginError(ErrorCode.NotFound, `segment ${index} is out of range (0–${plan.grid.segments.length - 1})`);
    }
    const contentType = rendition === 'audio' ? 'audio/mp4' : 'video/mp4';
    const cached = this.#artifacts.get(artifactKeys.segment(plan.revisionId, renditionId, index));
    if (cached) {
      this.#lookahead(plan, rendition, index);
      return { ...cached, contentType, cacheStatus: 'hit', timing: { resolve } };
    }
    const { result, cacheStatus, timing } = await this.#forPlayer(plan, rendition, index);
    return { ...result.media, contentType, cacheStatus, timing: { resolve, ...timing } };
  }

  /**
   * A segment a player is waiting for: its job first, then lookahead behind it (so lookahead never
   * takes the player's slot), and a bounded wait.
   */
  async #forPlayer(plan: Plan, rendition: VideoRendition | 'audio', index: number) {
    const job = this.#segment(plan, rendition, index, 'high');
    this.#lookahead(plan, rendition, index);
    const name = rendition === 'audio' ? 'audio' : rendition.id;
    const { result, cacheStatus } = await withDeadline(job, this.deps.requestWaitMs, `segment ${index} of ${name}`);
    return { result, cacheStatus, timing: { queue: result.timing.queueMs, ffmpeg: result.timing.runMs } };
  }

  /**
   * Queues the next segments of a rendition at low priority, so they are ready before the player
   * asks (and, during the start-up ramp, the next one of the rendition above). The pool drops them
   * first under load; a player asking for one promotes it.
   */
  #lookahead(plan: Plan, rendition: VideoRendition | 'audio', index: number): void {
    if (this.deps.lookahead === 0) return;
    const wanted: Array<[VideoRendition | 'audio', number]> = [];
    const last = Math.min(index + this.deps.lookahead, plan.grid.segments.length - 1);
    for (let next = index + 1; next <= last; next++) wanted.push([rendition, next]);
    // During the start-up ramp a player's buffer is thinnest and ABR may switch up: the next segment
    // of the rendition above comes after the player's own next ones (measured: queued first, it held
    // the lookahead slot while the start rendition's next segment waited, and playback stalled).
    const up = rendition === 'audio' ? undefined : plan.video[plan.video.indexOf(rendition) - 1];
    const ramping = plan.grid.segments[index]!.frameCount < plan.grid.segmentFrames;
    if (up && ramping && index + 1 < plan.grid.segments.length) wanted.splice(1, 0, [up, index + 1]);
    for (const [r, next] of wanted) {
      const key = artifactKeys.segment(plan.revisionId, r === 'audio' ? 'audio' : r.id, next);
      if (this.#segmentFlights.has(key) || this.#artifacts.get(key)) continue;
      this.#segment(plan, r, next, 'low').catch(() => {});
    }
  }

  #rendition(plan: Plan, id: string): VideoRendition | 'audio' {
    if (plan.audio && id === plan.audio.id) return 'audio';
    const rendition = plan.video.find((r) => r.id === id);
    if (!rendition) throw new OriginError(ErrorCode.NotFound, `no rendition ${JSON.stringify(id)} in this revision`);
    return rendition;
  }

  /**
   * Runs (or joins) the job for one segment. Waiters get the bytes from the job itself, so a segment
   * too large for the cache is still delivered; the cache only serves later requests.
   */
  async #segment(
    plan: Plan,
    rendition: VideoRendition | 'audio',
    index: number,
    priority: Priority,
  ): Promise<{ result: SegmentResult; cacheStatus: CacheStatus }> {
    const key = artifactKeys.segment(plan.revisionId, rendition === 'audio' ? 'audio' : rendition.id, index);
    const joining = this.#segmentFlights.has(key);
    // A player joining a queued lookahead job lifts it to its own priority.
    if (joining && priority === 'high') this.deps.pool.promote(key);
    const result = await this.#segmentFlights.run(key, async () => {
      const { value, timing } = await this.deps.pool.runTimed(
        () => (rendition === 'audio' ? this.#makeAudio(plan, index, key) : this.#makeVideo(plan, rendition, index, key)),
        priority,
        key,
      );
      return { ...value, timing };
    });
    return { result, cacheStatus: joining ? 'coalesced' : 'miss' };
  }

  async #makeVideo(plan: Plan, rendition: VideoRendition, index: number, key: string): Promise<Omit<SegmentResult, 'timing'>> {
    const segment = plan.grid.segments[index]!;
    const pieces = await Promise.all(
      piecesOf(plan.spans, segment.startFrame, segment.frameCount).map(async (p) => ({ ...p, input: await this.#input(p.span, (p.startFrame - p.span.outputFrame) / plan.fps) })),
    );
    const job = { pieces, segment, rendition, fps: plan.fps, encoder: this.deps.encoder };
    const out = await makeVideoSegment(ffmpegContext(this.deps), job).catch((err: unknown) => this.#failed('video segment', key, err));
    const media = stored(out.media);
    this.#artifacts.set(key, media, media.body.length);
    return { init: this.#keepInit(plan, rendition, out.init), media };
  }

  /** Audio segment `index`: one chunk of the track, made on its own (see planAudioChunk). */
  async #makeAudio(plan: Plan, index: number, key: string): Promise<Omit<SegmentResult, 'timing'>> {
    const slice = plan.audio!.slices[index]!;
    const chunk = planAudioChunk(plan, slice);
    const inputs = await Promise.all(chunk.pieces.map((p) => this.#input(p.span, (p.from - p.span.outputFrame * samplesPerVideoFrame(plan.fps)) / AUDIO_SAMPLE_RATE)));
    const job = { chunk, inputs, bitrate: plan.audio!.bitrate, sequenceNumber: index + 1 };
    const body = await makeAudioSegment(ffmpegContext(this.deps), job, this.deps.denoiser).catch((err: unknown) => this.#failed('audio segment', key, err));
    const media = stored(body);
    this.#artifacts.set(key, media, media.body.length);
    return { media };
  }

  /** Where a job reads a span from, for a read starting `offset` seconds into it (see SourceCache.input). */
  #input(span: Span, offset: number): Promise<string> {
    return this.deps.sources.input(span.source, span.sourceStart - span.source.video.startTime + offset);
  }

  /** Caches a rendition's init once and checks every later run against it (docs/media-rules.md, "Init segments"). */
  #keepInit(plan: Plan, rendition: VideoRendition, init: Buffer): Stored {
    const key = artifactKeys.init(plan.revisionId, rendition.id);
    const known = this.#inits.get(key);
    if (known) {
      if (!known.body.equals(init)) this.deps.logger.warn('init segment differs between runs', { key });
      return known;
    }
    const avc = readAvcConfig(init);
    const actual = avcCodecString(avc.profileIdc, avc.constraints, avc.levelIdc);
    if (actual !== videoCodec(rendition)) {
      this.deps.logger.warn('encoder codec string differs from the playlist', { key, actual, expected: videoCodec(rendition) });
    }
    const result = stored(init);
    this.#inits.set(key, result, 1);
    return result;
  }

  /** A job's failure as an origin error; during shutdown it is the shutdown (retryable), not a fault. */
  #failed(what: string, key: string, err: unknown): never {
    if (this.#closing) throw new OriginError(ErrorCode.Unavailable, 'the server is shutting down', undefined, { cause: err });
    return failed(this.deps.logger, what, key, err);
  }

  /** Marks the service as shutting down: jobs the shutdown kills fail as retryable. */
  beginClose(): void {
    this.#closing = true;
  }

  /** Deletes every indexed source from disk. */
  async close(): Promise<void> {
    this.#closing = true;
    this.deps.sources.clear();
  }
}
