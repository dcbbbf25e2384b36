import { avcCodecString } from '../core/picture/h264.js';
import type { VideoRendition } from '../core/picture/ladder.js';
import { AUDIO_BITRATE, AUDIO_CHANNELS, AUDIO_SAMPLE_RATE } from '../core/timeline/media-units.js';
import { videoCodec, type Plan } from '../core/plan.js';
import { CachedJobs, type Taken } from '../engine/cached-jobs.js';
import type { JobClass, JobTiming } from '../engine/job.js';
import type { Scheduler } from '../engine/scheduler.js';
import { aacLcConfig } from '../media/audio/adts.js';
import { aacInitSegment } from '../media/mp4/aac-track.js';
import { readAvcConfig } from '../media/mp4/boxes.js';
import { stored, type Stored } from './artifact.js';
import type { SegmentMaker } from './segment-maker.js';

export interface InitSegmentsDeps {
  scheduler: Scheduler;
  maker: SegmentMaker;
  /** A job's failure as an origin error (see PlaybackService). */
  failed: (what: string, key: string, err: unknown) => never;
}

const INIT_CACHE_ENTRIES = 4000;
/** A video rendition's init segment from one black frame: mostly ffmpeg's start-up. */
const INIT_ESTIMATE_MS = 200;

/** What a video init segment depends on: the rendition's shape and the frame rate (the encoder is the process's). */
const initKey = (plan: Plan, r: VideoRendition) =>
  `init/${r.width}x${r.height}/${r.levelIdc}/${r.maxBitrate}/${plan.fps}`;
const shapeKey = (plan: Plan, r: VideoRendition) => `${plan.revisionId}/${r.id}`;

/** Every audio rendition has the same init segment: AAC-LC, 48 kHz, stereo, one bitrate. */
export const AUDIO_INIT: Stored = stored(
  aacInitSegment({
    audioSpecificConfig: aacLcConfig(AUDIO_SAMPLE_RATE, AUDIO_CHANNELS),
    sampleRate: AUDIO_SAMPLE_RATE,
    channels: AUDIO_CHANNELS,
    bitrate: AUDIO_BITRATE,
  }),
);

/**
 * Video init segments (docs/media-rules.md, "Init segments"): one per shape (size, level, rate,
 * encoder), shared by every revision of that shape, its codec string checked against the playlist's.
 * It comes out of the first segment run of a rendition; asked for before any, it is made from one
 * black frame.
 */
export class InitSegments {
  readonly #inits = new CachedJobs<Stored, JobTiming>({ budget: INIT_CACHE_ENTRIES });
  /**
   * The first video segment job in flight for each revision's rendition: the init segment a player asks
   * for just before it comes out of that run.
   */
  readonly #shapeFlights = new Map<string, { key: string; done: Promise<unknown> }>();

  constructor(private readonly deps: InitSegmentsDeps) {}

  /** The init segment of `rendition`, as a player (or lookahead) asks for it. */
  async get(plan: Plan, rendition: VideoRendition, cls: JobClass): Promise<Taken<Stored, JobTiming>> {
    const key = initKey(plan, rendition);
    const kept = this.#inits.get(key);
    if (kept) return { value: kept, status: 'hit' };
    // A segment of this rendition is being made: its run writes the init too, and the player asks for
    // that segment next. It is a player's job from now on.
    const segment = this.#shapeFlights.get(shapeKey(plan, rendition));
    if (segment) {
      if (cls === 'player') this.deps.scheduler.promote(segment.key);
      await segment.done;
      const adopted = this.#inits.get(key);
      if (adopted) return { value: adopted, status: 'coalesced' };
    }
    return this.#inits.take(
      key,
      async () => {
        const { value, timing } = await this.deps.scheduler.run(
          async (handle) => {
            const init = await this.deps.maker
              .init(rendition, plan.fps, plan.grid.segmentFrames, handle)
              .catch((err: unknown) => this.deps.failed('init segment', key, err));
            return this.#inits.get(key) ?? this.#adopt(plan, rendition, init, key);
          },
          { key, class: cls, needAt: performance.now(), estimateMs: INIT_ESTIMATE_MS },
        );
        return { value, size: 1, report: timing };
      },
      () => cls === 'player' && this.deps.scheduler.promote(key, performance.now()),
    );
  }

  /**
   * Checks the init segment a segment run of `rendition` wrote (segment `key`) against the rendition's:
   * the init the playlist points at must be the one the segment was encoded for.
   */
  check(plan: Plan, rendition: VideoRendition, init: Buffer, key: string): void {
    const known = this.#inits.get(initKey(plan, rendition)) ?? this.#adopt(plan, rendition, init, key);
    if (!known.body.equals(init))
      this.deps.failed('video segment', key, new Error(`${rendition.id} init segment differs from the rendition's`));
  }

  /** Remembers a video segment job as the one its rendition's init segment can come from, while it runs. */
  track(plan: Plan, rendition: VideoRendition, key: string, made: Promise<unknown>): void {
    const shape = shapeKey(plan, rendition);
    if (this.#shapeFlights.has(shape)) return;
    const entry = { key, done: made.catch(() => {}) };
    this.#shapeFlights.set(shape, entry);
    void entry.done.then(() => {
      if (this.#shapeFlights.get(shape) === entry) this.#shapeFlights.delete(shape);
    });
  }

  /** Keeps a rendition's init segment (from any run of its shape) once its codec string is the playlist's. */
  #adopt(plan: Plan, rendition: VideoRendition, init: Buffer, key: string): Stored {
    const avc = readAvcConfig(init);
    const actual = avcCodecString(avc.profileIdc, avc.constraints, avc.levelIdc);
    if (actual !== videoCodec(rendition))
      this.deps.failed(
        'init segment',
        key,
        new Error(`the encoder wrote ${actual}, the playlist says ${videoCodec(rendition)}`),
      );
    const value = stored(init);
    this.#inits.keep(initKey(plan, rendition), value, 1);
    return value;
  }
}
