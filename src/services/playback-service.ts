import { renderDashManifest } from '../core/dash-manifest.js';
import { renderMasterPlaylist, renderMediaPlaylist } from '../core/hls-playlist.js';
import type { VideoRendition } from '../core/ladder.js';
import type { Plan } from '../core/plan.js';
import { ByteLru } from '../engine/byte-lru.js';
import { CachedJobs, type Taken } from '../engine/cached-jobs.js';
import { withDeadline } from '../engine/deadline.js';
import type { Ahead, Lookahead, LookaheadPlan } from '../engine/lookahead.js';
import { RunTimes, type JobSize } from '../engine/run-times.js';
import type { JobClass, JobHandle, JobTiming } from '../engine/job.js';
import type { Scheduler } from '../engine/scheduler.js';
import { ErrorCode, OriginError } from '../errors.js';
import type { Logger } from '../logger.js';
import { ProcessError } from '../media/process-runner.js';
import { CONTENT_TYPES, jobTiming, stored, type Artifact, type Stored } from './artifact.js';
import { artifactKeys } from './artifact-keys.js';
import { AUDIO_INIT, InitSegments } from './init-segments.js';
import { failed } from './job-context.js';
import type { Revisions } from './revisions.js';
import { audioRidesAlong, type SegmentMaker } from './segment-maker.js';

export type { Artifact } from './artifact.js';

export interface PlaybackDeps {
  revisions: Pick<Revisions, 'plan'>;
  scheduler: Scheduler;
  maker: SegmentMaker;
  lookahead: Lookahead;
  logger: Logger;
  /** How long a request waits for its job before a retryable 503 (the job goes on). */
  requestWaitMs: number;
  artifactCacheBytes: number;
  /** Told each segment job's run time (metrics). */
  observeJob?: (kind: 'video' | 'audio', rendition: string, seconds: number) => void;
}

/**
 * How long a segment's failure is remembered (a short negative cache): a broken segment is not remade
 * for every request and every retry, yet a fix is seen within seconds.
 */
const FAILURE_MEMORY_MS = 5000;
/** A player's job is due, at the latest, this share of the request's wait after it was asked for. */
const ANSWER_WITHIN_SHARE = 0.5;

