import { describe, expect, it } from 'vitest';
import { AAC_POSTROLL_FRAMES, AAC_PREROLL_FRAMES, planAudioChunk } from './audio-chunk.js';
import {
  DENOISE_CROSSFADE_SAMPLES,
  DENOISE_FRAME_SAMPLES,
  DENOISE_HANDOVER_BEFORE_JOIN,
  DENOISE_LAG_SAMPLES,
  DENOISE_WARMUP_SAMPLES,
} from './denoise-plan.js';
import { AAC_FRAME_SAMPLES } from '../timeline/media-units.js';
import { planRevision } from '../plan.js';
import type { Clip, SourceInfo } from '../types.js';
import { revisionRecord, sourceInfo, STEREO_AAC } from '../../../test/helpers/records.js';

const source = (key: string, duration: number, audio: SourceInfo['audio'] | null = STEREO_AAC, startTime = 0) =>
  sourceInfo({ key, duration, width: 1920, height: 1080, audio, startTime });

function plan(clips: Clip[], sources: SourceInfo[], noiseSuppression = false) {
  return planRevision(revisionRecord(sources, { id: 'r', clips, noiseSuppression }), { segmentDuration: 4 });
}

const tenMinutes = plan([{ source: 'long.mp4' }], [source('long.mp4', 600)]);
const slice = (p: typeof tenMinutes, i: number) => p.audio!.slices[i]!;
const frames = (n: number) => n * AAC_FRAME_SAMPLES;

