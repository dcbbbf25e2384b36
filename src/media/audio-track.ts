import { randomBytes } from 'node:crypto';
import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Span } from '../core/plan.js';
import type { AudioSlice } from '../core/segment-grid.js';
import { AAC_FRAME_SAMPLES } from '../core/segment-grid.js';
import { indexAdts, type AdtsIndex } from './adts.js';
import { audioTrackArgs } from './ffmpeg-args.js';
import { aacInitSegment, aacMediaSegment } from './mp4/aac-track.js';
import type { FfmpegContext } from './video-segment.js';

/** AAC's encoder delay: ffmpeg's encoder emits one priming frame before the first real one. */
const PRIMING_FRAMES = 1;

/**
 * A revision's whole audio track, rendered once and kept on local disk; audio segments are slices of
 * whole AAC frames chosen by arithmetic, so they join with no gap and no click (DESIGN.md rule 4).
 */
export class AudioTrack {
  constructor(
    readonly path: string,
    readonly index: AdtsIndex,
    readonly frameCount: number,
    readonly bitrate: number,
  ) {}

  /** Bytes on disk (for cache accounting). */
  get size(): number {
    const last = this.index.offsets.length - 1;
    return last < 0 ? 0 : this.index.offsets[last]! + this.index.sizes[last]!;
  }

  initSegment(): Buffer {
    return aacInitSegment({
      audioSpecificConfig: this.index.audioSpecificConfig,
      sampleRate: this.index.sampleRate,
      channels: this.index.channels,
      bitrate: this.bitrate,
    });
  }

  /** The media segment for one slice of the grid. */
  async segment(slice: AudioSlice): Promise<Buffer> {
    const first = PRIMING_FRAMES + slice.firstFrame;
    const last = first + slice.frameCount - 1;
    const { offsets, sizes } = this.index;
    const from = offsets[first]!;
    const to = offsets[last]! + sizes[last]!;
    const file = await open(this.path, 'r');
    let bytes: Buffer;
    try {
      bytes = Buffer.alloc(to - from);
      await file.read(bytes, 0, bytes.length, from);
    } finally {
      await file.close();
    }
    const frames: Buffer[] = [];
    for (let i = first; i <= last; i++) frames.push(bytes.subarray(offsets[i]! - from, offsets[i]! - from + sizes[i]!));
    return aacMediaSegment(frames, slice.firstFrame, slice.index + 1);
  }

  async dispose(): Promise<void> {
    await rm(this.path, { force: true });
  }
}

/**
 * Renders a span's audio as `frameCount` AAC frames (priming frame kept in the file, skipped by
 * slicing). The file is removed again if anything fails.
 */
export async function renderAudioTrack(
  ctx: FfmpegContext,
  input: string,
  span: Span,
  frameCount: number,
  bitrate: number,
  workDir: string,
): Promise<AudioTrack> {
  const path = join(workDir, `audio-${randomBytes(8).toString('hex')}.aac`);
  try {
    const args = audioTrackArgs(input, span, frameCount * AAC_FRAME_SAMPLES, bitrate, path);
    await ctx.runner.run(ctx.ffmpegPath, args, { timeoutMs: ctx.timeoutMs, signal: ctx.signal });
    const index = indexAdts(await readFile(path));
    if (index.offsets.length < PRIMING_FRAMES + frameCount) {
      throw new Error(`audio track has ${index.offsets.length} frames, expected ${PRIMING_FRAMES + frameCount}`);
    }
    return new AudioTrack(path, index, frameCount, bitrate);
  } catch (err) {
    await rm(path, { force: true });
    throw err;
  }
}
