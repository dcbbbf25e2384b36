import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { planAudioChunk, type AudioChunk } from '../core/audio/audio-chunk.js';
import type { VideoRendition } from '../core/picture/ladder.js';
import type { Plan, Span } from '../core/plan.js';
import { overlaysIn } from '../core/edits/overlays.js';
import type { Segment } from '../core/timeline/segment-grid.js';
import { sourceTime } from '../core/timeline/source-time.js';
import { cameraSpan, piecesOf, type SpanPiece } from '../core/timeline/timeline.js';
import type { OverlayPictures } from '../engine/overlay-pictures.js';
import type { JobHandle } from '../engine/job.js';
import type { Sources, SourceLease } from '../engine/sources.js';
import { makeAudioSegment } from '../media/audio/audio-segment.js';
import type { Denoiser } from '../media/audio/denoise/denoiser.js';
import {
  sheetArgs,
  stillArgs,
  videoInitArgs,
  type EncoderSettings,
  type OverlayInput,
  type Piece,
} from '../media/video/video-args.js';
import type { StillFormat, StillSize } from '../core/picture/stills.js';
import { STORYBOARD, type StoryboardPlan } from '../core/picture/storyboard.js';
import { splitFragmentedMp4 } from '../media/mp4/boxes.js';
import { processFailure } from '../media/process-failure.js';
import { ProcessError, type ProcessRunner } from '../media/process-runner.js';
import { ErrorCode, OriginError, UnusableSourceError } from '../errors.js';
import { makeVideoSegment, type VideoSegment } from '../media/video/video-segment.js';

/**
 * The stretches of source the pieces of output frames read, with the margin their seeks need: each piece's
 * screen, then the camera of each piece whose scene shows one.
 */
function videoReads(plan: Plan, parts: readonly SpanPiece[]) {
  const read = (span: Span, p: SpanPiece) => ({
    span,
    kind: 'video' as const,
    ...sourceTime(span, plan.fps, { frame: p.startFrame, frames: p.frameCount }).read,
  });
  return [
    ...parts.map((p) => read(p.span, p)),
    ...parts.filter((p) => p.scene).map((p) => read(cameraSpan(p.span), p)),
  ];
}

/** The pieces with the inputs `videoReads` opened for them (in its order), and how many it opened. */
function withInputs(parts: readonly SpanPiece[], inputs: readonly string[]): { pieces: Piece[]; used: number } {
  let camera = parts.length;
  const pieces = parts.map((p, i) => ({
    ...p,
    input: inputs[i]!,
    ...(p.scene ? { cameraInput: inputs[camera++]! } : {}),
  }));
  return { pieces, used: camera };
}

/** The stretches of source an audio chunk reads, with the margin its seeks need (READ_MARGIN_SECONDS). */
function audioReads(plan: Plan, chunk: AudioChunk) {
  return chunk.pieces.map((p) => ({
    span: p.span,
    kind: 'audio' as const,
    ...sourceTime(p.span, plan.fps, { sample: p.from, samples: p.count }).read,
  }));
}

/**
 * Whether audio segment `index` can be made in the run of a video segment of the same index: when
 * nothing happens between its decoding and its encoding (no noise suppression in its chunk).
 */
export function audioRidesAlong(plan: Plan, index: number): boolean {
  return plan.audio !== undefined && planAudioChunk(plan, plan.audio.slices[index]!).denoise.length === 0;
}

