import type { AudioChunk } from '../../core/audio/audio-chunk.js';
import { AAC_PRIMING_FRAMES, AUDIO_CHANNELS, AUDIO_SAMPLE_RATE } from '../../core/timeline/media-units.js';
import { aacLcConfig, indexAdts } from './adts.js';
import { aacEncodeArgs, audioDecodeArgs, audioSegmentArgs, type AudioEncodeJob } from './audio-args.js';
import { denoiseRuns } from './denoise/denoise-runs.js';
import type { Denoiser } from './denoise/denoiser.js';
import { aacMediaSegment } from '../mp4/aac-track.js';
import type { FfmpegContext } from '../process-runner.js';

/** One audio segment: a chunk of the track, where ffmpeg reads each of its pieces from, and how to encode it. */
export interface AudioSegmentJob {
  chunk: AudioChunk;
  /** Path or URL of each piece's source, as ffmpeg reads it (same order as `chunk.pieces`). */
  inputs: string[];
  bitrate: number;
  /** The segment's mfhd sequence number. */
  sequenceNumber: number;
}

const BYTES_PER_SAMPLE = 4 * AUDIO_CHANNELS;

/**
 * Makes one audio segment from its chunk plan, in bounded time wherever it lies in the track:
 * decode the chunk's pieces to float PCM (silence where no span has audio), run RNNoise over the
 * regions that ask for it, encode with preroll and postroll, and keep exactly the chunk's AAC frames
 * in an fMP4 fragment placed at its first frame (docs/media-rules.md, "Audio").
 */
export async function makeAudioSegment(ctx: FfmpegContext, job: AudioSegmentJob, denoiser?: Denoiser): Promise<Buffer> {
  const { chunk } = job;
  if (chunk.denoise.length === 0) {
    // Nothing between decoding and encoding: one ffmpeg run does both.
    const { stdout } = await ctx.runner.run(ctx.ffmpegPath, audioSegmentArgs(encodeJob(job)), {
      timeoutMs: ctx.timeoutMs,
      signal: ctx.signal,
    });
    return keepChunkFrames(job, stdout);
  }
  // The encoder starts at once and waits for its input: its start-up overlaps decoding and RNNoise.
  const input = chunkPcm(ctx, job, denoiser);
  const [, segment] = await Promise.all([input, encodeChunk(ctx, job, input)]);
  return segment;
}

/** The encoder's input for a chunk: samples [encodeFrom, encodeTo), interleaved stereo, denoised where asked. */
export async function chunkPcm(ctx: FfmpegContext, job: AudioSegmentJob, denoiser?: Denoiser): Promise<Float32Array> {
  const { chunk } = job;
  const pcm = await decodeChunk(ctx, job);
  if (chunk.denoise.length > 0) {
    if (!denoiser) throw new Error('noise suppression needs a denoiser');
    await denoiseRuns(pcm, chunk.decodeFrom, chunk.denoise, denoiser, ctx.timeoutMs);
  }
  return pcm.subarray(
    (chunk.encodeFrom - chunk.decodeFrom) * AUDIO_CHANNELS,
    (chunk.encodeTo - chunk.decodeFrom) * AUDIO_CHANNELS,
  );
}

/** Encodes a chunk's input and keeps exactly its frames: the preroll and postroll are encoded, then dropped. */
export async function encodeChunk(
  ctx: FfmpegContext,
  job: AudioSegmentJob,
  input: Float32Array | Promise<Float32Array>,
): Promise<Buffer> {
  const bytes = Promise.resolve(input).then((pcm) => new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength));
  // The input's own failure is reported by whoever made it; here it only stops the encoder.
  bytes.catch(() => {});
  const { stdout } = await ctx.runner.run(ctx.ffmpegPath, aacEncodeArgs(job.bitrate), {
    timeoutMs: ctx.timeoutMs,
    signal: ctx.signal,
    stdin: bytes,
  });
  return keepChunkFrames(job, stdout);
}

/** What the encoder of a chunk without noise suppression reads (see audioSegmentArgs). */
export function encodeJob(job: AudioSegmentJob): AudioEncodeJob {
  const { chunk } = job;
  return {
    pieces: chunk.pieces.map((piece, i) => ({ piece, input: job.inputs[i]! })),
    range: { from: chunk.encodeFrom, to: chunk.encodeTo },
    bitrate: job.bitrate,
  };
}

/**
 * The chunk's own AAC frames from the encoder's ADTS output (priming, preroll and postroll dropped), as an fMP4
 * fragment.
 */
export function keepChunkFrames(job: AudioSegmentJob, stdout: Buffer): Buffer {
  const { chunk } = job;
  const adts = indexAdts(stdout);
  // The init segment is written from constants; the encoder's stream must be what it describes.
  if (!adts.audioSpecificConfig.equals(aacLcConfig(AUDIO_SAMPLE_RATE, AUDIO_CHANNELS))) {
    throw new Error(
      `the encoder wrote AAC config ${adts.audioSpecificConfig.toString('hex')} (${adts.sampleRate} Hz, ${adts.channels} channels)`,
    );
  }
  const first = AAC_PRIMING_FRAMES + chunk.skipFrames;
  if (adts.frames.length < first + chunk.frameCount) {
    throw new Error(`the encoder wrote ${adts.frames.length} frames, the chunk needs ${first + chunk.frameCount}`);
  }
  const frames = adts.frames
    .slice(first, first + chunk.frameCount)
    .map((f) => stdout.subarray(f.payload, f.payload + f.size));
  return aacMediaSegment(frames, chunk.firstFrame, job.sequenceNumber);
}

/** The chunk's decoded samples, [decodeFrom, decodeTo), interleaved stereo; exactly as many as planned. */
async function decodeChunk(ctx: FfmpegContext, job: AudioSegmentJob): Promise<Float32Array> {
  const { chunk } = job;
  const pcm = new Float32Array((chunk.decodeTo - chunk.decodeFrom) * AUDIO_CHANNELS);
  if (chunk.pieces.length === 0) return pcm;
  const args = audioDecodeArgs(chunk.pieces.map((piece, i) => ({ piece, input: job.inputs[i]! })));
  const { stdout } = await ctx.runner.run(ctx.ffmpegPath, args, {
    timeoutMs: ctx.timeoutMs,
    signal: ctx.signal,
    maxOutputBytes: pcm.byteLength,
  });
  const expected = chunk.pieces.reduce((n, p) => n + p.count, 0) * BYTES_PER_SAMPLE;
  // Exact sample accounting: each span's audio is exactly as long as its video.
  if (stdout.length !== expected) throw new Error(`decoded ${stdout.length} bytes of audio, planned ${expected}`);
  const decoded = new Float32Array(stdout.buffer.slice(stdout.byteOffset, stdout.byteOffset + stdout.length));
  let at = 0;
  for (const piece of chunk.pieces) {
    // Added, not copied: a camera's sound is mixed over the screen's (the same sum as the encoder's run takes).
    const into = (piece.from - chunk.decodeFrom) * AUDIO_CHANNELS;
    for (let k = 0; k < piece.count * AUDIO_CHANNELS; k++) pcm[into + k]! += decoded[at + k]!;
    at += piece.count * AUDIO_CHANNELS;
  }
  return pcm;
}
