import { describe, expect, it } from 'vitest';
import { DEFAULT_SCENE, sceneOf, type LayoutEntry } from '../edits/layouts.js';
import { compose, shapeAlpha } from './layout.js';

const HD = { width: 1280, height: 720 };
const PORTRAIT = { width: 720, height: 1280 };
const boxes = (entry: LayoutEntry, canvas = HD) =>
  compose(sceneOf(entry), canvas).layers.map((l) => [l.track, l.box.x, l.box.y, l.box.width, l.box.height, l.fit]);

describe('layouts as layers', () => {
  it.each([
    [
      'the default bubble: bottom-left, a quarter of the height, 3% margin',
      { at: 0, layout: 'bubble' },
      HD,
      [
        ['screen', 0, 0, 1280, 720, 'contain'],
        ['camera', 22, 518, 180, 180, 'cover'],
      ],
    ],
    [
      'a bubble top-right',
      { at: 0, layout: 'bubble', corner: 'top-right', size: 0.3, margin: 0.05 },
      HD,
      [
        ['screen', 0, 0, 1280, 720, 'contain'],
        ['camera', 1028, 36, 216, 216, 'cover'],
      ],
    ],
    [
      'a bubble stays round on a portrait canvas: its side is of the height',
      { at: 0, layout: 'bubble' },
      PORTRAIT,
      [
        ['screen', 0, 0, 720, 1280, 'contain'],
        ['camera', 38, 922, 320, 320, 'cover'],
      ],
    ],
    ['the camera alone covers the canvas', { at: 0, layout: 'camera' }, HD, [['camera', 0, 0, 1280, 720, 'cover']]],
    [
      'split: side by side',
      { at: 0, layout: 'split' },
      HD,
      [
        ['screen', 0, 0, 640, 720, 'contain'],
        ['camera', 640, 0, 640, 720, 'contain'],
      ],
    ],
    [
      'split: one above the other on a portrait canvas',
      { at: 0, layout: 'split' },
      PORTRAIT,
      [
        ['screen', 0, 0, 720, 640, 'contain'],
        ['camera', 0, 640, 720, 640, 'contain'],
      ],
    ],
  ] as const)('%s', (_name, entry, canvas, expected) => {
    expect(boxes(entry as LayoutEntry, canvas)).toEqual(expected);
  });

  it('gives each shape its radius, and the border in pixels of the canvas height', () => {
    const camera = (entry: LayoutEntry) => compose(sceneOf(entry), HD).layers[1]!;
    expect(camera({ at: 0, layout: 'bubble' })).toMatchObject({ shape: 'circle', radius: 90 });
    expect(camera({ at: 0, layout: 'bubble', shape: 'rounded' })).toMatchObject({ radius: 36 });
    expect(camera({ at: 0, layout: 'bubble', shape: 'square', mirror: true })).toMatchObject({
      radius: 0,
      mirror: true,
    });
    expect(camera({ at: 0, layout: 'bubble', border: { width: 0.01, color: '#ffffff' } }).border).toEqual({
      width: 8,
      color: '#ffffff',
    });
    expect(compose(DEFAULT_SCENE, HD).layers).toHaveLength(2);
  });

  it('draws a circle: opaque at its centre, clear at its box’s corners, a one-pixel ramp on its edge', () => {
    const alpha = (x: number, y: number, expr = shapeAlpha(100, 50)) =>
      Function(
        'X',
        'Y',
        'max',
        'abs',
        'hypot',
        'clip',
        `return ${expr}`,
      )(x, y, Math.max, Math.abs, Math.hypot, (v: number, lo: number, hi: number) =>
        Math.min(hi, Math.max(lo, v)),
      ) as number;
    expect(alpha(50, 50)).toBe(255);
    expect(alpha(0, 0)).toBe(0);
    expect(alpha(99, 99)).toBe(0);
    expect(alpha(49, 0)).toBeGreaterThan(100);
    // Inside a 10-pixel border: clear on the ring.
    expect(alpha(50, 5, shapeAlpha(100, 50, 10))).toBe(0);
    expect(alpha(50, 15, shapeAlpha(100, 50, 10))).toBe(255);
  });
});
