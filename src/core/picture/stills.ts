import { ErrorCode, OriginError } from '../../errors.js';
import type { Plan } from '../plan.js';

/**
 * Stills: a poster or a thumbnail is one output frame of a revision, drawn at a requested width with
 * everything a player would show at that time (the edits, the stitching, the overlays).
 */

/** The picture formats a still is written in, by file extension. */
export const STILL_FORMATS = ['jpg', 'webp'] as const;
export type StillFormat = (typeof STILL_FORMATS)[number];

/**
 * The widths a still may be asked for: multiples of 16 from 64 to 1920. Bounded, so one frame never
 * costs more than a 1080p picture, and rounded, so a CDN keyed on the path holds a few sizes of a frame
 * rather than one per pixel.
 */
export const STILL_WIDTH = { min: 64, max: 1920, step: 16 } as const;

/** The width a still is drawn at when none is asked for: a poster for a list or a link preview. */
export const POSTER_WIDTH = 1280;

/** A still's picture size. */
export interface StillSize {
  width: number;
  height: number;
}

/** The size of a still `width` wide (an even number), its height from the revision's canvas (even, for 4:2:0). */
function sizeAt(plan: Plan, width: number): StillSize {
  const canvas = plan.video[0]!;
  return { width, height: Math.max(2, 2 * Math.round((width * canvas.height) / canvas.width / 2)) };
}

/** The size of a thumbnail asked for `width` wide: `bad_path` unless the width is one STILL_WIDTH allows. */
export function thumbnailSize(plan: Plan, width: number): StillSize {
  const { min, max, step } = STILL_WIDTH;
  if (!Number.isInteger(width) || width < min || width > max || width % step !== 0)
    throw new OriginError(
      ErrorCode.BadPath,
      `a thumbnail's width is a multiple of ${step} from ${min} to ${max} pixels, not ${width}`,
    );
  return sizeAt(plan, width);
}

/** The poster's size: POSTER_WIDTH wide, or the revision's own width when it is narrower. */
export function posterSize(plan: Plan): StillSize {
  return sizeAt(plan, Math.min(POSTER_WIDTH, plan.video[0]!.width));
}

/**
 * The output frame shown at `seconds` (the last frame that starts at or before it). A time past the
 * revision's end is `not_found`; its end itself shows the last frame.
 */
export function stillFrame(plan: Plan, seconds: number): number {
  if (!(seconds >= 0) || seconds > plan.duration + 1e-9)
    throw new OriginError(
      ErrorCode.NotFound,
      `no frame at ${seconds} s: the revision lasts ${plan.duration.toFixed(3)} s`,
    );
  // Times are in milliseconds: a frame's own time (n / fps, rounded to the millisecond) names that frame.
  return Math.min(plan.grid.frameCount - 1, Math.floor((seconds + 0.0005) * plan.fps));
}
