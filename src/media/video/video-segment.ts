import { VIDEO_TIMESCALE } from '../../core/timeline/media-units.js';
import { encodeJob, keepChunkFrames, type AudioSegmentJob } from '../audio/audio-segment.js';
import { videoSegmentArgs, type VideoSegmentJob } from './video-args.js';
import { readTfdt, setSequenceNumbers, splitFragmentedMp4, type FragmentedMp4 } from '../mp4/boxes.js';
import type { FfmpegContext } from '../process-runner.js';

/** A sane ceiling on one segment's size (a 10 s 4K segment at a high cap is ~30 MB). */
const MAX_SEGMENT_BYTES = 256 * 1024 * 1024;

/** A video segment's init and media parts, and the audio segment made in the same run, if asked for. */
export interface VideoSegment extends FragmentedMp4 {
  audio?: Buffer;
}

/**
 * Encodes one video segment and returns its init and media parts — and, given `audio` (a chunk without
 * noise suppression), the audio segment of the same index from the same run. The fragment's tfdt is
 * checked against the grid before anything is returned: a segment that would not join its neighbours
 * is an error, never a response.
 */
export async function makeVideoSegment(
  ctx: FfmpegContext,
  job: Omit<VideoSegmentJob, 'audio'>,
  audio?: AudioSegmentJob,
): Promise<VideoSegment> {
  const { segment, rendition, fps } = job;
  const args = videoSegmentArgs({ ...job, audio: audio && encodeJob(audio) });
  const { stdout, extra } = await ctx.runner.run(ctx.ffmpegPath, args, {
    timeoutMs: ctx.timeoutMs,
    signal: ctx.signal,
    pausable: ctx.pausable,
    maxOutputBytes: MAX_SEGMENT_BYTES,
    extraOutputs: audio ? 1 : 0,
  });
  const { init, media } = splitFragmentedMp4(stdout);
  const expected = BigInt(Math.round((segment.startFrame * VIDEO_TIMESCALE) / fps));
  const tfdt = readTfdt(media);
  if (tfdt !== expected) {
    throw new Error(`segment ${segment.index} of ${rendition.id}: tfdt ${tfdt} where the grid says ${expected}`);
  }
  setSequenceNumbers(media, segment.index + 1);
  return { init, media, audio: audio && keepChunkFrames(audio, extra[0]!) };
}
