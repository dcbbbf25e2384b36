import type { Scene, Shape } from '../edits/layouts.js';

/**
 * Layouts as layers (docs/media-rules.md, "Layouts"): a scene of a clip with a camera is a stack of layers, each a
 * track in a box of the canvas, fitted one way, cut to a shape. The layout names are presets of this one
 * mechanism: a grid of several cameras would be a new preset, not new drawing code. Pure: the boxes of a scene on a
 * canvas of a given size, in even pixels (4:2:0 chroma).
 */

/** A rectangle of the canvas, in pixels, every value even. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Layer {
  track: 'screen' | 'camera';
  box: Box;
  /** contain: the whole picture inside the box, the rest background; cover: the box filled, the picture cropped centred. */
  fit: 'contain' | 'cover';
  shape: Shape;
  /** Corner radius in pixels: half the box's side for a circle, 0 for a square. */
  radius: number;
  mirror: boolean;
  /** A ring inside the box's edge, in the layer's shape: the picture is inset by `width` pixels. */
  border?: { width: number; color: string };
}

/** What a scene draws on a canvas: a background, then its layers in order. */
export interface Composition {
  background: string;
  layers: Layer[];
}

/** Behind a split's two halves, and around a picture fitted inside its box: a neutral dark grey. */
export const SPLIT_BACKGROUND = '#1f1f1f';
/** A rounded bubble's corner radius, as a share of its side. */
const ROUNDED_RADIUS = 0.2;

const even = (n: number) => 2 * Math.round(n / 2);
const full = (canvas: { width: number; height: number }): Box => ({ x: 0, y: 0, ...canvas });

/** The layers of `scene` on a `canvas.width` × `canvas.height` canvas. */
export function compose(scene: Scene, canvas: { width: number; height: number }): Composition {
  const { width: W, height: H } = canvas;
  const layer = (track: Layer['track'], box: Box, fit: Layer['fit'], mirror = false): Layer => ({
    track,
    box,
    fit,
    shape: 'square',
    radius: 0,
    mirror,
  });
  switch (scene.layout) {
    case 'screen':
      return { background: '#000000', layers: [layer('screen', full(canvas), 'contain')] };
    case 'camera':
      return { background: '#000000', layers: [layer('camera', full(canvas), 'cover', scene.mirror)] };
    case 'split': {
      // Side by side on a landscape canvas, one above the other on a portrait one.
      const across = W >= H;
      const half = across ? { width: even(W / 2), height: H } : { width: W, height: even(H / 2) };
      const second = across
        ? { x: half.width, y: 0, width: W - half.width, height: H }
        : { x: 0, y: half.height, width: W, height: H - half.height };
      return {
        background: SPLIT_BACKGROUND,
        layers: [layer('screen', { x: 0, y: 0, ...half }, 'contain'), layer('camera', second, 'contain', scene.mirror)],
      };
    }
    case 'bubble': {
      const side = Math.max(2, Math.min(even(scene.size * H), 2 * Math.floor(Math.min(W, H) / 2)));
      const margin = even(scene.margin * H);
      const x = scene.corner.endsWith('left') ? margin : W - margin - side;
      const y = scene.corner.startsWith('top') ? margin : H - margin - side;
      const box = { x: clamp(x, 0, W - side), y: clamp(y, 0, H - side), width: side, height: side };
      const radius = scene.shape === 'circle' ? side / 2 : scene.shape === 'rounded' ? side * ROUNDED_RADIUS : 0;
      const border = scene.border && {
        width: Math.min(Math.max(2, even(scene.border.width * H)), 2 * Math.floor(side / 8)),
        color: scene.border.color,
      };
      return {
        background: '#000000',
        layers: [
          layer('screen', full(canvas), 'contain'),
          {
            ...layer('camera', box, 'cover', scene.mirror),
            shape: scene.shape,
            radius,
            ...(border ? { border } : {}),
          },
        ],
      };
    }
  }
}

const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));

/**
 * The alpha of a shape's pixel (X, Y) in a `size`-pixel square with corner radius `radius`, as an expression of
 * ffmpeg's `geq` (0–255, anti-aliased over one pixel): full inside, 0 outside, a ramp on the edge. `inset` pixels
 * are taken off every side first (the picture inside a border).
 */
export function shapeAlpha(size: number, radius: number, inset = 0): string {
  const half = size / 2;
  const r = Math.max(0.5, radius - inset);
  const inner = half - inset - r;
  // Distance from the pixel's centre to the rectangle the corners' circles are centred on, then to the edge.
  const dx = `max(abs(X+0.5-${half})-${inner},0)`;
  const dy = `max(abs(Y+0.5-${half})-${inner},0)`;
  return `255*clip(${r}-hypot(${dx},${dy})+0.5,0,1)`;
}
