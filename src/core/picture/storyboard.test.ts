import { describe, expect, it } from 'vitest';
import { planRevision } from '../plan.js';
import { revisionRecord, sourceInfo } from '../../../test/helpers/records.js';
import { planStoryboard, renderStoryboardJson, renderStoryboardVtt } from './storyboard.js';

const planOf = (duration: number, width = 1920, height = 1080) =>
  planRevision(revisionRecord([sourceInfo({ duration, width, height })]), { segmentDuration: 4 });
const sheetName = (n: number) => `storyboard/${n}.jpg`;

describe('planStoryboard', () => {
  it.each([
    // duration, seconds a tile stands for, tiles, sheets
    [4, 2, 2, 1],
    [60, 2, 30, 1],
    [600, 5, 120, 2],
    [3600, 30, 120, 2],
    [36_000, 300, 120, 2],
  ])(
    'tiles a %i s revision every %i s: %i tiles on %i sheet(s), within the bound',
    (duration, every, count, sheets) => {
      const board = planStoryboard(planOf(duration));
      expect(board.tileFrames).toBe(every * 30);
      expect(board.tiles).toHaveLength(count);
      expect(board.sheets).toBe(sheets);
    },
  );

  it('covers every output frame once, back to back, and lays tiles out 10 by 10 on each sheet', () => {
    const plan = planOf(600);
    const board = planStoryboard(plan);
    expect(board.tiles[0]!.startFrame).toBe(0);
    for (let i = 1; i < board.tiles.length; i++) expect(board.tiles[i]!.startFrame).toBe(board.tiles[i - 1]!.endFrame);
    expect(board.tiles.at(-1)!.endFrame).toBe(plan.grid.frameCount);
    expect(board.tiles[11]).toMatchObject({ sheet: 0, x: 160, y: 90 });
    expect(board.tiles[100]).toMatchObject({ sheet: 1, x: 0, y: 0 });
    expect([board.tileWidth, board.tileHeight]).toEqual([160, 90]);
  });

  it('takes the tile height from the canvas (portrait), even', () => {
    expect(planStoryboard(planOf(10, 1080, 1920)).tileHeight).toBe(284);
  });
});

describe('the storyboard files', () => {
  const board = planStoryboard(planOf(5));

  it('is WebVTT of back-to-back cues, each a sheet and a box', () => {
    expect(renderStoryboardVtt(board, sheetName)).toBe(
      'WEBVTT\n\n' +
        '00:00:00.000 --> 00:00:02.000\nstoryboard/0.jpg#xywh=0,0,160,90\n\n' +
        '00:00:02.000 --> 00:00:04.000\nstoryboard/0.jpg#xywh=160,0,160,90\n\n' +
        '00:00:04.000 --> 00:00:05.000\nstoryboard/0.jpg#xywh=320,0,160,90\n',
    );
  });

  it('is the same tiles as JSON', () => {
    expect(JSON.parse(renderStoryboardJson(board, sheetName))).toEqual({
      tile_width: 160,
      tile_height: 90,
      duration: 5,
      tiles: [
        { start: 0, end: 2, url: 'storyboard/0.jpg', x: 0, y: 0 },
        { start: 2, end: 4, url: 'storyboard/0.jpg', x: 160, y: 0 },
        { start: 4, end: 5, url: 'storyboard/0.jpg', x: 320, y: 0 },
      ],
    });
  });
});
