import { renderDashManifest } from '../core/manifests/dash-manifest.js';
import { renderIFramePlaylist, renderMasterPlaylist, renderMediaPlaylist } from '../core/manifests/hls-playlist.js';
import type { VideoRendition } from '../core/picture/ladder.js';
import { planStoryboard, renderStoryboardJson, renderStoryboardVtt } from '../core/picture/storyboard.js';
import type { Plan } from '../core/plan.js';
import { extname } from 'node:path';
import { artifactName } from '../core/manifests/playback-urls.js';
import { posterSize, stillFrame, thumbnailSize, type StillFormat, type StillSize } from '../core/picture/stills.js';
import { failed } from './job-context.js';
import { CachedJobs, type Taken } from '../engine/cached-jobs.js';
import { withDeadline } from '../util/deadline.js';
import type { Ahead, Lookahead } from '../engine/lookahead.js';
import type { JobHandle, JobTiming } from '../engine/job.js';
import type { Scheduler } from '../engine/scheduler.js';
import { ErrorCode, OriginError } from '../errors.js';
import type { Logger } from '../logger.js';
import { CONTENT_TYPES, jobTiming, stored, type Artifact, type Stored } from './artifact.js';
import { artifactKey } from './artifact-keys.js';
import { AUDIO_INIT } from './init-segments.js';
import { SegmentJobs } from './segment-jobs.js';
import { lookaheadPlan, renditionName, type Rendition } from './job-views.js';
import type { Revisions } from './revisions.js';
import type { SegmentMaker } from './segment-maker.js';

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

/**
 * Answers playback requests: revision → plan (Revisions) → playlist text, or a segment job
 * (SegmentJobs) → bytes, kept in memory (LRU by bytes). Every segment a player asks for is a player's
 * job; lookahead (Lookahead) follows what players fetch and runs on what they leave free.
 */
export class PlaybackService {
  /** Playlists, manifests and segments, in one budget of memory. */
  readonly #artifacts: CachedJobs<Stored, JobTiming>;
  readonly #jobs: SegmentJobs;
  /** Requests waiting for each segment job, by its key. */
  readonly #waiting = new Map<string, number>();

  constructor(private readonly deps: PlaybackDeps) {
    this.#artifacts = new CachedJobs({ budget: deps.artifactCacheBytes, failureMemoryMs: FAILURE_MEMORY_MS });
    this.#jobs = new SegmentJobs({ ...deps, artifacts: this.#artifacts });
  }

