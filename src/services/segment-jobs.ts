import type { VideoRendition } from '../core/picture/ladder.js';
import type { Plan } from '../core/plan.js';
import type { CachedJobs, Taken } from '../engine/cached-jobs.js';
import type { JobClass, JobHandle, JobTiming } from '../engine/job.js';
import type { Lookahead } from '../engine/lookahead.js';
import { RunTimes } from '../engine/run-times.js';
import type { Scheduler } from '../engine/scheduler.js';
import { ErrorCode, OriginError } from '../errors.js';
import type { Logger } from '../logger.js';
import { ProcessError } from '../media/process-runner.js';
import { stored, type Stored } from './artifact.js';
import { artifactKey } from './artifact-keys.js';
import { InitSegments } from './init-segments.js';
import { failed } from './job-context.js';
import { jobSize, lookaheadPlan, renditionName, type Rendition } from './job-views.js';
import { audioRidesAlong, type SegmentMaker } from './segment-maker.js';

export interface SegmentJobsDeps {
  scheduler: Scheduler;
  maker: SegmentMaker;
  lookahead: Lookahead;
  logger: Logger;
  /** Where made segments are kept (shared with the playlists, one budget). */
  artifacts: CachedJobs<Stored, JobTiming>;
  /** Told each segment job's run time (metrics). */
  observeJob?: (kind: 'video' | 'audio', rendition: string, seconds: number) => void;
}

/**
 * Segment jobs: a segment from memory, or the scheduler job that makes it, run or joined. A video
 * run makes its rendition's init segment too, and the audio segment of its index when players will
 * want it (`audioRidesAlong`). Run times are learned here, so the scheduler knows when a player's
 * job must start.
 */
export class SegmentJobs {
  readonly #inits: InitSegments;
  readonly #runTimes = new RunTimes();
  /** Video segment jobs whose run has begun (a queued one may still take its audio segment along). */
  readonly #begun = new Set<string>();
  #closing = false;

  constructor(private readonly deps: SegmentJobsDeps) {
    this.#inits = new InitSegments({
      scheduler: deps.scheduler,
      maker: deps.maker,
      failed: (what, key, err) => this.#failed(what, key, err),
    });
  }

  /** A video rendition's init segment (see InitSegments). */
  init(plan: Plan, rendition: VideoRendition, cls: JobClass): Promise<Taken<Stored, JobTiming>> {
    return this.#inits.get(plan, rendition, cls);
  }

  /**
   * A segment from the cache, or the job that makes it (run or joined). Waiters get the bytes from the
   * job itself, so a segment too large for the cache is still delivered.
   */
  segment(
    plan: Plan,
    rendition: Rendition,
    index: number,
    cls: JobClass,
    needAt?: number,
    lentTo?: { carrierKey: string; value: Promise<Stored> },
  ): Promise<Taken<Stored, JobTiming>> {
    const name = renditionName(rendition);
    const key = artifactKey(plan.revisionId, 'segment', { rendition: name, index });
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
    const starting = !this.deps.artifacts.running(key) && !this.deps.artifacts.get(key);
    // A player joining a lookahead job lifts it to a player's job, with the player's deadline.
    const taken = this.deps.artifacts.take(
      key,
      run,
      () => cls === 'player' && this.deps.scheduler.promote(key, needAt),
    );
    if (starting && rendition !== 'audio') this.#inits.track(plan, rendition, key, taken);
    return taken;
  }

  /** Whether a video segment job of this index is queued, and will take its audio segment along when it starts. */
  #videoQueued(plan: Plan, index: number): boolean {
    if (!audioRidesAlong(plan, index)) return false;
    return plan.video.some((r) => {
      const key = artifactKey(plan.revisionId, 'segment', { rendition: r.id, index });
      return this.deps.artifacts.running(key) && !this.#begun.has(key);
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
          this.deps.artifacts.keep(
            artifactKey(plan.revisionId, 'segment', { rendition: 'audio', index }),
            value,
            value.body.length,
          );
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
    const key = artifactKey(plan.revisionId, 'segment', { rendition: 'audio', index });
    if (this.deps.artifacts.get(key) || this.deps.artifacts.failure(key)) return undefined;
    let resolve!: (value: Stored) => void;
    let reject!: (err: unknown) => void;
    const value = new Promise<Stored>((res, rej) => ([resolve, reject] = [res, rej]));
    value.catch(() => {});
    if (this.deps.artifacts.running(key)) {
      if (!this.deps.scheduler.lend(key, videoKey, value)) return undefined;
    } else {
      if (!this.deps.lookahead.wanted(lookaheadPlan(plan), 'audio', index)) return undefined;
      this.segment(plan, 'audio', index, 'lookahead', needAt, { carrierKey: videoKey, value }).catch(() => {});
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