/** Makes the bytes of one segment (the port the playback service schedules; tests use a fake). */
export interface SegmentMaker {
  /**
   * A video segment and the init segment that came out of the same run; with `withAudio`, the audio
   * segment of the same index too (only for a chunk without noise suppression: see `audioRidesAlong`).
   */
  video(
    plan: Plan,
    rendition: VideoRendition,
    index: number,
    handle: JobHandle,
    withAudio?: boolean,
  ): Promise<VideoSegment>;
  /** An audio segment (moof + mdat). */
  audio(plan: Plan, index: number, handle: JobHandle): Promise<Buffer>;
  /**
   * The I-frame segment of video segment `index`: its first frame alone (moof + mdat), encoded as the
   * segment encodes it, so it plays over the rendition's init segment.
   */
  iframe(plan: Plan, rendition: VideoRendition, index: number, handle: JobHandle): Promise<Buffer>;
  /** A video rendition's init segment, which depends only on the rendition and the frame rate. */
  init(rendition: VideoRendition, fps: number, gop: number, handle: JobHandle): Promise<Buffer>;
  /** Storyboard sheet `sheet` as a JPEG (see sheetArgs): keyframes only where every tile gets one, else exact. */
  sheet(plan: Plan, board: StoryboardPlan, sheet: number, handle: JobHandle): Promise<Buffer>;
  /** Output frame `frame` as a picture of `size` (a poster or a thumbnail), drawn as its segment draws it. */
  still(plan: Plan, frame: number, size: StillSize, format: StillFormat, handle: JobHandle): Promise<Buffer>;
}

/** A sane ceiling on one still's size (a 1920-wide JPEG at quality 3 is well under 1 MB). */
const MAX_STILL_BYTES = 16 * 1024 * 1024;

export interface FfmpegSegmentMakerDeps {
  runner: ProcessRunner;
  ffmpegPath: string;
  jobTimeoutMs: number;
  /** Where ffmpeg reads each source from (files, S3, assembled or indexed local copies). */
  sources: Sources;
  /** RNNoise, for clips with noise suppression. */
  denoiser: Denoiser;
  encoder: EncoderSettings;
  /** Overlays as pictures at each rendition's size. */
  pictures: OverlayPictures;
  /** Where a job writes the overlay pictures ffmpeg reads (removed when the job ends). */
  dir: string;
}

/** Segments made by ffmpeg from the revision's sources (src/media). */
export class FfmpegSegmentMaker implements SegmentMaker {
  constructor(private readonly deps: FfmpegSegmentMakerDeps) {}

