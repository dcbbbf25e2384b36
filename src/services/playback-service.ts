import { createHash } from 'node:crypto';
import { renderDashManifest } from '../core/dash-manifest.js';
import { avcCodecString } from '../core/h264.js';
import { renderMasterPlaylist, renderMediaPlaylist } from '../core/hls-playlist.js';
import type { VideoRendition } from '../core/ladder.js';
import { AUDIO_BITRATE, AUDIO_CHANNELS, AUDIO_SAMPLE_RATE } from '../core/media-units.js';
import { planRevision, videoCodec, type Plan, type PlanOptions } from '../core/plan.js';
import { isRevisionId } from '../core/revision.js';
import { ByteLru } from '../engine/byte-lru.js';
import { withDeadline } from '../engine/deadline.js';
import type { Ahead, Lookahead, LookaheadPlan } from '../engine/lookahead.js';
import { RunTimes, type JobSize } from '../engine/run-times.js';
import type { JobClass, JobHandle, JobTiming, Scheduler } from '../engine/scheduler.js';
import { SingleFlight } from '../engine/single-flight.js';
import { ErrorCode, OriginError, isTransient } from '../errors.js';
import type { Logger } from '../logger.js';
import { aacLcConfig } from '../media/adts.js';
import { ProcessError } from '../media/process-runner.js';
import { aacInitSegment } from '../media/mp4/aac-track.js';
import { readAvcConfig } from '../media/mp4/boxes.js';
import type { RevisionStore } from '../stores/revision-store.js';
import { artifactKeys } from './artifact-keys.js';
import { failed } from './job-context.js';
import { audioRidesAlong, type SegmentMaker } from './segment-maker.js';

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

export interface PlaybackDeps {
  store: RevisionStore;
  scheduler: Scheduler;
  maker: SegmentMaker;
  lookahead: Lookahead;
  logger: Logger;
  /** How long a request waits for its job before a retryable 503 (the job goes on). */
  requestWaitMs: number;
  planOptions: PlanOptions;
  artifactCacheBytes: number;
  /** Told each segment job's run time (metrics). */
  observeJob?: (kind: 'video' | 'audio', rendition: string, seconds: number) => void;
}

const PLAYLIST = 'application/vnd.apple.mpegurl';
const DASH = 'application/dash+xml';
const PLAN_CACHE_ENTRIES = 2000;
/**
 * How long a segment's failure is remembered (a short negative cache): a broken segment is not remade
 * for every request and every retry, yet a fix is seen within seconds.
 */
const FAILURE_MEMORY_MS = 5000;
const FAILURE_ENTRIES = 2000;
/** A player's job is due, at the latest, this share of the request's wait after it was asked for. */
const ANSWER_WITHIN_SHARE = 0.5;
const INIT_CACHE_ENTRIES = 4000;
/** A video rendition's init segment from one black frame: mostly ffmpeg's start-up. */
const INIT_ESTIMATE_MS = 200;

interface Stored {
  body: Buffer;
  etag: string;
}

