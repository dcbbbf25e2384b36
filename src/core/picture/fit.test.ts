import { describe, expect, it } from 'vitest';
import { fitInside, sourceMatrix } from './fit.js';

describe('fitInside', () => {
  it.each([
    ['the same aspect fills the canvas', [1920, 1080], [1280, 720], { width: 1280, height: 720, x: 0, y: 0 }],
    ['within 1% still fills it', [642, 362], [638, 360], { width: 638, height: 360, x: 0, y: 0 }],
    ['portrait in landscape: pillarbox', [360, 640], [1280, 720], { width: 404, height: 720, x: 438, y: 0 }],
    ['landscape in portrait: letterbox', [640, 360], [360, 640], { width: 360, height: 202, x: 0, y: 218 }],
    ['4:3 in 16:9', [640, 480], [1280, 720], { width: 960, height: 720, x: 160, y: 0 }],
    ['odd margins stay even', [1000, 1000], [1280, 722], { width: 722, height: 722, x: 278, y: 0 }],
  ] as const)('%s', (_name, [w, h], [cw, ch], expected) => {
    const placed = fitInside({ width: w, height: h }, { width: cw, height: ch });
    expect(placed).toEqual(expected);
    for (const v of Object.values(placed)) expect(v % 2).toBe(0);
    expect(placed.x + placed.width).toBeLessThanOrEqual(cw);
    expect(placed.y + placed.height).toBeLessThanOrEqual(ch);
  });
});

describe('sourceMatrix', () => {
  it.each([
    ['what the source says', { matrix: 'bt709', displayWidth: 640, displayHeight: 360 }, '709'],
    ['BT.601 said as smpte170m', { matrix: 'smpte170m', displayWidth: 1920, displayHeight: 1080 }, '170m'],
    ['unsaid, SD: BT.601', { displayWidth: 640, displayHeight: 480 }, '170m'],
    ['unsaid, portrait SD: by its short side', { displayWidth: 480, displayHeight: 854 }, '170m'],
    ['unsaid, HD: BT.709', { displayWidth: 1280, displayHeight: 720 }, '709'],
    ['a matrix zimg does not know: by size', { matrix: 'reserved', displayWidth: 1920, displayHeight: 1080 }, '709'],
  ])('%s', (_name, video, expected) => expect(sourceMatrix(video)).toBe(expected));
});