  #context(handle: JobHandle, pausable: boolean) {
    return {
      runner: this.deps.runner,
      ffmpegPath: this.deps.ffmpegPath,
      timeoutMs: this.deps.jobTimeoutMs,
      signal: handle.signal,
      pausable: pausable ? handle : undefined,
    };
  }

  async iframe(plan: Plan, rendition: VideoRendition, index: number, handle: JobHandle): Promise<Buffer> {
    const segment = { ...plan.grid.segments[index]!, frameCount: 1 };
    return (await this.#video(plan, rendition, segment, handle, false)).media;
  }

  video(
    plan: Plan,
    rendition: VideoRendition,
    index: number,
    handle: JobHandle,
    withAudio = false,
  ): Promise<VideoSegment> {
    return this.#video(plan, rendition, plan.grid.segments[index]!, handle, withAudio);
  }

  async #video(
    plan: Plan,
    rendition: VideoRendition,
    segment: Segment,
    handle: JobHandle,
    withAudio: boolean,
  ): Promise<VideoSegment> {
    const { index } = segment;
    const parts = piecesOf(plan.spans, segment.startFrame, segment.frameCount);
    const chunk = withAudio ? planAudioChunk(plan, plan.audio!.slices[index]!) : undefined;
    if (chunk && chunk.denoise.length > 0) throw new Error('noise-suppressed audio is made by its own job');
    return this.#withOverlays(plan, rendition, segment, (overlays) =>
      this.#withSources([...videoReads(plan, parts), ...(chunk ? audioReads(plan, chunk) : [])], (inputs) => {
        const { pieces, used } = withInputs(parts, inputs);
        const audio = chunk && {
          chunk,
          inputs: inputs.slice(used),
          bitrate: plan.audio!.bitrate,
          sequenceNumber: index + 1,
        };
        // One ffmpeg process: it can be paused while a player's job runs. Alone, it decodes on every
        // core (latency); beside other jobs, on its own thread (throughput).
        const job = {
          pieces,
          segment,
          rendition,
          fps: plan.fps,
          encoder: this.deps.encoder,
          decodeThreads: handle.alone() ? 0 : 1,
          overlays,
        };
        return makeVideoSegment(this.#context(handle, true), job, audio);
      }),
    );
  }

  /**
   * The overlays visible in a segment, as picture files for its ffmpeg run (rasters are made once
   * per rendition and kept, image bytes once per ETag; the files live as long as the job). A segment
   * without any is made exactly as it would be without overlays.
   */
  async #withOverlays<T>(
    plan: Plan,
    rendition: StillSize,
    segment: Segment,
    work: (overlays: OverlayInput[]) => Promise<T>,
  ): Promise<T> {
    const visible = overlaysIn(plan.overlays, segment.startFrame, segment.frameCount);
    if (visible.length === 0) return work([]);
    const pictures = await Promise.all(visible.map((o) => this.deps.pictures.get(o, rendition)));
    await mkdir(this.deps.dir, { recursive: true });
    const prefix = join(this.deps.dir, `overlay-${randomBytes(8).toString('hex')}`);
    const inputs: OverlayInput[] = [];
    try {
      for (const [i, picture] of pictures.entries()) {
        if (!picture) continue;
        const input = `${prefix}-${i}`;
        await writeFile(input, picture.bytes);
        inputs.push({
          input,
          demuxer: picture.demuxer,
          filters: picture.filters,
          x: picture.x,
          y: picture.y,
          first: visible[i]!.first,
          end: visible[i]!.end,
        });
      }
      return await work(inputs);
    } finally {
      await Promise.all(inputs.map((o) => rm(o.input, { force: true })));
    }
  }

  async still(plan: Plan, frame: number, size: StillSize, format: StillFormat, handle: JobHandle): Promise<Buffer> {
    const segment = { index: 0, startFrame: frame, frameCount: 1, start: frame / plan.fps, duration: 1 / plan.fps };
    const parts = piecesOf(plan.spans, frame, 1);
    return this.#withOverlays(plan, size, segment, (overlays) =>
      this.#withSources(videoReads(plan, parts), async (inputs) => {
        const { pieces } = withInputs(parts, inputs);
        const job = { pieces, segment, rendition: size, fps: plan.fps, overlays };
        const { stdout } = await this.deps.runner.run(this.deps.ffmpegPath, stillArgs(job, format), {
          timeoutMs: this.deps.jobTimeoutMs,
          signal: handle.signal,
          maxOutputBytes: MAX_STILL_BYTES,
        });
        if (stdout.length === 0) throw new Error(`frame ${frame} made no picture`);
        return stdout;
      }),
    );
  }

  async sheet(plan: Plan, board: StoryboardPlan, sheet: number, handle: JobHandle): Promise<Buffer> {
    const tiles = board.tiles.filter((t) => t.sheet === sheet);
    const first = tiles[0]!.startFrame;
    const count = tiles.at(-1)!.endFrame - first;
    const parts = piecesOf(plan.spans, first, count);
    const size = { width: board.tileWidth, height: board.tileHeight };
    const stretch = {
      index: 0,
      startFrame: first,
      frameCount: count,
      start: first / plan.fps,
      duration: count / plan.fps,
    };
    return this.#withOverlays(plan, size, stretch, (overlays) =>
      this.#withSources(videoReads(plan, parts), async (inputs) => {
        // The frame a tile shows is its first in exact mode, and some keyframe of its frames otherwise:
        // an overlay that starts or ends within a tile's frames needs the exact frame to be right.
        const on = (o: OverlayInput, frame: number) => o.first <= frame && frame < o.end;
        const straddled = overlays.some((o) => tiles.some((t) => on(o, t.startFrame) !== on(o, t.endFrame - 1)));
        const job = {
          pieces: withInputs(parts, inputs).pieces,
          overlayTiles: overlays.map((o) => tiles.flatMap((t, n) => (on(o, t.startFrame) ? [n] : []))),
          fps: plan.fps,
          firstFrame: first,
          tileFrames: board.tileFrames,
          tiles: tiles.length,
          tile: size,
          columns: STORYBOARD.columns,
          rows: STORYBOARD.rows,
          overlays,
        };
        for (const mode of straddled ? (['exact'] as const) : (['keyframes', 'exact'] as const)) {
          const { stdout, extra } = await this.deps.runner.run(this.deps.ffmpegPath, sheetArgs(job, mode), {
            timeoutMs: this.deps.jobTimeoutMs,
            signal: handle.signal,
            maxOutputBytes: MAX_STILL_BYTES,
            extraOutputs: 1,
          });
          const drawn = extra[0]!.toString('latin1').match(/^\d+,/gm)?.length ?? 0;
          if (drawn === tiles.length && stdout.length > 0) return stdout;
        }
        throw new Error(`sheet ${sheet} drew a tile too few or too many`);
      }),
    );
  }

  async audio(plan: Plan, index: number, handle: JobHandle): Promise<Buffer> {
    const chunk = planAudioChunk(plan, plan.audio!.slices[index]!);
    return this.#withSources(
      audioReads(plan, chunk),
      // Short, and partly on RNNoise's worker threads: not paused.
      (inputs) =>
        makeAudioSegment(
          this.#context(handle, false),
          { chunk, inputs, bitrate: plan.audio!.bitrate, sequenceNumber: index + 1 },
          this.deps.denoiser,
        ),
    );
  }

  /**
   * Opens where ffmpeg reads each stretch of source from (see Sources.open), runs `work`, and
   * releases them. A run killed at its timeout is a retryable `timeout`; one that needed more than its
   * memory ceiling is `source_unusable` naming the sources (a source too large for the budget, which
   * mint's check should have refused); a run that failed is first held against its sources, which may
   * have changed (409) or become unreachable (503) meanwhile.
   */
  async #withSources<T>(
    reads: Array<{ span: Span; kind: 'video' | 'audio'; from: number; to: number }>,
    work: (inputs: string[]) => Promise<T>,
  ): Promise<T> {
    const leases = await Promise.allSettled(
      reads.map((r) => this.deps.sources.open(r.span.source, r.kind, r.from, r.to)),
    );
    try {
      const failure = leases.find((l) => l.status === 'rejected');
      if (failure) throw failure.reason;
      return await work(leases.map((l) => (l as PromiseFulfilledResult<SourceLease>).value.input));
    } catch (err) {
      const unusable = err instanceof UnusableSourceError ? err : processFailure(err, 'making the segment');
      if (unusable instanceof UnusableSourceError) {
        const names = [...new Set(reads.map((r) => JSON.stringify(r.span.source.key)))].join(', ');
        throw new OriginError(ErrorCode.SourceUnusable, `the source ${names} ${unusable.message}`, undefined, {
          cause: err,
        });
      }
      if (err instanceof ProcessError && err.reason === 'timeout') {
        throw new OriginError(
          ErrorCode.Timeout,
          'making the segment took longer than its time limit; retry shortly',
          undefined,
          { cause: err },
        );
      }
      if (err instanceof ProcessError && err.reason === 'exit') {
        for (const source of new Set(reads.map((r) => r.span.source))) await this.deps.sources.verify(source, true);
      }
      throw err;
    } finally {
      await Promise.all(leases.map((l) => (l.status === 'fulfilled' ? l.value.release() : undefined)));
    }
  }

  async init(rendition: VideoRendition, fps: number, gop: number, handle: JobHandle): Promise<Buffer> {
    const { stdout } = await this.deps.runner.run(
      this.deps.ffmpegPath,
      videoInitArgs(rendition, fps, gop, this.deps.encoder),
      { timeoutMs: this.deps.jobTimeoutMs, signal: handle.signal },
    );
    return splitFragmentedMp4(stdout).init;
  }
}
