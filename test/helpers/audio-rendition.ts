import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { planAudioChunk, type AudioChunkOptions } from '../../src/core/audio/audio-chunk.js';
import { AAC_FRAME_SAMPLES, AUDIO_CHANNELS, AUDIO_SAMPLE_RATE } from '../../src/core/timeline/media-units.js';
import type { Plan } from '../../src/core/plan.js';
import { audioFrameCount } from '../../src/core/timeline/segment-grid.js';
import { aacLcConfig } from '../../src/media/audio/adts.js';
import { chunkPcm, encodeChunk, makeAudioSegment, type AudioSegmentJob } from '../../src/media/audio/audio-segment.js';
import type { Denoiser } from '../../src/media/audio/denoise/denoiser.js';
import { aacInitSegment } from '../../src/media/mp4/aac-track.js';
import type { ProcessRunner } from '../../src/media/process-runner.js';
import { parsePlaylist } from './hls-download.js';

/** Fetches a revision's audio rendition through HTTP into one file; returns it and each join's sample position. */
export async function fetchAudioRendition(
  server: { fetch(path: string): Promise<Response> },
  hls: string,
  file: string,
): Promise<{ file: string; joins: number[] }> {
  const base = hls.replace(/\/master\.m3u8$/, '');
  const get = async (path: string) => {
    const res = await server.fetch(`${base}/${path}`);
    expect(res.status, path).toBe(200);
    return Buffer.from(await res.arrayBuffer());
  };
  const playlist = parsePlaylist((await get('audio.m3u8')).toString());
  const parts = [await get('audio/init.mp4'), ...(await Promise.all(playlist.segments.map((s) => get(s.uri))))];
  await writeFile(file, Buffer.concat(parts));
  const joins: number[] = [];
  let frames = 0;
  for (const s of playlist.segments.slice(0, -1))
    joins.push((frames += Math.round((s.duration * AUDIO_SAMPLE_RATE) / AAC_FRAME_SAMPLES)) * AAC_FRAME_SAMPLES);
  return { file, joins };
}

export interface DirectAudio {
  runner: ProcessRunner;
  denoiser: Denoiser;
  /** Where the revision's sources are on disk. */
  mediaRoot: string;
}

const job = (
  deps: DirectAudio,
  plan: Plan,
  range: { firstFrame: number; frameCount: number },
  options?: AudioChunkOptions,
): AudioSegmentJob => {
  const chunk = planAudioChunk(plan, range, options);
  return {
    chunk,
    inputs: chunk.pieces.map((p) => join(deps.mediaRoot, p.span.source.key)),
    bitrate: plan.audio!.bitrate,
    sequenceNumber: 1,
  };
};
const context = (deps: DirectAudio) => ({ runner: deps.runner, ffmpegPath: 'ffmpeg', timeoutMs: 60_000 });
const init = (plan: Plan) =>
  aacInitSegment({
    audioSpecificConfig: aacLcConfig(AUDIO_SAMPLE_RATE, AUDIO_CHANNELS),
    sampleRate: AUDIO_SAMPLE_RATE,
    channels: AUDIO_CHANNELS,
    bitrate: plan.audio!.bitrate,
  });

/**
 * The revision's whole audio track as one run of the same pipeline (one chunk from the first frame
 * to the last): the continuous reference chunked output is held to. Also returns the encoder's input.
 */
export async function continuousAudio(
  deps: DirectAudio,
  plan: Plan,
  file: string,
): Promise<{ file: string; pcm: Float32Array }> {
  const whole = job(deps, plan, { firstFrame: 0, frameCount: audioFrameCount(plan.grid) });
  const pcm = await chunkPcm(context(deps), whole, deps.denoiser);
  await writeFile(file, Buffer.concat([init(plan), await encodeChunk(context(deps), whole, pcm)]));
  return { file, pcm };
}

/** The encoder's input of one segment's chunk, interleaved stereo, from its first encoded sample. */
export async function segmentPcm(
  deps: DirectAudio,
  plan: Plan,
  index: number,
): Promise<{ pcm: Float32Array; from: number }> {
  const segment = job(deps, plan, plan.audio!.slices[index]!);
  return { pcm: await chunkPcm(context(deps), segment, deps.denoiser), from: segment.chunk.encodeFrom };
}

/** One segment made both ways: in one ffmpeg run (decode and encode), and as decode → PCM → encode. */
export async function segmentBothWays(deps: DirectAudio, plan: Plan, index: number): Promise<[Buffer, Buffer]> {
  const segment = job(deps, plan, plan.audio!.slices[index]!);
  const oneRun = await makeAudioSegment(context(deps), segment, deps.denoiser);
  const twoRuns = await encodeChunk(context(deps), segment, await chunkPcm(context(deps), segment, deps.denoiser));
  return [oneRun, twoRuns];
}

/** Every audio segment made one by one with other chunk options (e.g. no preroll), as one file. */
export async function chunkedAudio(
  deps: DirectAudio,
  plan: Plan,
  options: AudioChunkOptions,
  file: string,
): Promise<string> {
  const segments = [];
  for (const slice of plan.audio!.slices)
    segments.push(
      await makeAudioSegment(
        context(deps),
        { ...job(deps, plan, slice, options), sequenceNumber: slice.index + 1 },
        deps.denoiser,
      ),
    );
  await writeFile(file, Buffer.concat([init(plan), ...segments]));
  return file;
}