type Rendition = VideoRendition | 'audio';
const renditionName = (r: Rendition) => (r === 'audio' ? 'audio' : r.id);

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
  /** Playlists and manifests, rendered once per revision. */
  readonly #texts: ByteLru<Stored>;
  readonly #segments: CachedJobs<Stored, JobTiming>;
  readonly #inits: InitSegments;
  /** How long jobs take here, so the scheduler knows when a player's job must start. */
  readonly #runTimes = new RunTimes();
  /** Video segment jobs whose run has begun (a queued one may still take its audio segment along). */
  readonly #begun = new Set<string>();
  #closing = false;

  constructor(private readonly deps: PlaybackDeps) {
    this.#texts = new ByteLru(deps.artifactCacheBytes);
    this.#segments = new CachedJobs({ budget: deps.artifactCacheBytes, failureMemoryMs: FAILURE_MEMORY_MS });
    this.#inits = new InitSegments({
      scheduler: deps.scheduler,
      maker: deps.maker,
      failed: (what, key, err) => this.#failed(what, key, err),
    });
  }

  async #resolve(revisionId: string): Promise<{ plan: Plan; resolve: number }> {
    const t0 = performance.now();
    const plan = await this.deps.revisions.plan(revisionId);
    return { plan, resolve: performance.now() - t0 };
  }

  async masterPlaylist(revisionId: string): Promise<Artifact> {
    const { plan, resolve } = await this.#resolve(revisionId);
    return this.#text(plan, 'master.m3u8', resolve, () => renderMasterPlaylist(plan));
  }

  async mediaPlaylist(revisionId: string, renditionId: string): Promise<Artifact> {
    const { plan, resolve } = await this.#resolve(revisionId);
    this.#rendition(plan, renditionId);
    return this.#text(plan, `${renditionId}.m3u8`, resolve, () => renderMediaPlaylist(plan, renditionId));
  }

  async dashManifest(revisionId: string): Promise<Artifact> {
    const { plan, resolve } = await this.#resolve(revisionId);
    return this.#text(plan, 'manifest.mpd', resolve, () => renderDashManifest(plan), CONTENT_TYPES.dash);
  }

  /** Playlists are immutable per revision: rendered and hashed once, then served from memory. */
  #text(plan: Plan, name: string, resolve: number, render: () => string, type: string = CONTENT_TYPES.playlist) {
    const key = artifactKeys.playlist(plan.revisionId, name);
    let text = this.#texts.get(key);
    if (!text) {
      text = stored(Buffer.from(render()));
      this.#texts.set(key, text, text.body.length);
    }
    return { ...text, contentType: type, cacheStatus: 'hit' as const, timing: { resolve } };
  }

  async initSegment(revisionId: string, renditionId: string): Promise<Artifact> {
    const { plan, resolve } = await this.#resolve(revisionId);
    const rendition = this.#rendition(plan, renditionId);
    if (rendition === 'audio')
      return { ...AUDIO_INIT, contentType: CONTENT_TYPES.audio, cacheStatus: 'hit', timing: { resolve } };
    const taken = await this.#wait(this.#inits.get(plan, rendition, 'player'), `the init segment of ${rendition.id}`);
    return this.#artifact(taken, CONTENT_TYPES.video, resolve);
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
    const watch = lookaheadPlan(plan);
    const { needAt, ahead } = this.deps.lookahead.onRequest(watch, renditionName(rendition), index);
    try {
      // Whatever the player's buffer, its request must be answered before the request's wait runs out.
      const deadline = Math.min(needAt, performance.now() + this.deps.requestWaitMs * ANSWER_WITHIN_SHARE);
      const job = this.#segment(plan, rendition, index, 'player', deadline);
      this.#queueAhead(plan, ahead);
      const taken = await this.#wait(job, `segment ${index} of ${renditionName(rendition)}`);
      return this.#artifact(taken, rendition === 'audio' ? CONTENT_TYPES.audio : CONTENT_TYPES.video, resolve);
    } finally {
      this.deps.lookahead.onAnswered(watch, index);
    }
  }

  #artifact(taken: Taken<Stored, JobTiming>, contentType: string, resolve: number): Artifact {
    const timing = jobTiming(resolve, taken.status, taken.report);
    return { ...taken.value, contentType, cacheStatus: taken.status, timing };
  }

  /**
   * Starts a freshly minted revision's first segments — the start rendition's and the audio's — as a
   * player's, needed now: the main application mints just before someone watches, and those segments
   * get the machine to themselves (as lookahead they ran beside the lookahead of the revision minted
   * before, and decoded on one thread: the first segment of the fourth of ten revisions minted in a row
   * took 1.55× the first's). The start rendition's init segment comes out of the same run.
   */
  async prewarm(revisionId: string): Promise<void> {
    const plan = await this.deps.revisions.plan(revisionId);
    const start = plan.video.find((r) => r.id === plan.startRendition)!;
    const first = [start, ...(plan.audio ? ['audio' as const] : [])];
    for (const rendition of first) this.deps.lookahead.expect(plan.revisionId, renditionName(rendition), -1);
    // The video run makes the audio segment too, unless it needs noise suppression.
    for (const rendition of first) this.#segment(plan, rendition, 0, 'player', performance.now()).catch(() => {});
  }

  /** Waits for a job at most the request's wait; past it, a retryable 503 (the job goes on). */
  async #wait<T>(job: Promise<T>, what: string): Promise<T> {
    return withDeadline(job, this.deps.requestWaitMs, what);
  }

  /** Queues what lookahead says to make ahead of a player's request (a job already queued gets the new deadline). */
  #queueAhead(plan: Plan, list: readonly Ahead[]): void {
    for (const ahead of list) {
      const target = ahead.rendition === 'audio' ? 'audio' : plan.video.find((r) => r.id === ahead.rendition)!;
      const key = artifactKeys.segment(plan.revisionId, ahead.rendition, ahead.index);
      if (this.#segments.running(key)) this.deps.scheduler.retime(key, ahead.needAt);
      else if (!this.#segments.get(key))
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
  #segment(
    plan: Plan,
    rendition: Rendition,
    index: number,
    cls: JobClass,
    needAt?: number,
    lentTo?: { carrierKey: string; value: Promise<Stored> },
  ): Promise<Taken<Stored, JobTiming>> {
    const name = renditionName(rendition);
    const key = artifactKeys.segment(plan.revisionId, name, index);
    const size = jobSize(plan, rendition, index);
    const estimateMs = this.#runTimes.estimate(size);
    const run = async () => {
      const { value, timing } = await this.deps.scheduler.run(
        (handle) =>
          rendition === 'audio'
            ? this.#makeAudio(plan, index, key, handle)
            : this.#makeVideo(plan, rendition, index, key, handle, needAt),
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
      );
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
      return { value, size: value.body.length, report: timing };
    };
    const starting = !this.#segments.running(key) && !this.#segments.get(key);
    // A player joining a lookahead job lifts it to a player's job, with the player's deadline.
    const taken = this.#segments.take(key, run, () => cls === 'player' && this.deps.scheduler.promote(key, needAt));
    if (starting && rendition !== 'audio') this.#inits.track(plan, rendition, key, taken);
    return taken;
  }

  /** Whether a video segment job of this index is queued, and will take its audio segment along when it starts. */
  #videoQueued(plan: Plan, index: number): boolean {
    if (!audioRidesAlong(plan, index)) return false;
    return plan.video.some((r) => {
      const key = artifactKeys.segment(plan.revisionId, r.id, index);
      return this.#segments.running(key) && !this.#begun.has(key);
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
          this.#segments.keep(artifactKeys.segment(plan.revisionId, 'audio', index), value, value.body.length);
          audio.resolve(value);
        } else audio.reject(new Error('the run made no audio'));
      }
      this.#inits.check(plan, rendition, out.init, key);
      return stored(out.media);
    } finally {
      this.#begun.delete(key);
    }
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
    if (this.#segments.get(key) || this.#segments.failure(key)) return undefined;
    let resolve!: (value: Stored) => void;
    let reject!: (err: unknown) => void;
    const value = new Promise<Stored>((res, rej) => ([resolve, reject] = [res, rej]));
    value.catch(() => {});
    if (this.#segments.running(key)) {
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
