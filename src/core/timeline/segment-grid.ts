import { AAC_FRAME_SAMPLES, AUDIO_SAMPLE_RATE } from './media-units.js';

/** Output frame rates: constant, and each one divides a short segment grid with AAC frames. */
const STANDARD_RATES = [24, 25, 30, 48, 50, 60] as const;

/**
 * The constant output frame rate for a source's nominal rate: the nearest standard rate
 * (23.976 → 24, 29.97 → 30, a recorder's uneven 28.6 → 30). Unknown or absurd rates give 30.
 */
export function outputFrameRate(sourceRate: number): number {
  if (!Number.isFinite(sourceRate) || sourceRate < 5 || sourceRate > 240) return 30;
  let best: number = STANDARD_RATES[0];
  for (const rate of STANDARD_RATES) {
    if (Math.abs(rate - sourceRate) < Math.abs(best - sourceRate)) best = rate;
  }
  return best;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * The fewest video frames that also span a whole number of AAC frames: 16 at 30 fps (0.533 s),
 * 8 at 25 fps (0.32 s), 64 at 24 fps (2.667 s). Segment boundaries on multiples of this put video and
 * audio frame edges at the same instant.
 */
export function gridUnitFrames(fps: number): number {
  const perUnit = AAC_FRAME_SAMPLES * fps;
  return perUnit / gcd(perUnit, AUDIO_SAMPLE_RATE);
}

/** One segment of the grid, shared by every rendition of a revision. */
export interface Segment {
  index: number;
  /** First output video frame of the segment. */
  startFrame: number;
  frameCount: number;
  /** Output seconds. */
  start: number;
  duration: number;
}

export interface SegmentGrid {
  fps: number;
  frameCount: number;
  /** Frames in a full segment. */
  segmentFrames: number;
  segments: Segment[];
}

/**
 * Start-up segments, in seconds, before the grid reaches its target duration (see planSegmentGrid).
 * Measured: a 1 s first segment started 0.2 s sooner, but its thin buffer stalled hls.js when its ABR
 * switched up at once to a rendition whose next segment nobody had asked for; 2 s covers that. The
 * second is short too: it is the first segment of the rendition a player switches up to, needed
 * before the first has played out, and a 4.27 s 720p one took 1.8 s alone on a 2.4 GHz core — half of
 * it is what lets a second viewer start beside the first without a stall (`npm run bench:capacity`).
 */
const RAMP_SECONDS = [2, 2] as const;

/**
 * Cuts `frameCount` output frames into segments, each a whole number of grid units: two of about 2 s,
 * then segments of about `targetSeconds`. The short first segments are the fast start — a job is half
 * a full one, the player begins sooner, and the first switch up costs half a segment — and a full
 * segment takes less time to make than the ones before it take to play. A tail shorter than half the segment before it joins that one,
 * so no segment but a lone one is much shorter than its neighbours (tiny segments stall players).
 */
export function planSegmentGrid(frameCount: number, fps: number, targetSeconds: number): SegmentGrid {
  if (!Number.isInteger(frameCount) || frameCount < 1)
    throw new RangeError(`frameCount must be a positive integer, got ${frameCount}`);
  const unit = gridUnitFrames(fps);
  const units = (seconds: number, round: (n: number) => number) => Math.max(unit, round((seconds * fps) / unit) * unit);
  const segmentFrames = units(targetSeconds, Math.round);
  const lengths = RAMP_SECONDS.map((s) => units(s, Math.ceil)).filter((n) => n < segmentFrames);
  const starts: number[] = [];
  for (let f = 0, i = 0; f < frameCount; f += lengths[i++] ?? segmentFrames) starts.push(f);
  const last = starts.length - 1;
  const tail = frameCount - starts[last]!;
  if (last > 0 && tail < (starts[last]! - starts[last - 1]!) / 2) starts.pop();
  const segments = starts.map((startFrame, index) => {
    const end = index + 1 < starts.length ? starts[index + 1]! : frameCount;
    return {
      index,
      startFrame,
      frameCount: end - startFrame,
      start: startFrame / fps,
      duration: (end - startFrame) / fps,
    };
  });
  return { fps, frameCount, segmentFrames, segments };
}

/** AAC frames [first, first + count) that make up audio segment `segment` of the grid. */
export interface AudioSlice {
  index: number;
  firstFrame: number;
  frameCount: number;
  start: number;
  duration: number;
}

/** Total AAC frames that cover the video's duration (the last one may run a little past it). */
export function audioFrameCount(grid: SegmentGrid): number {
  return Math.ceil((grid.frameCount * AUDIO_SAMPLE_RATE) / (AAC_FRAME_SAMPLES * grid.fps));
}

/** The audio slices on the same grid: boundaries fall on AAC frame edges by construction. */
export function planAudioSlices(grid: SegmentGrid): AudioSlice[] {
  const total = audioFrameCount(grid);
  const toAudio = (videoFrame: number) => (videoFrame * AUDIO_SAMPLE_RATE) / (AAC_FRAME_SAMPLES * grid.fps);
  return grid.segments.map((seg, index) => {
    const firstFrame = toAudio(seg.startFrame);
    const end = index + 1 < grid.segments.length ? toAudio(grid.segments[index + 1]!.startFrame) : total;
    const frameSeconds = AAC_FRAME_SAMPLES / AUDIO_SAMPLE_RATE;
    return {
      index,
      firstFrame,
      frameCount: end - firstFrame,
      start: firstFrame * frameSeconds,
      duration: (end - firstFrame) * frameSeconds,
    };
  });
}
