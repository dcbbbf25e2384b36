import { describe, expect, it } from 'vitest';
import { DENOISE_LAG_SAMPLES } from '../../../core/audio/denoise-plan.js';
import { denoiseRuns } from './denoise-runs.js';
import type { Denoiser } from './denoiser.js';

/** RNNoise's contract without RNNoise: the input delayed by its lag, halved; records what it heard. */
function fakeDenoiser(): Denoiser & { heard: Float32Array[] } {
  const heard: Float32Array[] = [];
  return {
    heard,
    async denoise(samples) {
      heard.push(samples.slice());
      const out = new Float32Array(samples.length);
      for (let i = DENOISE_LAG_SAMPLES; i < samples.length; i++) out[i] = samples[i - DENOISE_LAG_SAMPLES]! / 2;
      return out;
    },
    async close() {},
  };
}

/** Interleaved stereo where left = position, right = −position (position = pcmFrom + index). */
function ramp(from: number, length: number): Float32Array {
  const pcm = new Float32Array(length * 2);
  for (let i = 0; i < length; i++) [pcm[2 * i], pcm[2 * i + 1]] = [from + i, -(from + i)];
  return pcm;
}

describe('denoiseRuns', () => {
  it('replaces exactly the region, with the lag removed, channels apart', async () => {
    const pcm = ramp(1000, 8000);
    const denoiser = fakeDenoiser();
    await denoiseRuns(
      pcm,
      1000,
      [{ from: 3000, to: 5000, stateFrom: 1960, clipEnd: 9000, mono: false }],
      denoiser,
      1000,
    );
    for (const t of [1000, 2999, 5000, 8999]) expect([pcm[2 * (t - 1000)], pcm[2 * (t - 1000) + 1]]).toEqual([t, -t]);
    for (const t of [3000, 4000, 4999]) expect([pcm[2 * (t - 1000)], pcm[2 * (t - 1000) + 1]]).toEqual([t / 2, -t / 2]);
    // RNNoise heard from its fresh start, in whole 480-sample frames, through the lag.
    expect(denoiser.heard).toHaveLength(2);
    expect(denoiser.heard[0]![0]).toBe(1960);
    expect(denoiser.heard[0]!.length % 480).toBe(0);
    expect(denoiser.heard[0]!.length).toBeGreaterThanOrEqual(5000 - 1960 + DENOISE_LAG_SAMPLES);
  });

  it('feeds silence past the clip end, and denoises a mono clip once into both channels', async () => {
    const pcm = ramp(0, 6000);
    const denoiser = fakeDenoiser();
    await denoiseRuns(pcm, 0, [{ from: 480, to: 2000, stateFrom: 0, clipEnd: 2000, mono: true }], denoiser, 1000);
    expect(denoiser.heard).toHaveLength(1);
    expect(Array.from(denoiser.heard[0]!.subarray(1998, 2002))).toEqual([1998, 1999, 0, 0]);
    expect([pcm[2 * 1500], pcm[2 * 1500 + 1]]).toEqual([750, 750]);
  });

  it('denoises identical channels once', async () => {
    const pcm = ramp(0, 6000).map((v) => Math.abs(v));
    const denoiser = fakeDenoiser();
    await denoiseRuns(pcm, 0, [{ from: 480, to: 2000, stateFrom: 0, clipEnd: 6000, mono: false }], denoiser, 1000);
    expect(denoiser.heard).toHaveLength(1);
    expect([pcm[2 * 1500], pcm[2 * 1500 + 1]]).toEqual([750, 750]);
  });

  it('crossfades two runs where one hands over to the next', async () => {
    const pcm = ramp(0, 6000);
    const denoiser = fakeDenoiser();
    const fade = { from: 2000, to: 2480 };
    await denoiseRuns(
      pcm,
      0,
      [
        { stateFrom: 0, from: 480, to: 2480, fadeOut: fade, clipEnd: 9000, mono: false },
        { stateFrom: 960, from: 2000, to: 4000, fadeIn: fade, clipEnd: 9000, mono: false },
      ],
      denoiser,
      1000,
    );
    // Both runs see the same ramp, so any crossfade of them is the ramp, halved.
    for (const t of [480, 1999, 2000, 2240, 2479, 2480, 3999]) expect(pcm[2 * t]).toBeCloseTo(t / 2, 3);
    expect(pcm[2 * 4000]).toBe(4000);
  });

  it('refuses a run whose warm-up was not decoded', async () => {
    await expect(
      denoiseRuns(
        ramp(1000, 2000),
        1000,
        [{ from: 1500, to: 2000, stateFrom: 500, clipEnd: 9000, mono: false }],
        fakeDenoiser(),
        1000,
      ),
    ).rejects.toThrow(RangeError);
  });
});
