import { describe, expect, it } from 'vitest';
import { samplesPerVideoFrame } from './media-units.js';
import { READ_MARGIN_SECONDS, sourceTime, type OutputRange, type SourceTime } from './source-time.js';

/** The read window of a range starting at `seconds` of the source and lasting `length` seconds. */
const window = (seconds: number, length: number) => ({
  from: seconds - READ_MARGIN_SECONDS,
  to: seconds + length + READ_MARGIN_SECONDS,
});

/** The frame rates a plan can have (segment-grid's standard rates). */
const OUTPUT_RATES = [24, 25, 30, 48, 50, 60];

describe('sourceTime', () => {
  it.each<[string, { sourceStart: number; outputFrame: number }, number, OutputRange, SourceTime]>([
    [
      'the first frames of a whole source',
      { sourceStart: 0, outputFrame: 0 },
      30,
      { frame: 0, frames: 64 },
      { seconds: 0, sample: 0, offset: 0, read: window(0, 64 / 30) },
    ],
    [
      'frames of a trim that starts 2.3 s into its source',
      { sourceStart: 2.3, outputFrame: 0 },
      30,
      { frame: 64, frames: 56 },
      { seconds: 2.3 + 64 / 30, sample: 110400 + 64 * 1600, offset: -2.3, read: window(2.3 + 64 / 30, 56 / 30) },
    ],
    [
      'frames after a cut: the span resumes at 5 s of the source at output 3 s',
      { sourceStart: 5, outputFrame: 90 },
      30,
      { frame: 100, frames: 20 },
      { seconds: 5 + 10 / 30, sample: 240000 + 10 * 1600, offset: -2, read: window(5 + 10 / 30, 20 / 30) },
    ],
    [
      'audio samples after the same cut',
      { sourceStart: 5, outputFrame: 90 },
      30,
      { sample: 150000, samples: 10240 },
      { seconds: 5.125, sample: 246000, offset: -2, read: window(5.125, 10240 / 48000) },
    ],
    [
      'a later clip: its source starts at 3 ms and shows from output frame 147',
      { sourceStart: 0.003, outputFrame: 147 },
      30,
      { frame: 160, frames: 28 },
      {
        seconds: 0.003 + 13 / 30,
        sample: 144 + 13 * 1600,
        offset: 147 / 30 - 0.003,
        read: window(0.003 + 13 / 30, 28 / 30),
      },
    ],
    [
      'frames at 24 fps (2000 samples a frame)',
      { sourceStart: 1.042, outputFrame: 0 },
      24,
      { frame: 162, frames: 64 },
      {
        seconds: 1.042 + 162 / 24,
        sample: 50016 + 162 * 2000,
        offset: -1.042,
        read: window(1.042 + 162 / 24, 64 / 24),
      },
    ],
    [
      'samples of a span that starts between two samples: its start is rounded once',
      { sourceStart: 1.2558, outputFrame: 0 },
      25,
      { sample: 96000, samples: 1 },
      { seconds: 1.2558 + 2, sample: 60278 + 96000, offset: -1.2558, read: window(1.2558 + 2, 1 / 48000) },
    ],
  ])('%s', (_name, span, fps, range, expected) => {
    expect(sourceTime(span, fps, range)).toEqual(expected);
  });

  it('gives a frame and its first sample the same instant, to the bit, at every output rate', () => {
    for (const fps of OUTPUT_RATES) {
      const perFrame = samplesPerVideoFrame(fps);
      for (const span of [
        { sourceStart: 0, outputFrame: 0 },
        { sourceStart: 4.609999999999999, outputFrame: 0 },
        { sourceStart: 12.21, outputFrame: 568 },
        { sourceStart: 0.0333, outputFrame: 317 },
      ]) {
        for (let frame = span.outputFrame; frame < span.outputFrame + 20_000; frame += 211) {
          const byFrame = sourceTime(span, fps, { frame, frames: 64 });
          expect(byFrame).toEqual(sourceTime(span, fps, { sample: frame * perFrame, samples: 64 * perFrame }));
          // What counting in frames alone gives: the segment maker's arithmetic before this function.
          expect(byFrame.seconds).toBe(span.sourceStart + (frame - span.outputFrame) / fps);
          expect(byFrame.read.to).toBe(byFrame.seconds + 64 / fps + READ_MARGIN_SECONDS);
        }
      }
    }
  });

  it('counts whole samples from the span start, wherever a range starts in the span', () => {
    const span = { sourceStart: 0.0213 + 1.2345, outputFrame: 40 };
    const start = sourceTime(span, 30, { frame: 40, frames: 1 }).sample;
    for (const sample of [64000, 64001, 100_003, 2_880_000])
      expect(sourceTime(span, 30, { sample, samples: 1024 }).sample).toBe(start + sample - 64000);
  });

  it('refuses a frame rate whose frames are not whole samples', () => {
    expect(() => sourceTime({ sourceStart: 0, outputFrame: 0 }, 29.97, { frame: 0, frames: 1 })).toThrow(RangeError);
  });
});
