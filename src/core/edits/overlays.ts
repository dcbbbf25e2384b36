import { ErrorCode, fieldErrors, type FieldProblem } from '../../errors.js';
import type { ImageInfo } from '../picture/image-header.js';

/**
 * Overlays: text, images and drawings over the output picture (docs/media-rules.md, "Overlays").
 * Geometry is in fractions of the canvas (the first clip's display size), so every rendition shows
 * the same picture at its own resolution; times are output seconds, after trims, cuts and stitching.
 * An overlay is visible on the frames whose output time t satisfies `start ≤ t < end`.
 */

export interface TextOverlay {
  kind: 'text';
  /** Drawn literally; `\n` starts a new line. */
  text: string;
  /** Top-left of the text block, fractions of the canvas width and height. */
  x: number;
  y: number;
  /** Font size as a fraction of the canvas height. */
  size: number;
  /** `#rrggbb` or `#rrggbbaa`; white when absent. */
  color?: string;
  /** A box behind the text, with a padding around the block. */
  background?: string;
  start?: number;
  end?: number;
}

export interface ImageOverlay {
  kind: 'image';
  /** An object key in the same store as recordings: PNG, JPEG or WebP. */
  source: string;
  x: number;
  y: number;
  /** Fraction of the canvas width; the height follows the image's aspect ratio. */
  width: number;
  /** 0–1; 1 when absent. */
  opacity?: number;
  start?: number;
  end?: number;
}

export interface Stroke {
  /** Canvas fractions, in drawing order. */
  points: Array<[number, number]>;
  color: string;
  /** Fraction of the canvas height. */
  width: number;
}

export interface DrawingOverlay {
  kind: 'drawing';
  strokes: Stroke[];
  start?: number;
  end?: number;
}

export type Overlay = TextOverlay | ImageOverlay | DrawingOverlay;

/**
 * Checks `start < duration` and `end ≤ duration` (output seconds) of every overlay: `invalid_edit` (422, the
 * edits are well formed but this video is too short), naming each field.
 */
export function checkOverlayTimes(overlays: readonly Overlay[], duration: number): void {
  const problems: FieldProblem[] = [];
  for (const [i, overlay] of overlays.entries()) {
    if (overlay.start !== undefined && overlay.start >= duration)
      problems.push({
        field: `overlays[${i}].start`,
        message: `must be before the video's end (${duration.toFixed(3)} s)`,
      });
    if (overlay.end !== undefined && overlay.end > duration + 1e-6)
      problems.push({ field: `overlays[${i}].end`, message: `is past the video's end (${duration.toFixed(3)} s)` });
  }
  if (problems.length > 0) throw fieldErrors(ErrorCode.InvalidEdit, problems);
}

/** `#RRGGBBff` → `#rrggbb`: one spelling per colour. */
export function canonicalColour(colour: string): string {
  const lower = colour.toLowerCase();
  return lower.length === 9 && lower.endsWith('ff') ? lower.slice(0, 7) : lower;
}

/**
 * An overlay in canonical form, so the same overlay written differently is the same revision:
 * colours lower-case without an opaque alpha, and defaults (start 0, opacity 1, white text) left out.
 */
export function canonicalOverlay(overlay: Overlay): Overlay {
  const start = overlay.start === 0 ? undefined : overlay.start;
  switch (overlay.kind) {
    case 'text': {
      const color = overlay.color === undefined ? undefined : canonicalColour(overlay.color);
      return {
        ...overlay,
        start,
        color: color === '#ffffff' ? undefined : color,
        background: overlay.background && canonicalColour(overlay.background),
      };
    }
    case 'image':
      return { ...overlay, start, opacity: overlay.opacity === 1 ? undefined : overlay.opacity };
    case 'drawing':
      return { ...overlay, start, strokes: overlay.strokes.map((s) => ({ ...s, color: canonicalColour(s.color) })) };
  }
}

/** Output frames [first, end) on which an overlay is visible: `start ≤ k / fps < end`. */
export function overlayFrames(overlay: Overlay, fps: number, frameCount: number): { first: number; end: number } {
  // A time given to the millisecond lands on its frame despite binary fractions (1.1 × 30 = 33.000000000000004).
  const frameAt = (seconds: number) => Math.ceil(seconds * fps - 1e-6);
  const first = Math.max(0, frameAt(overlay.start ?? 0));
  const end = Math.min(frameCount, overlay.end === undefined ? frameCount : frameAt(overlay.end));
  return { first, end: Math.max(first, end) };
}

/** `#rrggbb[aa]` → the SVG colour and its opacity (0–1). */
export function colourParts(colour: string): { rgb: string; opacity: number } {
  const alpha = colour.length === 9 ? Number.parseInt(colour.slice(7), 16) / 255 : 1;
  return { rgb: colour.slice(0, 7).toLowerCase(), opacity: alpha };
}

interface Size {
  width: number;
  height: number;
}

/**
 * Where an image overlay goes on a `width` × `height` canvas: its top-left (x, y), the source
 * pixels to scale, the size they scale to, and the part of that on the canvas. Only the source
 * rows and columns that show are scaled (a tall image at full width would otherwise be scaled whole).
 * undefined when none of it is on the canvas.
 */
export function imagePlacement(
  overlay: ImageOverlay,
  image: Size,
  width: number,
  height: number,
): { x: number; y: number; source: Size; scaled: Size; visible: Size } | undefined {
  const x = Math.round(overlay.x * width);
  const y = Math.round(overlay.y * height);
  const w = Math.max(1, Math.round(overlay.width * width));
  const h = Math.max(1, Math.round((w * image.height) / image.width));
  const visible = { width: Math.min(w, width - x), height: Math.min(h, height - y) };
  if (visible.width <= 0 || visible.height <= 0) return undefined;
  if (visible.width === w && visible.height === h)
    return { x, y, source: { width: image.width, height: image.height }, scaled: { width: w, height: h }, visible };
  const fx = w / image.width;
  const fy = h / image.height;
  // Two source pixels beyond the edge, so the filter has its neighbours there too.
  const source = {
    width: Math.min(image.width, Math.ceil(visible.width / fx) + 2),
    height: Math.min(image.height, Math.ceil(visible.height / fy) + 2),
  };
  const scaled = {
    width: Math.max(visible.width, Math.round(source.width * fx)),
    height: Math.max(visible.height, Math.round(source.height * fy)),
  };
  return { x, y, source, scaled, visible };
}

/** An overlay as planned for a revision: its position in the edits, and the output frames it shows on. */
export interface PlannedOverlay {
  index: number;
  overlay: Overlay;
  /** An image overlay's picture, as checked at mint time. */
  image?: ImageInfo;
  /** Output frames [first, end). */
  first: number;
  end: number;
}

/** The overlays visible on any frame of [startFrame, startFrame + frameCount), in drawing order. */
export function overlaysIn(
  overlays: readonly PlannedOverlay[],
  startFrame: number,
  frameCount: number,
): PlannedOverlay[] {
  return overlays.filter((o) => o.first < startFrame + frameCount && o.end > startFrame && o.first < o.end);
}
