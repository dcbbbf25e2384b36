import { denoiseLength, planDenoiseRuns, type DenoiseRun } from './denoise-plan.js';
import { AAC_FRAME_SAMPLES, samplesPerVideoFrame } from '../timeline/media-units.js';
import type { Plan } from '../plan.js';
import { sourceTime } from '../timeline/source-time.js';
import { soundOf, type Span } from '../timeline/timeline.js';

/**
 * AAC frames encoded before a chunk's first frame and then dropped, so the encoder's state and the
 * decoder's overlap at the join match a continuous encode (docs/media-rules.md, "Audio"). Measured:
 * with 0 every join clicks (+25 dB over the codec's residual on a tone); 2 is enough for the joins;
 * 8 (171 ms) also lets the encoder's rate control settle (on a pure tone, 4.4 dB less residual).
 */
export const AAC_PREROLL_FRAMES = 8;
/**
 * AAC frames encoded after a chunk's last frame and dropped: the encoder looks one frame ahead to choose its window.
 */
export const AAC_POSTROLL_FRAMES = 2;

/** A stretch of one span's audio, decoded into the chunk. Sample positions are output samples (48 kHz). */
export interface AudioPiece {
  span: Span;
  /** First output sample. */
  from: number;
  count: number;
  /**
   * The source's own clock at `from`, in 48 kHz samples. Whole samples, counted from the span's
   * start (sourceTime): a piece starting anywhere in a span lands on the same samples as one starting
   * at the span's start, which is what lets independently made chunks join.
   */
  sourceSample: number;
  /** 0, or 1 for a camera's sound mixed over the screen's (a clip's `audio: "both"`). */
  layer: number;
}

/**
 * Everything one run needs to make AAC frames [firstFrame, firstFrame + frameCount) of the track, a pure
 * function of the plan: the same chunk is the same bytes on every run and every node.
 */
export interface AudioChunk {
  firstFrame: number;
  frameCount: number;
  /** Output samples the encoder reads: [encodeFrom, encodeTo). Past the timeline's end, silence. */
  encodeFrom: number;
  encodeTo: number;
  /** Frames the encoder emits (after its priming frame) before `firstFrame`: the preroll, dropped. */
  skipFrames: number;
  /** Output samples decoded: [decodeFrom, decodeTo) covers the encoder's input and RNNoise's warm-up and lag. */
  decodeFrom: number;
  decodeTo: number;
  /** Decoded stretches of spans with audio, in output order; everything else in the range is silence. */
  pieces: AudioPiece[];
  /** RNNoise runs over the encoder's input, for clips with noise suppression (see planDenoiseRuns). */
  denoise: DenoiseRun[];
}

export interface AudioChunkOptions {
  prerollFrames: number;
  postrollFrames: number;
}

export const DEFAULT_AUDIO_CHUNK_OPTIONS: AudioChunkOptions = {
  prerollFrames: AAC_PREROLL_FRAMES,
  postrollFrames: AAC_POSTROLL_FRAMES,
};

/**
 * Plans the run that makes AAC frames [firstFrame, firstFrame + frameCount) of a revision's audio:
 * - the encoder starts `prerollFrames` early (never before 0) and runs `postrollFrames` past the end;
 * - clips with noise suppression go through the RNNoise runs that define those samples of the
 *   denoised timeline (planDenoiseRuns), each warmed up before it is used;
 * - the decoder covers all of that, and nothing more: a chunk at 9:00 reads 9:00, not the track
 *   before it.
 */
export function planAudioChunk(
  plan: Pick<Plan, 'spans' | 'fps' | 'audio'>,
  range: { firstFrame: number; frameCount: number },
  options: AudioChunkOptions = DEFAULT_AUDIO_CHUNK_OPTIONS,
): AudioChunk {
  const { firstFrame, frameCount } = range;
  if (!Number.isInteger(firstFrame) || !Number.isInteger(frameCount) || firstFrame < 0 || frameCount < 1) {
    throw new RangeError(`bad AAC frame range ${firstFrame}+${frameCount}`);
  }
  const perFrame = samplesPerVideoFrame(plan.fps);
  const skipFrames = Math.min(firstFrame, options.prerollFrames);
  const encodeFrom = (firstFrame - skipFrames) * AAC_FRAME_SAMPLES;
  const encodeTo = (firstFrame + frameCount + options.postrollFrames) * AAC_FRAME_SAMPLES;

  const joins = (plan.audio?.slices ?? []).slice(1).map((s) => s.firstFrame * AAC_FRAME_SAMPLES);
  const denoise = planDenoiseRuns(plan.spans, perFrame, joins, { from: encodeFrom, to: encodeTo });
  const decodeFrom = Math.min(encodeFrom, ...denoise.map((r) => r.stateFrom));
  const decodeTo = Math.max(encodeTo, ...denoise.map((r) => Math.min(r.clipEnd, r.stateFrom + denoiseLength(r))));

  const pieces: AudioPiece[] = [];
  for (const span of plan.spans) {
    soundOf(span).forEach(({ track, samples }, layer) => {
      const start = span.outputFrame * perFrame;
      const from = Math.max(decodeFrom, start + samples.from);
      const to = Math.min(decodeTo, start + Math.min(samples.to, span.frameCount * perFrame));
      if (from >= to) return;
      const { sample } = sourceTime(track, plan.fps, { sample: from, samples: to - from });
      pieces.push({ span: track, from, count: to - from, sourceSample: sample, layer });
    });
  }
  return { firstFrame, frameCount, encodeFrom, encodeTo, skipFrames, decodeFrom, decodeTo, pieces, denoise };
}
