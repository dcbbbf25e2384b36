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
  it('cuts 30 fps into 128-frame (4.2667 s) segments', () => {
    const grid = planSegmentGrid(300, 30, 4);
    expect(grid.segmentFrames).toBe(128);
    expect(grid.segments.map((s) => s.frameCount)).toEqual([128, 172]); // 44-frame tail joins the last
    expect(grid.segments[1]!.start).toBeCloseTo(128 / 30, 12);
  });

  it('keeps a tail of at least half a segment as its own segment', () => {
    const grid = planSegmentGrid(128 * 2 + 64, 30, 4);
    expect(grid.segments.map((s) => s.frameCount)).toEqual([128, 128, 64]);
  });

  it('gives a clip shorter than one segment a single segment', () => {
    expect(planSegmentGrid(10, 30, 4).segments).toEqual([{ index: 0, startFrame: 0, frameCount: 10, start: 0, duration: 10 / 30 }]);
  });

  it('uses 4.16 s at 25 fps (13 units of 0.32 s) and 2.6667 s multiples at 24 fps', () => {
    expect(planSegmentGrid(1000, 25, 4).segmentFrames).toBe(104);
    expect(planSegmentGrid(1000, 25, 3.84).segmentFrames).toBe(96);
    expect(planSegmentGrid(1000, 24, 4).segmentFrames).toBe(128); // 1.5 units rounds up: 5.33 s
    expect(planSegmentGrid(1000, 24, 3).segmentFrames).toBe(64);
    expect(planSegmentGrid(1000, 24, 6).segmentFrames).toBe(128);
  });

  it('covers every frame exactly once', () => {
    for (const frames of [1, 127, 128, 129, 191, 192, 193, 1000, 12345]) {
      const grid = planSegmentGrid(frames, 30, 4);
      let next = 0;
      for (const s of grid.segments) {
        expect(s.startFrame).toBe(next);
        next += s.frameCount;
      }
      expect(next).toBe(frames);
      // No segment but a lone one is under half a segment.
      if (grid.segments.length > 1) expect(Math.min(...grid.segments.map((s) => s.frameCount))).toBeGreaterThanOrEqual(64);
    }
  });

  it('refuses an empty timeline', () => {
    expect(() => planSegmentGrid(0, 30, 4)).toThrow(RangeError);
  });
});

describe('planAudioSlices', () => {
  it('puts audio boundaries on the video boundaries, in whole AAC frames', () => {
    const grid = planSegmentGrid(300, 30, 4);
    const slices = planAudioSlices(grid);
    expect(slices.map((s) => [s.firstFrame, s.frameCount])).toEqual([
      [0, 200],
      [200, 269],
    ]);
    expect(slices[1]!.start).toBeCloseTo(grid.segments[1]!.start, 12);
    expect(audioFrameCount(grid)).toBe(469); // ceil(10 s × 46.875)
  });

  it('is contiguous and covers the whole video duration', () => {
    for (const [frames, fps] of [[1, 30], [250, 25], [1001, 24], [777, 60]] as const) {
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
