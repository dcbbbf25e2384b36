import { describe, expect, it } from 'vitest';
import { canonicalEdits, parseEdits, revisionId } from './revision.js';
import {
  checkOverlayTimes,
  colourParts,
  imagePlacement,
  overlayFrames,
  overlaysIn,
  type Overlay,
  type PlannedOverlay,
} from './overlays.js';

const text = (extra: Partial<Overlay> = {}): Overlay =>
  ({ kind: 'text', text: 'hi', x: 0.1, y: 0.1, size: 0.05, ...extra }) as Overlay;

describe('overlay times', () => {
  it.each([
    // [start, end, fps, frames] → [first, end): visible on frames with start ≤ k/fps < end.
    [undefined, undefined, 30, 120, 0, 120],
    [1, 3, 30, 120, 30, 90],
    [1.1, 2.2, 30, 120, 33, 66],
    [0.99, 1.01, 30, 120, 30, 31],
    [1.01, 1.02, 30, 120, 31, 31],
    [0.5, undefined, 25, 100, 13, 100],
    [3, 10, 24, 96, 72, 96],
  ])('start %s end %s at %s fps over %s frames → frames [%s, %s)', (start, end, fps, frames, first, last) => {
    expect(overlayFrames(text({ start, end }), fps, frames)).toEqual({ first, end: last });
  });

  it('refuses a start at or past the end of the video, and an end past it, naming the field', () => {
    expect(() => checkOverlayTimes([text({ start: 4 })], 4)).toThrow(
      expect.objectContaining({ code: 'invalid_edit', field: 'overlays[0].start' }),
    );
    expect(() => checkOverlayTimes([text(), text({ end: 4.5 })], 4)).toThrow(
      expect.objectContaining({ code: 'invalid_edit', field: 'overlays[1].end' }),
    );
    expect(() => checkOverlayTimes([text({ start: 1, end: 4 })], 4)).not.toThrow();
  });

  it('picks the overlays visible in a stretch of frames, in drawing order', () => {
    const planned: PlannedOverlay[] = [
      { index: 0, overlay: text(), first: 30, end: 90 },
      { index: 1, overlay: text(), first: 0, end: 10 },
      { index: 2, overlay: text(), first: 64, end: 64 },
      { index: 3, overlay: text(), first: 60, end: 120 },
    ];
    expect(overlaysIn(planned, 0, 64).map((o) => o.index)).toEqual([0, 1, 3]);
    expect(overlaysIn(planned, 64, 56).map((o) => o.index)).toEqual([0, 3]);
    expect(overlaysIn(planned, 90, 30).map((o) => o.index)).toEqual([3]);
    expect(overlaysIn(planned, 10, 20)).toEqual([]);
  });
});

describe('canonical overlays', () => {
  const id = (body: unknown) => revisionId(canonicalEdits(parseEdits(body)), 'secret-secret-secret');
  const clips = [{ source: 'a.mp4' }];

  it.each([
    [
      'colours in either case and an opaque alpha',
      { kind: 'text', text: 'A', x: 0, y: 0, size: 0.1, color: '#FF0000', background: '#000000FF' },
      { kind: 'text', text: 'A', x: 0, y: 0, size: 0.1, color: '#ff0000', background: '#000000' },
    ],
    [
      'white text said or not',
      { kind: 'text', text: 'A', x: 0, y: 0, size: 0.1, color: '#ffffff' },
      { kind: 'text', text: 'A', x: 0, y: 0, size: 0.1 },
    ],
    [
      'a start of 0 said or not',
      { kind: 'image', source: 'l.png', x: 0, y: 0, width: 0.2, start: 0, opacity: 1 },
      { kind: 'image', source: 'l.png', x: 0, y: 0, width: 0.2 },
    ],
    [
      'stroke colours',
      {
        kind: 'drawing',
        strokes: [
          {
            points: [
              [0, 0],
              [1, 1],
            ],
            color: '#00FF00ff',
            width: 0.01,
          },
        ],
      },
      {
        kind: 'drawing',
        strokes: [
          {
            points: [
              [0, 0],
              [1, 1],
            ],
            color: '#00ff00',
            width: 0.01,
          },
        ],
      },
    ],
  ])('are one revision for %s', (_name, a, b) => {
    expect(id({ clips, overlays: [a] })).toBe(id({ clips, overlays: [b] }));
    expect(id({ clips, overlays: [a] })).not.toBe(id({ clips }));
  });

  it('keep their order: later ones are drawn on top', () => {
    const a = { kind: 'text', text: 'A', x: 0, y: 0, size: 0.1 };
    const b = { kind: 'text', text: 'B', x: 0, y: 0, size: 0.1 };
    expect(id({ clips, overlays: [a, b] })).not.toBe(id({ clips, overlays: [b, a] }));
  });

  it('keep the text exactly as written', () => {
    const edits = canonicalEdits(
      parseEdits({ clips, overlays: [{ kind: 'text', text: '  a\\n%{pts}\n', x: 0, y: 0, size: 0.1 }] }),
    );
    expect(edits.overlays[0]).toMatchObject({ text: '  a\\n%{pts}\n' });
  });
});

describe('colours', () => {
  it.each([
    ['#ff0000', '#ff0000', 1],
    ['#00FF0080', '#00ff00', 128 / 255],
    ['#000000b3', '#000000', 179 / 255],
  ])('%s → %s at opacity %s', (colour, rgb, opacity) => {
    expect(colourParts(colour)).toEqual({ rgb, opacity });
  });
});

describe('image placement', () => {
  const image = { kind: 'image', source: 'l.png', x: 0.7, y: 0.05, width: 0.25 } as const;

  it('scales the whole image when it fits, the height from its aspect ratio', () => {
    expect(imagePlacement(image, { width: 240, height: 120 }, 1280, 720)).toEqual({
      x: 896,
      y: 36,
      source: { width: 240, height: 120 },
      scaled: { width: 320, height: 160 },
      visible: { width: 320, height: 160 },
    });
    expect(imagePlacement(image, { width: 240, height: 120 }, 640, 360)).toMatchObject({
      x: 448,
      y: 18,
      scaled: { width: 160, height: 80 },
    });
  });

  it('scales only the source pixels that show when it runs off the canvas', () => {
    // A tall strip at the full width: 1280 × 40960 scaled, of which 720 rows show.
    const placed = imagePlacement({ ...image, x: 0, y: 0, width: 1 }, { width: 100, height: 3200 }, 1280, 720)!;
    expect(placed.visible).toEqual({ width: 1280, height: 720 });
    expect(placed.source).toEqual({ width: 100, height: 59 });
    expect(placed.scaled.height).toBeGreaterThanOrEqual(720);
    expect(placed.scaled.height).toBeLessThan(800);
  });

  it('is nothing when it starts at the right or bottom edge', () => {
    expect(imagePlacement({ ...image, x: 1 }, { width: 10, height: 10 }, 1280, 720)).toBeUndefined();
  });
});
