import type { Plan } from '../plan.js';

/**
 * A storyboard: the whole revision as small tiles on sprite sheets, with a WebVTT file whose cues
 * cover it (each cue a `sheet.jpg#xywh=x,y,w,h`, as Video.js, Vidstack, Shaka and Mux's player read
 * them) and the same as JSON. Cues are whole output frames; sheets are made independently.
 */

/** Tile width in pixels (the height follows the canvas), and the grid of a sheet. */
export const STORYBOARD = { tileWidth: 160, columns: 10, rows: 10, maxTiles: 200 } as const;

/**
 * Seconds a tile may stand for: the smallest that keeps the storyboard within STORYBOARD.maxTiles.
 * Never under 2 s, a common keyframe interval, so a tile usually holds a keyframe and its sheet is
 * drawn from keyframes alone (measured on the 1-minute 1080p source, 2 s keyframes: 1 s tiles made
 * its one sheet by decoding every frame, 7.9 s, against 2.0 s for the two sheets of the 10-minute one).
 */
const INTERVALS = [2, 5, 10, 15, 30, 60, 120, 300, 600, 1800] as const;

export interface Tile {
  index: number;
  sheet: number;
  /** Top-left of the tile on its sheet, pixels. */
  x: number;
  y: number;
  /** Output frames [startFrame, endFrame) the tile stands for; it shows one of them. */
  startFrame: number;
  endFrame: number;
}

export interface StoryboardPlan {
  tileWidth: number;
  tileHeight: number;
  /** Frames a tile stands for (the last may stand for fewer). */
  tileFrames: number;
  fps: number;
  tiles: Tile[];
  sheets: number;
}

/** The storyboard of a revision: its tiles, what each stands for, and where each sits. */
export function planStoryboard(plan: Plan): StoryboardPlan {
  const { tileWidth, columns, rows, maxTiles } = STORYBOARD;
  const canvas = plan.video[0]!;
  const tileHeight = Math.max(2, 2 * Math.round((tileWidth * canvas.height) / canvas.width / 2));
  const frames = plan.grid.frameCount;
  const interval = INTERVALS.find((s) => Math.ceil(plan.duration / s) <= maxTiles) ?? INTERVALS.at(-1)!;
  const tileFrames = Math.max(1, Math.round(interval * plan.fps));
  const perSheet = columns * rows;
  const tiles: Tile[] = [];
  for (let index = 0; index * tileFrames < frames; index++) {
    const within = index % perSheet;
    tiles.push({
      index,
      sheet: Math.floor(index / perSheet),
      x: (within % columns) * tileWidth,
      y: Math.floor(within / columns) * tileHeight,
      startFrame: index * tileFrames,
      endFrame: Math.min((index + 1) * tileFrames, frames),
    });
  }
  return { tileWidth, tileHeight, tileFrames, fps: plan.fps, tiles, sheets: tiles.at(-1)!.sheet + 1 };
}

/** A cue time: hh:mm:ss.ttt. */
function vttTime(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${s.toFixed(3).padStart(6, '0')}`;
}

/** The storyboard as WebVTT: a cue per tile, back to back from 0 to the end, naming its sheet and box. */
export function renderStoryboardVtt(board: StoryboardPlan, sheetName: (sheet: number) => string): string {
  const cues = board.tiles.map(
    (t) =>
      `${vttTime(t.startFrame / board.fps)} --> ${vttTime(t.endFrame / board.fps)}\n` +
      `${sheetName(t.sheet)}#xywh=${t.x},${t.y},${board.tileWidth},${board.tileHeight}`,
  );
  return `WEBVTT\n\n${cues.join('\n\n')}\n`;
}

/** The storyboard as JSON (Mux's storyboard JSON, with a sheet per tile since a long revision has several). */
export function renderStoryboardJson(board: StoryboardPlan, sheetName: (sheet: number) => string): string {
  const end = board.tiles.at(-1)!.endFrame / board.fps;
  return `${JSON.stringify({
    tile_width: board.tileWidth,
    tile_height: board.tileHeight,
    duration: end,
    tiles: board.tiles.map((t) => ({
      start: t.startFrame / board.fps,
      end: t.endFrame / board.fps,
      url: sheetName(t.sheet),
      x: t.x,
      y: t.y,
    })),
  })}\n`;
}