describe('planAudioChunk', () => {
  it('starts the first chunk at 0 with no preroll, and runs the encoder past its end', () => {
    const s = slice(tenMinutes, 0);
    const chunk = planAudioChunk(tenMinutes, s);
    expect(chunk).toMatchObject({
      firstFrame: 0,
      skipFrames: 0,
      encodeFrom: 0,
      encodeTo: frames(s.frameCount + AAC_POSTROLL_FRAMES),
    });
    expect([chunk.decodeFrom, chunk.decodeTo]).toEqual([chunk.encodeFrom, chunk.encodeTo]);
    expect(chunk.pieces).toEqual([expect.objectContaining({ from: 0, count: chunk.encodeTo, sourceSample: 0 })]);
    expect(chunk.denoise).toEqual([]);
  });

  it('reads a far segment from near it: the same work at 9:00 as at 0:04', () => {
    // The first full-length segment (the two before it are the start-up ramp's).
    const near = planAudioChunk(tenMinutes, slice(tenMinutes, 2));
    const index = tenMinutes.audio!.slices.findIndex((s) => s.start >= 540);
    const far = planAudioChunk(tenMinutes, slice(tenMinutes, index));
    expect(far.skipFrames).toBe(AAC_PREROLL_FRAMES);
    expect(far.encodeFrom).toBe(frames(far.firstFrame - AAC_PREROLL_FRAMES));
    expect(far.pieces).toHaveLength(1);
    expect(far.pieces[0]!.sourceSample / 48000).toBeGreaterThan(539.9);
    expect(far.decodeTo - far.decodeFrom).toBe(near.decodeTo - near.decodeFrom);
  });

  it('never decodes more than its frames, the encoder preroll and postroll, and RNNoise warm-up and lag', () => {
    const denoised = plan([{ source: 'long.mp4' }], [source('long.mp4', 600)], true);
    for (const p of [tenMinutes, denoised]) {
      for (const s of p.audio!.slices) {
        const chunk = planAudioChunk(p, s);
        const warmup =
          DENOISE_HANDOVER_BEFORE_JOIN +
          DENOISE_CROSSFADE_SAMPLES +
          DENOISE_WARMUP_SAMPLES +
          DENOISE_FRAME_SAMPLES +
          DENOISE_LAG_SAMPLES;
        const bound = frames(s.frameCount + AAC_PREROLL_FRAMES + AAC_POSTROLL_FRAMES) + (p === denoised ? warmup : 0);
        expect(chunk.decodeTo - chunk.decodeFrom).toBeLessThanOrEqual(bound);
        // The kept frames are where the slice says, after the dropped preroll.
        expect(chunk.encodeFrom + frames(chunk.skipFrames)).toBe(frames(s.firstFrame));
      }
    }
  });

  it('counts source samples from the span start, so a chunk lands on the samples a run from the start would', () => {
    const p = plan([{ source: 'a.mp4', start: 1.2345 }], [source('a.mp4', 60, undefined, 0.0213)]);
    const spanStart = Math.round((0.0213 + 1.2345) * 48000);
    for (const i of [0, 3, 7]) {
      const chunk = planAudioChunk(p, slice(p, i));
      expect(chunk.pieces[0]!.sourceSample).toBe(spanStart + chunk.pieces[0]!.from);
    }
  });

  it('splits a chunk across a cut into pieces, each on its own span', () => {
    const p = plan([{ source: 'a.mp4', cuts: [[3, 5]] }], [source('a.mp4', 60)]);
    // Output 3 s is where the cut joins 3 s to 5 s of the source.
    const s = p.audio!.slices.find((x) => x.start < 3 && x.start + x.duration > 3)!;
    const chunk = planAudioChunk(p, s);
    expect(chunk.pieces.map((x) => [x.from, x.count, x.sourceSample])).toEqual([
      [chunk.decodeFrom, 3 * 48000 - chunk.decodeFrom, chunk.decodeFrom],
      [3 * 48000, chunk.decodeTo - 3 * 48000, 5 * 48000],
    ]);
  });

  it('leaves clips without audio silent: no piece, no denoising', () => {
    const p = plan(
      [{ source: 'a.mp4', end: 2 }, { source: 'silent.mp4' }],
      [source('a.mp4', 10), source('silent.mp4', 10, null)],
      true,
    );
    const s = p.audio!.slices.at(-1)!;
    const chunk = planAudioChunk(p, s);
    expect(chunk.pieces).toEqual([]);
    expect(chunk.denoise).toEqual([]);
  });

  it('denoises only the clips that ask, from their own start, and decodes what their runs hear', () => {
    const p = plan(
      [{ source: 'intro.mp4', end: 3, noiseSuppression: false }, { source: 'talk.mp4' }],
      [
        source('intro.mp4', 10),
        source('talk.mp4', 120, { codec: 'aac', sampleRate: 44100, channels: 1, startTime: 0 }),
      ],
      true,
    );
    const clipStart = 3 * 48000;
    const early = planAudioChunk(
      p,
      p.audio!.slices.find((x) => x.start <= 3 && x.start + x.duration > 3)!,
    );
    expect(early.denoise[0]).toMatchObject({ from: clipStart, stateFrom: clipStart, clipEnd: 123 * 48000, mono: true });
    // RNNoise never hears the intro, which is not denoised.
    expect(early.decodeFrom).toBe(early.encodeFrom);

    const later = planAudioChunk(p, slice(p, 10));
    expect(later.denoise.map((r) => r.from)).toEqual([later.encodeFrom, expect.any(Number)]);
    expect(later.decodeFrom).toBe(Math.min(...later.denoise.map((r) => r.stateFrom)));
    for (const run of later.denoise) expect((run.stateFrom - clipStart) % DENOISE_FRAME_SAMPLES).toBe(0);
    expect(later.decodeTo - later.encodeTo).toBeGreaterThanOrEqual(DENOISE_LAG_SAMPLES);
    expect(later.decodeTo - later.encodeTo).toBeLessThan(DENOISE_LAG_SAMPLES + DENOISE_FRAME_SAMPLES);
  });

  it('lets RNNoise hear only its own clip past the end, not the next one', () => {
    const p = plan(
      [
        { source: 'talk.mp4', end: 4.2 },
        { source: 'outro.mp4', noiseSuppression: false },
      ],
      [source('talk.mp4', 10), source('outro.mp4', 10)],
      true,
    );
    const s = p.audio!.slices.find((x) => x.start < 4.2 && x.start + x.duration > 4.2)!;
    const chunk = planAudioChunk(p, s);
    expect(chunk.denoise.at(-1)).toMatchObject({ to: 4.2 * 48000, clipEnd: 4.2 * 48000, mono: false });
    expect(chunk.decodeTo).toBe(chunk.encodeTo);
  });

  it('refuses an empty or fractional frame range', () => {
    expect(() => planAudioChunk(tenMinutes, { firstFrame: 0, frameCount: 0 })).toThrow(RangeError);
    expect(() => planAudioChunk(tenMinutes, { firstFrame: 1.5, frameCount: 3 })).toThrow(RangeError);
  });
});
