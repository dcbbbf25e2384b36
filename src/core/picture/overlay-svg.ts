import { colourParts, type DrawingOverlay, type TextOverlay } from '../edits/overlays.js';

/**
 * Text and drawing overlays as SVG, drawn at one rendition's size (docs/media-rules.md, "Overlays").
 * Pure: the rasteriser (src/media/video/overlay-raster.ts) renders what these return. Text goes into the
 * SVG as character data, escaped, and nothing else reads it: no filter graph, no expansion.
 */

/**
 * The font every text overlay is drawn with, bundled with the origin (never a system font: every node draws the same
 * pixels).
 */
export const TEXT_FONT_FAMILY = 'DejaVu Sans';
/** DejaVu Sans metrics (hhea): ascender 1901 and descender 483 in a 2048-unit em. */
const ASCENT_EM = 1901 / 2048;
const DESCENT_EM = 483 / 2048;
/** Line spacing, in ems. */
export const LINE_HEIGHT_EM = 1.2;
/** Padding of a text's background box around the block, in ems. */
export const BACKGROUND_PADDING_EM = 0.2;

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A number as SVG text: three decimals at most, no trailing zeros, never exponent notation. */
const num = (value: number) => {
  const text = value.toFixed(3).replace(/\.?0+$/, '');
  return text === '-0' ? '0' : text;
};

/** An SVG document of the canvas size; `view` renders only that part of it (same pixel grid, smaller image). */
export function svgDocument(body: string, width: number, height: number, view?: Box): string {
  const size = view
    ? `width="${view.width}" height="${view.height}" viewBox="${view.x} ${view.y} ${view.width} ${view.height}"`
    : `width="${width}" height="${height}"`;
  return `<svg xmlns="http://www.w3.org/2000/svg" ${size}>${body}</svg>`;
}

/**
 * Text as XML character data: `&`, `<` and `>` escaped, tabs as spaces, and characters XML cannot
 * carry (other control characters, lone surrogates, U+FFFE/U+FFFF) left out.
 */
export function xmlText(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === '&') out += '&amp;';
    else if (char === '<') out += '&lt;';
    else if (char === '>') out += '&gt;';
    else if (char === '\t') out += ' ';
    else if (
      code < 0x20 ||
      (code >= 0x7f && code < 0xa0) ||
      (code >= 0xd800 && code <= 0xdfff) ||
      code === 0xfffe ||
      code === 0xffff
    )
      continue;
    else out += char;
  }
  return out;
}

/** Where a text overlay's lines go on a canvas of `width` × `height` pixels. */
export function textLayout(overlay: TextOverlay, width: number, height: number) {
  const fontSize = overlay.size * height;
  const left = overlay.x * width;
  const top = overlay.y * height;
  const lines = overlay.text.split(/\r\n|\r|\n/);
  const lineHeight = LINE_HEIGHT_EM * fontSize;
  // The first baseline sits half the leading plus the ascent below the top.
  const firstBaseline = top + ((LINE_HEIGHT_EM - ASCENT_EM - DESCENT_EM) / 2 + ASCENT_EM) * fontSize;
  return {
    fontSize,
    left,
    top,
    lines,
    lineHeight,
    firstBaseline,
    blockHeight: lines.length * lineHeight,
    padding: BACKGROUND_PADDING_EM * fontSize,
  };
}

/**
 * A text overlay's SVG body. With a background, `inkRight` (the right edge of the drawn text, from a
 * first rendering without it) sets the box's width: the block's lines plus the padding on every side.
 */
export function textSvgBody(overlay: TextOverlay, width: number, height: number, inkRight?: number): string {
  const layout = textLayout(overlay, width, height);
  const fill = colourParts(overlay.color ?? '#ffffff');
  let body = '';
  if (overlay.background !== undefined && inkRight !== undefined) {
    const bg = colourParts(overlay.background);
    const { left, top, padding } = layout;
    const right = Math.max(inkRight, left);
    body += `<rect x="${num(left - padding)}" y="${num(top - padding)}" width="${num(right - left + 2 * padding)}" height="${num(layout.blockHeight + 2 * padding)}" fill="${bg.rgb}" fill-opacity="${num(bg.opacity)}"/>`;
  }
  for (const [i, line] of layout.lines.entries()) {
    const text = xmlText(line);
    if (text.trim() === '') continue;
    body +=
      `<text x="${num(layout.left)}" y="${num(layout.firstBaseline + i * layout.lineHeight)}" font-family="${TEXT_FONT_FAMILY}" font-size="${num(layout.fontSize)}" ` +
      `fill="${fill.rgb}" fill-opacity="${num(fill.opacity)}" xml:space="preserve">${text}</text>`;
  }
  return body;
}

/** A drawing's SVG body: each stroke one path, anti-aliased, round caps and joins, from the vectors at this size. */
export function drawingSvgBody(overlay: DrawingOverlay, width: number, height: number): string {
  return overlay.strokes
    .map((stroke) => {
      const { rgb, opacity } = colourParts(stroke.color);
      const d = stroke.points
        .map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${num(x * width)} ${num(y * height)}`)
        .join(' ');
      return `<path d="${d}" fill="none" stroke="${rgb}" stroke-opacity="${num(opacity)}" stroke-width="${num(stroke.width * height)}" stroke-linecap="round" stroke-linejoin="round"/>`;
    })
    .join('');
}

/**
 * The whole-pixel box to render for content whose bounds are `bounds`: one pixel of margin for
 * anti-aliasing, clipped to the canvas. undefined when nothing of it is on the canvas.
 */
export function pixelBox(bounds: Box, width: number, height: number): Box | undefined {
  const x0 = Math.max(0, Math.floor(bounds.x) - 1);
  const y0 = Math.max(0, Math.floor(bounds.y) - 1);
  const x1 = Math.min(width, Math.ceil(bounds.x + bounds.width) + 1);
  const y1 = Math.min(height, Math.ceil(bounds.y + bounds.height) + 1);
  if (x1 <= x0 || y1 <= y0) return undefined;
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}