  async #resolve(revisionId: string): Promise<{ plan: Plan; resolve: number }> {
    const t0 = performance.now();
    const plan = await this.deps.revisions.plan(revisionId);
    return { plan, resolve: performance.now() - t0 };
  }

  async masterPlaylist(revisionId: string): Promise<Artifact> {
    const { plan, resolve } = await this.#resolve(revisionId);
    return this.#text(artifactKey(plan.revisionId, 'master'), resolve, () => renderMasterPlaylist(plan));
  }

  async mediaPlaylist(revisionId: string, renditionId: string): Promise<Artifact> {
    const { plan, resolve } = await this.#resolve(revisionId);
    this.#rendition(plan, renditionId);
    return this.#text(artifactKey(plan.revisionId, 'playlist', { rendition: renditionId }), resolve, () =>
      renderMediaPlaylist(plan, renditionId),
    );
  }

  async dashManifest(revisionId: string): Promise<Artifact> {
    const { plan, resolve } = await this.#resolve(revisionId);
    return this.#text(
      artifactKey(plan.revisionId, 'manifest'),
      resolve,
      () => renderDashManifest(plan),
      CONTENT_TYPES.dash,
    );
  }

  /** Playlists are immutable per revision: rendered and hashed once, then served from memory. */
  #text(key: string, resolve: number, render: () => string, type: string = CONTENT_TYPES.playlist) {
    let text = this.#artifacts.get(key);
    if (!text) {
      text = stored(Buffer.from(render()));
      this.#artifacts.keep(key, text, text.body.length);
    }
    return { ...text, contentType: type, cacheStatus: 'hit' as const, timing: { resolve } };
  }

  async initSegment(revisionId: string, renditionId: string): Promise<Artifact> {
    const { plan, resolve } = await this.#resolve(revisionId);
    const rendition = this.#rendition(plan, renditionId);
    if (rendition === 'audio')
      return { ...AUDIO_INIT, contentType: CONTENT_TYPES.audio, cacheStatus: 'hit', timing: { resolve } };
    const taken = await this.#wait(this.#jobs.init(plan, rendition, 'player'), `the init segment of ${rendition.id}`);
    return this.#artifact(taken, CONTENT_TYPES.video, resolve);
  }

  /**
   * A media segment, as a player asks for it. `signal` aborts when the request goes away (its player
   * switched rendition or sought, and cancelled the load): once every request for the segment has gone,
   * its job is lookahead again, and no longer takes the machine from the segment the player asks next.
   */
  async mediaSegment(revisionId: string, renditionId: string, index: number, signal?: AbortSignal): Promise<Artifact> {
    const { plan, resolve } = await this.#resolve(revisionId);
    const rendition = this.#rendition(plan, renditionId);
    this.#segmentIndex(plan, index);
    const watch = lookaheadPlan(plan);
    const name = renditionName(rendition);
    const { needAt, ahead } = this.deps.lookahead.onRequest(watch, name, index);
    const leave = this.#waitFor(artifactKey(plan.revisionId, 'segment', { rendition: name, index }), signal);
    try {
      // Whatever the player's buffer, its request must be answered before the request's wait runs out.
      const deadline = Math.min(needAt, performance.now() + this.deps.requestWaitMs * ANSWER_WITHIN_SHARE);
      const job = this.#jobs.segment(plan, rendition, index, 'player', deadline);
      this.#queueAhead(plan, ahead);
      const taken = await this.#wait(job, `segment ${index} of ${renditionName(rendition)}`);
      return this.#artifact(taken, rendition === 'audio' ? CONTENT_TYPES.audio : CONTENT_TYPES.video, resolve);
    } finally {
      leave();
      this.deps.lookahead.onAnswered(watch, index);
    }
  }

  /**
   * Counts a request waiting for segment job `key` until it is answered (the function returned) or goes
   * away (`signal`); the last one to go away demotes the job to lookahead.
   */
  #waitFor(key: string, signal?: AbortSignal): () => void {
    this.#waiting.set(key, (this.#waiting.get(key) ?? 0) + 1);
    let left = false;
    const leave = (gone: boolean) => {
      if (left) return;
      left = true;
      signal?.removeEventListener('abort', abandon);
      const rest = this.#waiting.get(key)! - 1;
      if (rest > 0) this.#waiting.set(key, rest);
      else this.#waiting.delete(key);
      if (gone && rest === 0) this.deps.scheduler.demote(key);
    };
    const abandon = () => leave(true);
    if (signal?.aborted) abandon();
    else signal?.addEventListener('abort', abandon, { once: true });
    return () => leave(false);
  }

  /** The revision's poster: its frame at `posterTime` (or its middle), POSTER_WIDTH wide at most. */
  async poster(revisionId: string, kind: 'poster' | 'posterWebp'): Promise<Artifact> {
    const { plan, resolve } = await this.#resolve(revisionId);
    const frame = stillFrame(plan, plan.posterTime);
    return this.#still(plan, artifactName(kind), frame, posterSize(plan), resolve);
  }

  /** The frame shown at output second `time`, `width` pixels wide. */
  async thumbnail(
    revisionId: string,
    kind: 'thumbnail' | 'thumbnailWebp',
    width: number,
    time: number,
  ): Promise<Artifact> {
    const { plan, resolve } = await this.#resolve(revisionId);
    const size = thumbnailSize(plan, width);
    const frame = stillFrame(plan, time);
    return this.#still(plan, artifactName(kind, { width, time }), frame, size, resolve);
  }

  /** The storyboard as WebVTT or JSON: a cue per tile, pointing into its sheet (names relative to the file). */
  async storyboard(revisionId: string, kind: 'storyboard' | 'storyboardJson'): Promise<Artifact> {
    const { plan, resolve } = await this.#resolve(revisionId);
    const board = planStoryboard(plan);
    const sheet = (index: number) => artifactName('storyboardSheet', { index });
    return kind === 'storyboard'
      ? this.#text(
          artifactKey(plan.revisionId, kind),
          resolve,
          () => renderStoryboardVtt(board, sheet),
          CONTENT_TYPES.vtt,
        )
      : this.#text(
          artifactKey(plan.revisionId, kind),
          resolve,
          () => renderStoryboardJson(board, sheet),
          CONTENT_TYPES.json,
        );
  }

  /** A storyboard sheet: its tiles as one JPEG, made independently of the others. */
  async storyboardSheet(revisionId: string, index: number): Promise<Artifact> {
    const { plan, resolve } = await this.#resolve(revisionId);
    const board = planStoryboard(plan);
    if (!Number.isInteger(index) || index < 0 || index >= board.sheets)
      throw new OriginError(ErrorCode.NotFound, `sheet ${index} is out of range (0–${board.sheets - 1})`);
    const key = artifactKey(plan.revisionId, 'storyboardSheet', { index });
    const make = (handle: JobHandle) => this.deps.maker.sheet(plan, board, index, handle);
    return this.#oneOff(key, `storyboard sheet ${index}`, make, CONTENT_TYPES.jpg, resolve);
  }

  /** A video rendition's I-frame playlist (trick play): one I-frame segment per segment. */
  async iFramePlaylist(revisionId: string, renditionId: string): Promise<Artifact> {
    const { plan, resolve } = await this.#resolve(revisionId);
    this.#videoRendition(plan, renditionId);
    return this.#text(artifactKey(plan.revisionId, 'iframes', { rendition: renditionId }), resolve, () =>
      renderIFramePlaylist(plan, renditionId),
    );
  }

  /** The I-frame segment of segment `index`: its first frame alone. */
  async iFrameSegment(revisionId: string, renditionId: string, index: number): Promise<Artifact> {
    const { plan, resolve } = await this.#resolve(revisionId);
    const rendition = this.#videoRendition(plan, renditionId);
    this.#segmentIndex(plan, index);
    const key = artifactKey(plan.revisionId, 'iframe', { rendition: renditionId, index });
    const make = (handle: JobHandle) => this.deps.maker.iframe(plan, rendition, index, handle);
    return this.#oneOff(key, `the I-frame of segment ${index}`, make, CONTENT_TYPES.video, resolve);
  }

  /**
   * One output frame as a picture (core/picture/stills.ts), in the format its name ends with.
   */
  async #still(plan: Plan, name: string, frame: number, size: StillSize, resolve: number): Promise<Artifact> {
    const format = extname(name).slice(1) as StillFormat;
    const make = (handle: JobHandle) => this.deps.maker.still(plan, frame, size, format, handle);
    return this.#oneOff(
      `${plan.revisionId}/${name}`,
      `the picture of frame ${frame}`,
      make,
      CONTENT_TYPES[format],
      resolve,
    );
  }

  /**
   * An artifact no player streams through (a picture, an I-frame): a player's job due when a segment
   * asked for now would be, run once however many ask, kept with the segments; no lookahead.
   */
  async #oneOff(
    key: string,
    what: string,
    make: (handle: JobHandle) => Promise<Buffer>,
    contentType: string,
    resolve: number,
  ): Promise<Artifact> {
    const job = this.#artifacts.take(key, async () => {
      const { value, timing } = await this.deps.scheduler.run(
        (handle) => make(handle).catch((err: unknown) => failed(this.deps.logger, what, key, err)),
        { key, class: 'player', needAt: performance.now() + this.deps.requestWaitMs * ANSWER_WITHIN_SHARE },
      );
      const made = stored(value);
      return { value: made, size: made.body.length, report: timing };
    });
    return this.#artifact(await this.#wait(job, what), contentType, resolve);
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
    for (const rendition of first) this.#jobs.segment(plan, rendition, 0, 'player', performance.now()).catch(() => {});
  }

  /** Waits for a job at most the request's wait; past it, a retryable 503 (the job goes on). */
  async #wait<T>(job: Promise<T>, what: string): Promise<T> {
    return withDeadline(job, this.deps.requestWaitMs, what);
  }

  /** Queues what lookahead says to make ahead of a player's request (a job already queued gets the new deadline). */
  #queueAhead(plan: Plan, list: readonly Ahead[]): void {
    for (const ahead of list) {
      const target = ahead.rendition === 'audio' ? 'audio' : plan.video.find((r) => r.id === ahead.rendition)!;
      const key = artifactKey(plan.revisionId, 'segment', { rendition: ahead.rendition, index: ahead.index });
      if (this.#artifacts.running(key)) this.deps.scheduler.retime(key, ahead.needAt);
      else if (!this.#artifacts.get(key))
        this.#jobs.segment(plan, target, ahead.index, 'lookahead', ahead.needAt).catch(() => {});
    }
  }

  #segmentIndex(plan: Plan, index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= plan.grid.segments.length) {
      throw new OriginError(
        ErrorCode.NotFound,
        `segment ${index} is out of range (0–${plan.grid.segments.length - 1})`,
      );
    }
  }

  #videoRendition(plan: Plan, id: string): VideoRendition {
    const rendition = this.#rendition(plan, id);
    if (rendition === 'audio') throw new OriginError(ErrorCode.NotFound, 'the audio has no I-frames');
    return rendition;
  }

  #rendition(plan: Plan, id: string): Rendition {
    if (plan.audio && id === plan.audio.id) return 'audio';
    const rendition = plan.video.find((r) => r.id === id);
    if (!rendition) throw new OriginError(ErrorCode.NotFound, `no rendition ${JSON.stringify(id)} in this revision`);
    return rendition;
  }

  /** Marks the service as shutting down: jobs the shutdown kills fail as retryable. */
  beginClose(): void {
    this.#jobs.beginClose();
  }
}
