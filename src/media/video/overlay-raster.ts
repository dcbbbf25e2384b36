import { createRequire } from 'node:module';
import { Resvg, renderAsync, type ResvgRenderOptions } from '@resvg/resvg-js';
import { IMAGE_DEMUXERS, type ImageDemuxer } from '../../core/picture/image-header.js';
import {
  drawingSvgBody,
  pixelBox,
  svgDocument,
  textLayout,
  textSvgBody,
  TEXT_FONT_FAMILY,
  type Box,
} from '../../core/picture/overlay-svg.js';
import { imagePlacement, type DrawingOverlay, type ImageOverlay, type TextOverlay } from '../../core/edits/overlays.js';
import type { ImageInfo } from '../../core/picture/image-header.js';

/**
 * A picture to composite at (x, y) of a rendition's canvas: encoded bytes ffmpeg reads with `demuxer`,
 * and the filters that make it the `width` × `height` RGBA picture to draw (none for a raster, which is
 * drawn at that size already).
 */
export interface OverlayPicture {
  bytes: Buffer;
  demuxer: ImageDemuxer;
  filters: string[];
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
async function rasterSvg(body: string, width: number, height: number): Promise<OverlayPicture | undefined> {
  const bounds = drawnBounds(body, width, height);
  const box = bounds && pixelBox(bounds, width, height);
  if (!box) return undefined;
  const image = await renderAsync(svgDocument(body, width, height, box), RESVG);
  return { bytes: image.asPng(), demuxer: 'png_pipe', filters: [], ...box };
}

/** A text overlay at a rendition's size; a background box is sized from the text as first laid out. */
export async function rasterText(
  overlay: TextOverlay,
  width: number,
  height: number,
): Promise<OverlayPicture | undefined> {
  let body = textSvgBody(overlay, width, height);
  if (overlay.background !== undefined) {
    const ink = drawnBounds(body, width, height);
    body = textSvgBody(overlay, width, height, ink ? ink.x + ink.width : textLayout(overlay, width, height).left);
  }
  return rasterSvg(body, width, height);
}

/** A drawing at a rendition's size, rasterised from its vectors (never a bitmap scaled). */
export function rasterDrawing(
  overlay: DrawingOverlay,
  width: number,
  height: number,
): Promise<OverlayPicture | undefined> {
  return rasterSvg(drawingSvgBody(overlay, width, height), width, height);
}

/**
 * An image overlay at a rendition's size, made in the segment's own ffmpeg run from the image's bytes
 * (measured: about 2 ms there, against 150 ms for an ffmpeg process of its own): the part that shows
 * is cut out, scaled once with Lanczos on premultiplied alpha (no dark fringes at transparent edges),
 * its opacity applied, and cut to what falls on the canvas. undefined when none of it is on the canvas.
 */
export function imagePicture(
  overlay: ImageOverlay,
  image: ImageInfo,
  bytes: Buffer,
  width: number,
  height: number,
): OverlayPicture | undefined {
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
  return {
    bytes,
    demuxer: IMAGE_DEMUXERS[image.format],
    filters,
    x: place.x,
    y: place.y,
    width: visible.width,
    height: visible.height,
  };
}