function stored(body: Buffer): Stored {
  return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

interface Made {
  value: Stored;
  timing: JobTiming;
}

type Rendition = VideoRendition | 'audio';
const renditionName = (r: Rendition) => (r === 'audio' ? 'audio' : r.id);

/** What a video init segment depends on: the rendition's shape and the frame rate (the encoder is the process's). */
const initKey = (plan: Plan, r: VideoRendition) =>
  `init/${r.width}x${r.height}/${r.levelIdc}/${r.maxBitrate}/${plan.fps}`;

/**
 * What a segment job's run time is proportional to, with a first guess for a machine like the project's
 * (2.4 GHz, alone; measured: 720p from 1080p 12 ms per frame, 480p 8, audio 0.7 per AAC frame): decoding
 * the source and scaling it, and encoding the rendition.
 */
function jobSize(plan: Plan, rendition: Rendition, index: number): JobSize {
  if (rendition === 'audio') return { kind: 'audio', units: plan.audio!.slices[index]!.frameCount, seedMsPerUnit: 0.7 };
  const source = plan.spans[0]!.source.video;
  return {
    kind: `video/${rendition.id}`,
    units: plan.grid.segments[index]!.frameCount,
    seedMsPerUnit: 1 + rendition.width * rendition.height * 7e-6 + source.width * source.height * 2e-6,
  };
}

/** What lookahead needs of a plan. */
function lookaheadPlan(plan: Plan): LookaheadPlan {
  return {
    revisionId: plan.revisionId,
    starts: plan.grid.segments.map((s) => s.start),
    video: plan.video.map((r) => r.id),
    audio: plan.audio?.id,
  };
}

/**
 * Answers playback requests: revision → plan (pure, cached) → playlist text, or a single-flight job on
 * the scheduler → bytes (cached in memory, LRU by bytes). Every segment a player asks for is a
 * player's job; lookahead (Lookahead) follows what players fetch and runs on what they leave free.
 */
export class PlaybackService {
  readonly #plans = new ByteLru<Plan>(PLAN_CACHE_ENTRIES);
  /** Video init segments by what they depend on (rendition shape, rate, encoder), shared across revisions. */
  readonly #inits = new ByteLru<Stored>(INIT_CACHE_ENTRIES);
  readonly #artifacts: ByteLru<Stored>;
  readonly #flights = new SingleFlight<Made>();
  /** Segments whose job failed for a reason a retry would meet again, and until when that is remembered. */
  readonly #failures = new ByteLru<{ error: OriginError; until: number }>(FAILURE_ENTRIES);
  /** How long jobs take here, so the scheduler knows when a player's job must start. */
  readonly #runTimes = new RunTimes();
  /**
   * The first video segment job in flight for each revision's rendition: the init segment a player asks
   * for just before it comes out of that run.
   */
  readonly #shapeFlights = new Map<string, { key: string; done: Promise<unknown> }>();
  /** Video segment jobs whose run has begun (a queued one may still take its audio segment along). */
  readonly #begun = new Set<string>();
  /** Every audio rendition has the same init segment: AAC-LC, 48 kHz, stereo, one bitrate. */
  readonly #audioInit: Stored;
  #closing = false;

  constructor(private readonly deps: PlaybackDeps) {
    this.#artifacts = new ByteLru(deps.artifactCacheBytes);
    this.#audioInit = stored(
      aacInitSegment({
        audioSpecificConfig: aacLcConfig(AUDIO_SAMPLE_RATE, AUDIO_CHANNELS),
        sampleRate: AUDIO_SAMPLE_RATE,
        channels: AUDIO_CHANNELS,
        bitrate: AUDIO_BITRATE,
      }),
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
    return {
      ...this.#playlist(artifactKeys.playlist(plan.revisionId, 'master.m3u8'), () => renderMasterPlaylist(plan)),
      timing: { resolve },
    };
  }

  async mediaPlaylist(revisionId: string, renditionId: string): Promise<Artifact> {
    const { plan, resolve } = await this.#resolve(revisionId);
    this.#rendition(plan, renditionId);
    return {
      ...this.#playlist(artifactKeys.playlist(plan.revisionId, `${renditionId}.m3u8`), () =>
        renderMediaPlaylist(plan, renditionId),
      ),
      timing: { resolve },
    };
  }

  async dashManifest(revisionId: string): Promise<Artifact> {
    const { plan, resolve } = await this.#resolve(revisionId);
    return {
      ...this.#playlist(artifactKeys.playlist(plan.revisionId, 'manifest.mpd'), () => renderDashManifest(plan), DASH),
      timing: { resolve },
    };
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
    if (rendition === 'audio')
      return { ...this.#audioInit, contentType: 'audio/mp4', cacheStatus: 'hit', timing: { resolve } };
    const { made, cacheStatus } = await this.#wait(
      this.#init(plan, rendition, 'player'),
      `the init segment of ${rendition.id}`,
    );
    return {
      ...made.value,
      contentType: 'video/mp4',
      cacheStatus,
      timing: { resolve, queue: made.timing.queueMs, ffmpeg: made.timing.runMs },
    };
  }

  async mediaSegment(revisionId: string, renditionId: string, index: number): Promise<Artifact> {
    const { plan, resolve } = await this.#resolve(revisionId);
    const rendition = this.#rendition(plan, renditionId);
    if (!Number.isInteger(index) || index < 0 || index >= plan.grid.segments.length) {
      throw new OriginError(
        ErrorCode.NotFound,
        `segment ${index} is out of range (0–${plan.grid.segments.length - 1})`,
      );
    }
    const contentType = rendition === 'audio' ? 'audio/mp4' : 'video/mp4';
    const watch = lookaheadPlan(plan);
    const { needAt, ahead } = this.deps.lookahead.onRequest(watch, renditionName(rendition), index);
    try {
      // Whatever the player's buffer, its request must be answered before the request's wait runs out.
      const deadline = Math.min(needAt, performance.now() + this.deps.requestWaitMs * ANSWER_WITHIN_SHARE);
      const job = this.#segment(plan, rendition, index, 'player', deadline);
      this.#queueAhead(plan, ahead);
      const { made, cacheStatus } = await this.#wait(job, `segment ${index} of ${renditionName(rendition)}`);
      const timing =
        cacheStatus === 'hit' ? { resolve } : { resolve, queue: made.timing.queueMs, ffmpeg: made.timing.runMs };
      return { ...made.value, contentType, cacheStatus, timing };
    } finally {
      this.deps.lookahead.onAnswered(watch, index);
    }
  }

  /**
   * Starts a freshly minted revision's first segments — the start rendition's and the audio's — as a
   * player's, needed now: the main application mints just before someone watches, and those segments
   * get the machine to themselves (as lookahead they ran beside the lookahead of the revision minted
   * before, and decoded on one thread: the first segment of the fourth of ten revisions minted in a row
   * took 1.55× the first's). The start rendition's init segment comes out of the same run.
   */
  async prewarm(revisionId: string): Promise<void> {
    const plan = await this.plan(revisionId);
    const start = plan.video.find((r) => r.id === plan.startRendition)!;
    const first = [start, ...(plan.audio ? ['audio' as const] : [])];
    for (const rendition of first) this.deps.lookahead.expect(plan.revisionId, renditionName(rendition), -1);
    // The video run makes the audio segment too, unless it needs noise suppression.
    for (const rendition of first) this.#segment(plan, rendition, 0, 'player', performance.now()).catch(() => {});
  }

  /** Waits for a job at most the request's wait; past it, a retryable 503 (the job goes on). */
  async #wait(job: Promise<{ made: Made; cacheStatus: CacheStatus }>, what: string) {
    return withDeadline(job, this.deps.requestWaitMs, what);
  }

  /** Queues what lookahead says to make ahead of a player's request (a job already queued gets the new deadline). */
  #queueAhead(plan: Plan, list: readonly Ahead[]): void {
    for (const ahead of list) {
      const target = ahead.rendition === 'audio' ? 'audio' : plan.video.find((r) => r.id === ahead.rendition)!;
      const key = artifactKeys.segment(plan.revisionId, ahead.rendition, ahead.index);
      if (this.#flights.has(key)) this.deps.scheduler.retime(key, ahead.needAt);
      else if (!this.#artifacts.get(key))
        this.#segment(plan, target, ahead.index, 'lookahead', ahead.needAt).catch(() => {});
    }
  }

  #rendition(plan: Plan, id: string): Rendition {
    if (plan.audio && id === plan.audio.id) return 'audio';
    const rendition = plan.video.find((r) => r.id === id);
    if (!rendition) throw new OriginError(ErrorCode.NotFound, `no rendition ${JSON.stringify(id)} in this revision`);
    return rendition;
  }

  /**
   * A segment from the cache, or the job that makes it (run or joined). Waiters get the bytes from the
   * job itself, so a segment too large for the cache is still delivered.
   */
  async #segment(
    plan: Plan,
    rendition: Rendition,
    index: number,
    cls: JobClass,
    needAt?: number,
    lentTo?: { carrierKey: string; value: Promise<Stored> },
  ): Promise<{ made: Made; cacheStatus: CacheStatus }> {
    const name = renditionName(rendition);
    const key = artifactKeys.segment(plan.revisionId, name, index);
    const cached = this.#artifacts.get(key);
    if (cached) return { made: { value: cached, timing: { queueMs: 0, runMs: 0, alone: true } }, cacheStatus: 'hit' };
    const failure = this.#failures.get(key);
    if (failure && failure.until > performance.now()) throw failure.error;
    const joining = this.#flights.has(key);
    // A player joining a lookahead job lifts it to a player's job, with the player's deadline.
    if (joining && cls === 'player') this.deps.scheduler.promote(key, needAt);
    const size = jobSize(plan, rendition, index);
    const estimateMs = this.#runTimes.estimate(size);
    const made = this.#flights.run(key, async () => {
      const { value, timing } = await this.deps.scheduler
        .run(
          async (handle) => {
            const media =
              rendition === 'audio'
                ? await this.#makeAudio(plan, index, key, handle)
                : await this.#makeVideo(plan, rendition, index, key, handle, needAt);
            this.#artifacts.set(key, media, media.body.length);
            return media;
          },
          {
            key,
            class: cls,
            needAt,
            estimateMs,
            preemptible: rendition !== 'audio',
            wanted: () => this.deps.lookahead.wanted(lookaheadPlan(plan), name, index),
            lentTo,
            deferWhile: rendition === 'audio' ? () => this.#videoQueued(plan, index) : undefined,
          },
        )
        .catch((err: unknown) => {
          if (err instanceof OriginError && !isTransient(err.code))
            this.#failures.set(key, { error: err, until: performance.now() + FAILURE_MEMORY_MS }, 1);
          throw err;
        });
      this.#runTimes.record(size, timing.runMs, timing.alone);
      if (!timing.carried) this.deps.observeJob?.(rendition === 'audio' ? 'audio' : 'video', name, timing.runMs / 1000);
      this.deps.logger.debug('segment made', {
        key,
        ms: Math.round(timing.runMs),
        queueMs: Math.round(timing.queueMs),
        estimateMs: Math.round(estimateMs),
        alone: timing.alone,
        carried: timing.carried ?? false,
      });
      return { value, timing };
    });
    if (!joining && rendition !== 'audio') this.#trackShape(`${plan.revisionId}/${name}`, key, made);
    return { made: await made, cacheStatus: joining ? 'coalesced' : 'miss' };
  }

  /** Remembers a video segment job as the one its rendition's init segment can come from, while it runs. */
  #trackShape(shape: string, key: string, made: Promise<unknown>): void {
    if (this.#shapeFlights.has(shape)) return;
    const entry = { key, done: made.catch(() => {}) };
    this.#shapeFlights.set(shape, entry);
    void entry.done.then(() => {
      if (this.#shapeFlights.get(shape) === entry) this.#shapeFlights.delete(shape);
    });
  }

  /** Whether a video segment job of this index is queued, and will take its audio segment along when it starts. */
  #videoQueued(plan: Plan, index: number): boolean {
    if (!audioRidesAlong(plan, index)) return false;
    return plan.video.some((r) => {
      const key = artifactKeys.segment(plan.revisionId, r.id, index);
      return this.#flights.has(key) && !this.#begun.has(key);
    });
  }

  async #makeVideo(
    plan: Plan,
    rendition: VideoRendition,
    index: number,
    key: string,
    handle: JobHandle,
    needAt?: number,
  ): Promise<Stored> {
    this.#begun.add(key);
    try {
      return await this.#makeVideoRun(plan, rendition, index, key, handle, needAt);
    } finally {
      this.#begun.delete(key);
    }
  }

  async #makeVideoRun(
    plan: Plan,
    rendition: VideoRendition,
    index: number,
    key: string,
    handle: JobHandle,
    needAt?: number,
  ): Promise<Stored> {
    const audio = this.#carryAudio(plan, index, key, needAt);
    const make = (withAudio: boolean) => this.deps.maker.video(plan, rendition, index, handle, withAudio);
    const out = await make(audio !== undefined).catch((err: unknown) => {
      audio?.reject(err);
      // A run that failed with the audio in it is tried once more without it: a broken audio track
      // must not take the picture down with it (the audio segment's own job reports its failure).
      if (audio && err instanceof ProcessError && err.reason === 'exit' && !handle.signal.aborted)
        return make(false).catch((again: unknown) => this.#failed('video segment', key, again, handle));
      return this.#failed('video segment', key, err, handle);
    });
    if (audio) {
      if (out.audio) {
        const value = stored(out.audio);
        this.#artifacts.set(artifactKeys.segment(plan.revisionId, 'audio', index), value, value.body.length);
        audio.resolve(value);
      } else audio.reject(new Error('the run made no audio'));
    }
    // The init the playlist points at must be the one this segment was encoded for.
    const known = this.#inits.get(initKey(plan, rendition)) ?? this.#adoptInit(plan, rendition, out.init, key);
    if (!known.body.equals(out.init))
      this.#failed('video segment', key, new Error(`${rendition.id} init segment differs from the rendition's`));
    return stored(out.media);
  }

  /** Keeps a rendition's init segment (from any run of its shape) once its codec string is the playlist's. */
  #adoptInit(plan: Plan, rendition: VideoRendition, init: Buffer, key: string): Stored {
    const avc = readAvcConfig(init);
    const actual = avcCodecString(avc.profileIdc, avc.constraints, avc.levelIdc);
    if (actual !== videoCodec(rendition))
      this.#failed(
        'init segment',
        key,
        new Error(`the encoder wrote ${actual}, the playlist says ${videoCodec(rendition)}`),
      );
    const value = stored(init);
    this.#inits.set(initKey(plan, rendition), value, 1);
    return value;
  }

  /**
   * Makes audio segment `index` ride along in the run of a video segment of the same index
   * (`videoKey`, starting now) when players will want it and it has no run of its own yet: its queued
   * job is lent to this one, or created lent (see Scheduler.lend). Resolve or reject what this returns
   * once the run is over; a rejected one goes back to the queue and runs on its own.
   */
  #carryAudio(plan: Plan, index: number, videoKey: string, needAt?: number) {
    if (!audioRidesAlong(plan, index)) return undefined;
    const key = artifactKeys.segment(plan.revisionId, 'audio', index);
    if (this.#artifacts.get(key)) return undefined;
    const failure = this.#failures.get(key);
    if (failure && failure.until > performance.now()) return undefined;
    let resolve!: (value: Stored) => void;
    let reject!: (err: unknown) => void;
    const value = new Promise<Stored>((res, rej) => ([resolve, reject] = [res, rej]));
    value.catch(() => {});
    if (this.#flights.has(key)) {
      if (!this.deps.scheduler.lend(key, videoKey, value)) return undefined;
    } else {
      if (!this.deps.lookahead.wanted(lookaheadPlan(plan), 'audio', index)) return undefined;
      this.#segment(plan, 'audio', index, 'lookahead', needAt, { carrierKey: videoKey, value }).catch(() => {});
    }
    return { resolve, reject };
  }

  async #makeAudio(plan: Plan, index: number, key: string, handle: JobHandle): Promise<Stored> {
    return stored(
      await this.deps.maker
        .audio(plan, index, handle)
        .catch((err: unknown) => this.#failed('audio segment', key, err, handle)),
    );
  }

  /**
   * A video rendition's init segment: made once per shape (size, level, rate, encoder) from one black
   * frame, shared by every revision of that shape, and its codec string checked against the playlist's
   * (docs/media-rules.md, "Init segments").
   */
  async #init(plan: Plan, rendition: VideoRendition, cls: JobClass): Promise<{ made: Made; cacheStatus: CacheStatus }> {
    const key = initKey(plan, rendition);
    const cached = this.#inits.get(key);
    if (cached) return { made: { value: cached, timing: { queueMs: 0, runMs: 0, alone: true } }, cacheStatus: 'hit' };
    // A segment of this rendition is being made: its run writes the init too, and the player asks for
    // that segment next. It is a player's job from now on.
    const segment = this.#shapeFlights.get(`${plan.revisionId}/${rendition.id}`);
    if (segment) {
      if (cls === 'player') this.deps.scheduler.promote(segment.key);
      await segment.done;
      const adopted = this.#inits.get(key);
      if (adopted)
        return { made: { value: adopted, timing: { queueMs: 0, runMs: 0, alone: true } }, cacheStatus: 'coalesced' };
    }
    const joining = this.#flights.has(key);
    if (joining && cls === 'player') this.deps.scheduler.promote(key, performance.now());
    const made = await this.#flights.run(key, () =>
      this.deps.scheduler.run(
        async (handle) => {
          const init = await this.deps.maker
            .init(rendition, plan.fps, plan.grid.segmentFrames, handle)
            .catch((err: unknown) => this.#failed('init segment', key, err));
          return this.#inits.get(key) ?? this.#adoptInit(plan, rendition, init, key);
        },
        { key, class: cls, needAt: performance.now(), estimateMs: INIT_ESTIMATE_MS },
      ),
    );
    return { made, cacheStatus: joining ? 'coalesced' : 'miss' };
  }

  /**
   * A job's failure as an origin error. A job the scheduler dropped (its lookahead was no longer
   * wanted) fails with why it was dropped, and one the shutdown killed with the shutdown: retryable,
   * not faults.
   */
  #failed(what: string, key: string, err: unknown, handle?: JobHandle): never {
    if (handle?.signal.aborted) throw handle.signal.reason;
    if (this.#closing)
      throw new OriginError(ErrorCode.Unavailable, 'the server is shutting down', undefined, { cause: err });
    return failed(this.deps.logger, what, key, err);
  }

  /** Marks the service as shutting down: jobs the shutdown kills fail as retryable. */
  beginClose(): void {
    this.#closing = true;
  }
}
