import { describe, expect, it } from 'vitest';

/** The scrub bar's pure helpers (a browser module without types: imported by a path TypeScript does not resolve). */
interface Board {
  tile_width: number;
  tile_height: number;
  tiles: Array<{ start: number; end: number; url: string; x: number; y: number }>;
}
interface ScrubBarModule {
  tileAt(board: Board | undefined, t: number): Board['tiles'][number] | undefined;
  tileStyle(board: Board | undefined, t: number, jsonUrl: string): Record<string, string> | undefined;
  clockText(seconds: number): string;
  fractionAt(clientX: number, box: { left: number; width: number }, thumb: number): number;
}
const scrub = (await import('./scrub-bar.js' as string)) as ScrubBarModule;

/** Three 2 s tiles of a 5 s revision, the last on a second sheet (as a 100-tile sheet would wrap). */
const BOARD: Board = {
  tile_width: 160,
  tile_height: 90,
  tiles: [
    { start: 0, end: 2, url: 'storyboard/0.jpg', x: 0, y: 0 },
    { start: 2, end: 4, url: 'storyboard/0.jpg', x: 160, y: 0 },
    { start: 4, end: 5, url: 'storyboard/1.jpg', x: 0, y: 0 },
  ],
};
const JSON_URL = 'http://127.0.0.1:8080/play/abc/storyboard.json';

describe('the scrub bar', () => {
  it.each([
    ['the start', 0, 0],
    ['inside the first tile', 1.999, 0],
    ['a tile boundary: the tile that starts there', 2, 1],
    ['the last tile', 4.5, 2],
    ['the end', 5, 2],
    ['past the end: the last tile', 7, 2],
  ])('finds the tile of %s', (_name, t, index) => {
    expect(scrub.tileAt(BOARD, t)).toBe(BOARD.tiles[index]);
  });

  it('has no tile without a storyboard', () => {
    expect(scrub.tileAt(undefined, 1)).toBeUndefined();
    expect(scrub.tileAt({ ...BOARD, tiles: [] }, 1)).toBeUndefined();
    expect(scrub.tileStyle(undefined, 1, JSON_URL)).toBeUndefined();
  });

  it("draws a tile as its sheet, resolved against the JSON's URL, at the tile's place and size", () => {
    expect(scrub.tileStyle(BOARD, 3, JSON_URL)).toEqual({
      backgroundImage: 'url("http://127.0.0.1:8080/play/abc/storyboard/0.jpg")',
      backgroundPosition: '-160px 0px',
      width: '160px',
      height: '90px',
    });
    expect(scrub.tileStyle(BOARD, 4, JSON_URL)!.backgroundImage).toBe(
      'url("http://127.0.0.1:8080/play/abc/storyboard/1.jpg")',
    );
  });

  it.each([
    [0, '0:00.0'],
    [1.54, '0:01.5'],
    [59.96, '1:00.0'],
    [754.3, '12:34.3'],
    [3600, '1:00:00.0'],
    [36_061.25, '10:01:01.3'],
    [-1, '0:00.0'],
  ])('reads %s s out as %s', (seconds, text) => {
    expect(scrub.clockText(seconds)).toBe(text);
  });

  it.each([
    ['the left end, under the thumb', 106, 0],
    ['the centre', 300, 0.5],
    ['a quarter of the way the thumb travels', 106 + 97, 0.25],
    ['the right end', 500, 1],
    ['left of the bar', 0, 0],
    ['right of the bar', 900, 1],
  ])('maps the pointer at %s to the value a click there gives', (_name, x, fraction) => {
    // A 400 px bar from x = 100 with a 12 px thumb: the thumb's centre travels 106 … 494.
    expect(scrub.fractionAt(x, { left: 100, width: 400 }, 12)).toBeCloseTo(fraction, 9);
  });
});
