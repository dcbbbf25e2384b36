import type { Span } from '../timeline/timeline.js';

/** RNNoise works on frames of 10 ms: 480 samples at 48 kHz. */
export const DENOISE_FRAME_SAMPLES = 480;
/**
 * RNNoise's output lags its input by two frames (960 samples, 20 ms; measured by cross-correlation on
 * speech: the peak is at 959–960). The lag is removed exactly, or audio would trail the picture.
 */
export const DENOISE_LAG_SAMPLES = 960;
/**
 * Audio a run hears, from a fresh state, before its output is used (500 ms): long enough that RNNoise
 * has found the noise. Measured on the speech fixture, end to end: the same floor drop (71 dB) and
 * SI-SDR gain (+9.1 dB) as with 1 s; a run's output never converges exactly onto one started earlier
 * (RNNoise keeps some state for long), which is why runs hand over with a crossfade at fixed places.
 */
export const DENOISE_WARMUP_SAMPLES = 24000;
/** One run hands over to the next with a raised-cosine crossfade this long (100 ms). */
export const DENOISE_CROSSFADE_SAMPLES = 4800;
/**
 * A handover ends this long before a segment join (250 ms): the segment's AAC preroll and the frame
 * its first frame overlaps are then one run's output, the same in the segment and in the one before.
 */
export const DENOISE_HANDOVER_BEFORE_JOIN = 12000;

/** A zone where a run's weight ramps: up from 0 (fade in) or down to 0 (fade out), over [from, to). */
export interface Fade {
  from: number;
  to: number;
}

/**
 * One RNNoise run over a clip, from a fresh state at `stateFrom`, and the output samples [from, to)
 * it contributes to (within what a chunk asked for), weighted by its fades. Where two runs overlap
 * their weights sum to one.
 */
export interface DenoiseRun {
  stateFrom: number;
  from: number;
  to: number;
  fadeIn?: Fade;
  fadeOut?: Fade;
  /** The clip's end (exclusive): RNNoise hears silence after it, never the next clip. */
  clipEnd: number;
  /** The clip's source is mono: denoise one channel and copy it. */
  mono: boolean;
}

/** A clip on the output timeline, in output samples. */
interface ClipRange {
  from: number;
  to: number;
  span: Span;
}

/** Each clip's output samples, from its spans (a clip with cuts has several, back to back). */
export function clipRanges(spans: readonly Span[], samplesPerFrame: number): ClipRange[] {
  const clips: ClipRange[] = [];
  for (const span of spans) {
    const from = span.outputFrame * samplesPerFrame;
    const to = (span.outputFrame + span.frameCount) * samplesPerFrame;
    const last = clips.at(-1);
    if (last && last.span.clip === span.clip) last.to = to;
    else clips.push({ from, to, span });
  }
  return clips;
}

/**
 * The RNNoise runs that make the denoised samples [from, to) of the timeline. The denoised timeline
 * is defined so that any stretch of it can be made alone and still be the same samples:
 * - each clip with noise suppression is denoised on its own (RNNoise never hears another clip);
 * - a fresh run starts at the clip's start and at every segment join (`joins`, output samples), each
 *   warmed up on DENOISE_WARMUP_SAMPLES before it is used, on the clip's 480-sample frame grid;
 * - run k hands over to run k + 1 with a crossfade that ends DENOISE_HANDOVER_BEFORE_JOIN before
 *   join k + 1, so no sample depends on a run started more than a segment and a warm-up earlier.
 * A chunk therefore needs at most two runs: its own, and the next one's start.
 */
export function planDenoiseRuns(
  spans: readonly Span[],
  samplesPerFrame: number,
  joins: readonly number[],
  range: { from: number; to: number },
): DenoiseRun[] {
  const runs: DenoiseRun[] = [];
  for (const clip of clipRanges(spans, samplesPerFrame)) {
    if (!clip.span.noiseSuppression || !clip.span.source.audio) continue;
    const from = Math.max(clip.from, range.from);
    const to = Math.min(clip.to, range.to);
    if (from >= to) continue;
    // Handover points inside the clip, with room for the crossfade after the clip's start.
    const handovers = joins
      .map((j) => j - DENOISE_HANDOVER_BEFORE_JOIN)
      .filter((h) => h - DENOISE_CROSSFADE_SAMPLES > clip.from && h < clip.to);
    const starts = [clip.from, ...handovers.map((h) => h - DENOISE_CROSSFADE_SAMPLES)];
    starts.forEach((start, k) => {
      const end = k + 1 < starts.length ? handovers[k]! : clip.to;
      const used = { from: Math.max(from, start), to: Math.min(to, end) };
      if (used.from >= used.to) return;
      const warmFrames = Math.floor((start - DENOISE_WARMUP_SAMPLES - clip.from) / DENOISE_FRAME_SAMPLES);
      runs.push({
        stateFrom: clip.from + Math.max(0, warmFrames) * DENOISE_FRAME_SAMPLES,
        ...used,
        ...(k > 0 ? { fadeIn: { from: start, to: handovers[k - 1]! } } : {}),
        ...(k + 1 < starts.length ? { fadeOut: { from: starts[k + 1]!, to: end } } : {}),
        clipEnd: clip.to,
        mono: clip.span.source.audio!.channels === 1,
      });
    });
  }
  return runs;
}

/** A run's weight at output sample t: raised-cosine ramps in its fades, 1 between. */
export function runWeight(run: DenoiseRun, t: number): number {
  const ramp = (fade: Fade) => Math.sin((Math.PI / 2) * ((t - fade.from + 0.5) / (fade.to - fade.from))) ** 2;
  if (run.fadeIn && t < run.fadeIn.to) return ramp(run.fadeIn);
  if (run.fadeOut && t >= run.fadeOut.from) return 1 - ramp(run.fadeOut);
  return 1;
}

/**
 * Samples a run hears, from `stateFrom`: through the lag past `to`, rounded up to whole frames (a
 * frame's output depends on all of its input).
 */
export function denoiseLength(run: Pick<DenoiseRun, 'stateFrom' | 'to'>): number {
  return Math.ceil((run.to - run.stateFrom + DENOISE_LAG_SAMPLES) / DENOISE_FRAME_SAMPLES) * DENOISE_FRAME_SAMPLES;
}
