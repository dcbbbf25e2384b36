import { AUDIO_SAMPLE_RATE, samplesPerVideoFrame } from './media-units.js';
import type { Span } from './timeline.js';

/**
 * Seconds of source a job has at hand on either side of a range it reads (what it asks the source
 * cache for). ffmpeg seeks before a range and decodes up to it, so the margin holds the video seek's
 * preroll (at most 0.25 s, by container: src/media/video/video-args.ts), the audio decoder's seek margin
 * (0.25 s) and the resampler's settling (src/media/audio/audio-args.ts), with room to spare.
 */
export const READ_MARGIN_SECONDS = 1;

/** Output frames [frame, frame + frames), or output samples (48 kHz) [sample, sample + samples). */
export type OutputRange = { frame: number; frames: number } | { sample: number; samples: number };

/** Where a range of the output is in a span's source, on the source's own clock. */
export interface SourceTime {
  /** Source seconds at the range's first frame or sample. */
  seconds: number;
  /**
   * The same instant in whole 48 kHz samples: the span's start rounded once, then output samples
   * counted from it. A range starting anywhere in a span lands on the samples a range starting at the
   * span's start would, which is what lets independently made audio chunks join.
   */
  sample: number;
  /** Output seconds minus source seconds, the same all along the span: what puts a source timestamp on the output clock. */
  offset: number;
  /** Source seconds a job reads for the range: [from, to), READ_MARGIN_SECONDS on either side. */
  read: { from: number; to: number };
}

/**
 * Where output frames or samples of a span come from in its source: the one place output time becomes
 * source time. A span shows its source from `sourceStart` at output frame `outputFrame`, a source
 * second per output second. A frame is samplesPerVideoFrame(fps) samples, so a frame and its first
 * sample give the same seconds to the bit (whole numbers divided, each rounded once: d / fps is
 * d·perFrame / 48000).
 */
export function sourceTime(
  span: Pick<Span, 'sourceStart' | 'outputFrame'>,
  fps: number,
  range: OutputRange,
): SourceTime {
  const perFrame = samplesPerVideoFrame(fps);
  const [first, count] =
    'frame' in range ? [range.frame * perFrame, range.frames * perFrame] : [range.sample, range.samples];
  const intoSpan = first - span.outputFrame * perFrame;
  const seconds = span.sourceStart + intoSpan / AUDIO_SAMPLE_RATE;
  return {
    seconds,
    sample: Math.round(span.sourceStart * AUDIO_SAMPLE_RATE) + intoSpan,
    offset: span.outputFrame / fps - span.sourceStart,
    read: { from: seconds - READ_MARGIN_SECONDS, to: seconds + count / AUDIO_SAMPLE_RATE + READ_MARGIN_SECONDS },
  };
}
