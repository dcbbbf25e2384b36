import { describe, expect, it } from 'vitest';
import { audioFrameCount, gridUnitFrames, outputFrameRate, planAudioSlices, planSegmentGrid } from './segment-grid.js';

describe('outputFrameRate', () => {
  it.each([
    [30, 30],
    [29.97, 30],
    [23.976, 24],
    [25, 25],
    [28.6, 30], // a browser recorder's uneven average
    [59.94, 60],
    [12, 24],
    [0, 30],
    [1000, 30], // Matroska's time base reported as a rate
    [Number.NaN, 30],
  ])('%s fps → %s', (source, expected) => expect(outputFrameRate(source)).toBe(expected));
});

describe('gridUnitFrames', () => {
  it.each([
    [30, 16], // 0.5333 s = 25 AAC frames
    [25, 8], // 0.32 s = 15 AAC frames
    [24, 64], // 2.6667 s = 125 AAC frames
    [60, 32],
    [50, 16],
    [48, 128],
  ])('%s fps: %s frames', (fps, frames) => {
    expect(gridUnitFrames(fps)).toBe(frames);
    // The unit spans a whole number of AAC frames.
    expect(((frames / fps) * 48000) % 1024).toBe(0);
  });
});

describe('planSegmentGrid', () => {
  const lengths = (frames: number, fps: number, target = 4) =>
    planSegmentGrid(frames, fps, target).segments.map((s) => s.frameCount);

  it('starts with two 2.13 s segments, then 4.27 s ones at 30 fps', () => {
    const grid = planSegmentGrid(1800, 30, 4);
    expect(grid.segmentFrames).toBe(128);
    expect(grid.segments.slice(0, 4).map((s) => s.frameCount)).toEqual([64, 64, 128, 128]);
    expect(grid.segments[3]!.start).toBeCloseTo(256 / 30, 12);
    // 1800 = 2 × 64 + 13 × 128 + 8: the 8-frame tail is under half a segment, so it joins the last.
    expect(grid.segments.at(-1)!.frameCount).toBe(136);
  });

  it('rounds the ramp up to whole grid units at 25 and 24 fps', () => {
    expect(lengths(1000, 25).slice(0, 3)).toEqual([56, 56, 104]); // 2.24 s twice, then 4.16 s
    expect(lengths(1000, 24).slice(0, 3)).toEqual([64, 64, 128]); // one 2.67 s unit twice, then 5.33 s
  });

  it('skips ramp steps that are not shorter than the target', () => {
    expect(lengths(320, 30, 1)).toEqual([32, 32, 32, 32, 32, 32, 32, 32, 32, 32]);
    expect(lengths(300, 30, 2)).toEqual([64, 64, 64, 64, 44]);
  });

  it('keeps a tail of at least half its segment, and merges a shorter one', () => {
    expect(lengths(64 + 64 + 128 + 64, 30)).toEqual([64, 64, 128, 64]);
    expect(lengths(64 + 64 + 128 + 63, 30)).toEqual([64, 64, 191]);
    expect(lengths(120, 30)).toEqual([64, 56]); // 4 s: a 1.87 s tail is over half of the 2 s step
  });

  it('gives a clip shorter than the first step a single segment', () => {
    expect(planSegmentGrid(10, 30, 4).segments).toEqual([
      { index: 0, startFrame: 0, frameCount: 10, start: 0, duration: 10 / 30 },
    ]);
  });

  it('covers every frame exactly once, on grid units, with no segment under 1 s but the last', () => {
    for (const [frames, fps] of [
      [1, 30],
      [127, 30],
      [128, 30],
      [193, 30],
      [1000, 25],
      [12345, 30],
      [999, 24],
      [5000, 60],
    ] as const) {
      const grid = planSegmentGrid(frames, fps, 4);
      let next = 0;
      for (const s of grid.segments) {
        expect(s.startFrame).toBe(next);
        expect(s.startFrame % gridUnitFrames(fps)).toBe(0);
        next += s.frameCount;
      }
      expect(next).toBe(frames);
      for (const s of grid.segments.slice(0, -1)) expect(s.duration).toBeGreaterThanOrEqual(1);
    }
  });

  it('refuses an empty timeline', () => {
    expect(() => planSegmentGrid(0, 30, 4)).toThrow(RangeError);
  });
});

describe('planAudioSlices', () => {
  it('puts audio boundaries on the video boundaries, in whole AAC frames', () => {
    const grid = planSegmentGrid(300, 30, 4); // 64, 64, 172 frames
    const slices = planAudioSlices(grid);
    expect(slices.map((s) => [s.firstFrame, s.frameCount])).toEqual([
      [0, 100],
      [100, 100],
      [200, 269],
    ]);
    expect(slices[2]!.start).toBeCloseTo(grid.segments[2]!.start, 12);
    expect(audioFrameCount(grid)).toBe(469); // ceil(10 s × 46.875)
  });

  it('is contiguous and covers the whole video duration', () => {
    for (const [frames, fps] of [
      [1, 30],
      [250, 25],
      [1001, 24],
      [777, 60],
    ] as const) {
      const grid = planSegmentGrid(frames, fps, 4);
      const slices = planAudioSlices(grid);
      let next = 0;
      for (const s of slices) {
        expect(Number.isInteger(s.firstFrame)).toBe(true);
        expect(s.firstFrame).toBe(next);
        next += s.frameCount;
      }
      expect((next * 1024) / 48000).toBeGreaterThanOrEqual(frames / fps);
      expect((next * 1024) / 48000 - frames / fps).toBeLessThan(1024 / 48000);
    }
  });
});
