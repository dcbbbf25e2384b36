/**
 * The fixed units of every output, in one place (docs/media-rules.md, "Output format").
 */

/** AAC-LC output sample rate (ISO/IEC 14496-3): every audio rendition is 48 kHz. */
export const AUDIO_SAMPLE_RATE = 48000;
/** Samples per AAC-LC frame (ISO/IEC 14496-3 §4.5.2.1: 1024-sample frames). */
export const AAC_FRAME_SAMPLES = 1024;
/** Output audio channels: stereo (mono sources are upmixed, multichannel ones downmixed). */
export const AUDIO_CHANNELS = 2;
/** Audio bitrate of the AAC rendition. */
export const AUDIO_BITRATE = 128_000;
/**
 * Timescale of every video track (`-video_track_timescale`): 90 kHz, the MPEG clock, is a whole
 * multiple of every output frame rate, so each frame starts on a whole tick.
 */
export const VIDEO_TIMESCALE = 90000;
/**
 * Frames ffmpeg's AAC encoder emits before the first frame of real audio (its `initial_padding` of
 * 1024 samples): dropped, so a segment's first frame is the first frame of its own audio.
 */
export const AAC_PRIMING_FRAMES = 1;

/** Output audio samples per output video frame: a whole number at every standard rate (2000 at 24 fps). */
export function samplesPerVideoFrame(fps: number): number {
  const samples = AUDIO_SAMPLE_RATE / fps;
  if (!Number.isInteger(samples)) throw new RangeError(`${fps} fps does not divide ${AUDIO_SAMPLE_RATE} Hz`);
  return samples;
}
