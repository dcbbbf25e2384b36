import { createRequire } from 'node:module';
import { Resvg, renderAsync, type ResvgRenderOptions } from '@resvg/resvg-js';
import { IMAGE_DEMUXERS } from '../core/image-header.js';
import { drawingSvgBody, pixelBox, svgDocument, textLayout, textSvgBody, TEXT_FONT_FAMILY, type Box } from '../core/overlay-svg.js';
import { imagePlacement, type DrawingOverlay, type ImageOverlay, type TextOverlay } from '../core/overlays.js';
import type { ImageInfo } from '../core/types.js';
import type { FfmpegContext } from './video-segment.js';

/** A transparent picture to composite at (x, y) of a rendition's canvas, as PNG. */
export interface Raster {
  png: Buffer;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The bundled font (DejaVu Sans, from the `dejavu-fonts-ttf` package): the only one text is drawn with. */
const FONT_FILE = createRequire(import.meta.url).resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
const RESVG: ResvgRenderOptions = {
  font: { fontFiles: [FONT_FILE], loadSystemFonts: false, defaultFontFamily: TEXT_FONT_FAMILY },
  shapeRendering: 2,
  textRendering: 2,
  logLevel: 'off',
};

/** The bounds of what an SVG body draws on a `width` × `height` canvas (layout only, nothing rendered). */
function drawnBounds(body: string, width: number, height: number): Box | undefined {
  const box = new Resvg(svgDocument(body, width, height), RESVG).getBBox();
  return box && { x: box.x, y: box.y, width: box.width, height: box.height };
}

/**
 * Renders an SVG body at a rendition's size with resvg, only the whole-pixel box around what it draws
 * (same pixel grid as the whole canvas), off the event loop. undefined when it draws nothing visible.
 */
async function rasterSvg(body: string, width: number, height: number): Promise<Raster | undefined> {
  const bounds = drawnBounds(body, width, height);
  const box = bounds && pixelBox(bounds, width, height);
  if (!box) return undefined;
  const image = await renderAsync(svgDocument(body, width, height, box), RESVG);
  return { png: image.asPng(), ...box };
}

/** A text overlay at a rendition's size; a background box is sized from the text as first laid out. */
export async function rasterText(overlay: TextOverlay, width: number, height: number): Promise<Raster | undefined> {
  let body = textSvgBody(overlay, width, height);
  if (overlay.background !== undefined) {
    const ink = drawnBounds(body, width, height);
    body = textSvgBody(overlay, width, height, ink ? ink.x + ink.width : textLayout(overlay, width, height).left);
  }
  return rasterSvg(body, width, height);
}

/** A drawing at a rendition's size, rasterised from its vectors (never a bitmap scaled). */
export function rasterDrawing(overlay: DrawingOverlay, width: number, height: number): Promise<Raster | undefined> {
  return rasterSvg(drawingSvgBody(overlay, width, height), width, height);
}

/**
 * An image overlay at a rendition's size: decoded from `bytes` (piped: ffmpeg opens nothing else),
 * scaled once with Lanczos on premultiplied alpha (no dark fringes at transparent edges), its opacity
 * applied, and cut to the part that falls on the canvas.
 */
export async function rasterImage(ctx: FfmpegContext, overlay: ImageOverlay, image: ImageInfo, bytes: Uint8Array, width: number, height: number): Promise<Raster | undefined> {
  const place = imagePlacement(overlay, image, width, height);
  if (!place) return undefined;
  const { source, scaled, visible } = place;
  const filters = [
    `crop=${source.width}:${source.height}:0:0`,
    'format=rgba',
    'premultiply=inplace=1',
    `scale=${scaled.width}:${scaled.height}:flags=lanczos+accurate_rnd+full_chroma_int`,
    'unpremultiply=inplace=1',
    `crop=${visible.width}:${visible.height}:0:0`,
    ...(overlay.opacity !== undefined && overlay.opacity < 1 ? [`colorchannelmixer=aa=${overlay.opacity}`] : []),
  ];
  const { stdout } = await ctx.runner.run(
    ctx.ffmpegPath,
    [
      '-hide_banner', '-loglevel', 'error',
      '-protocol_whitelist', 'pipe', '-f', IMAGE_DEMUXERS[image.format], '-i', 'pipe:0',
      '-frames:v', '1', '-vf', filters.join(','), '-c:v', 'png', '-f', 'image2pipe', 'pipe:1',
    ],
    { timeoutMs: ctx.timeoutMs, signal: ctx.signal, stdin: bytes, maxOutputBytes: 64 * 1024 * 1024 },
  );
  return { png: stdout, x: place.x, y: place.y, width: visible.width, height: visible.height };
}
