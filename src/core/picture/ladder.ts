import { h264Level } from './h264.js';

/** One video rendition of the output ladder. */
export interface VideoRendition {
  /** URL-safe id, named for the short side: "720p". */
  id: string;
  width: number;
  height: number;
  /** x264 VBV cap in bits per second (-maxrate). */
  maxBitrate: number;
  /** VBV buffer in bits (-bufsize). */
  bufferBits: number;
  levelIdc: number;
}

/** Short-side sizes, largest first (Apple's HLS authoring spec ladder, plus 240 for small sources). */
const STANDARD_SHORT_SIDES = [2160, 1440, 1080, 720, 480, 360, 240] as const;
const MAX_RENDITIONS = 4;
/** 720p30 gets 3 Mbit/s; other sizes scale with (pixels × fps)^0.75 — bits per pixel fall as size grows. */
const REFERENCE = { pixelRate: 1280 * 720 * 30, bitrate: 3_000_000 };

/** The nearest even number, at least 2 (encoders need even sides). */
const nearestEven = (n: number) => Math.max(2, 2 * Math.round(n / 2));

/**
 * The rendition ladder for a display size and output rate: standard short sides that do not exceed
 * the source (never upscale), at most four, and always at least one (a tiny source gets its own size).
 * Portrait sources ladder on the short side, so a 1080×1920 phone video gets "1080p" at 1080×1920.
 */
export function planLadder(displayWidth: number, displayHeight: number, fps: number): VideoRendition[] {
  const portrait = displayHeight > displayWidth;
  const shortSide = Math.min(displayWidth, displayHeight);
  const aspect = Math.max(displayWidth, displayHeight) / shortSide;
  let sides: number[] = STANDARD_SHORT_SIDES.filter((s) => s <= shortSide + 8).slice(0, MAX_RENDITIONS);
  if (sides.length === 0) sides = [nearestEven(shortSide)];
  return sides.map((side) => {
    const shortOut = Math.min(side, nearestEven(shortSide));
    const longOut = nearestEven(shortOut * aspect);
    const [width, height] = portrait ? [shortOut, longOut] : [longOut, shortOut];
    const maxBitrate =
      Math.round((REFERENCE.bitrate * ((width * height * fps) / REFERENCE.pixelRate) ** 0.75) / 1000) * 1000;
    return {
      id: `${side}p`,
      width,
      height,
      maxBitrate,
      bufferBits: maxBitrate,
      levelIdc: h264Level(width, height, fps),
    };
  });
}
