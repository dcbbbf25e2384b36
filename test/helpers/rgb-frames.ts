import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A decoded picture: `width` × `height` RGB triplets. */
export interface RgbFrame {
  width: number;
  height: number;
  rgb: Buffer;
}

/** A rectangle in fractions of the picture: left, top, right, bottom. */
export type Box = [number, number, number, number];

/**
 * Chosen frames of a file's first video stream (by decode order index), as RGB through the BT.709
 * matrix the origin tags its output with. `filter` runs after the selection (e.g. a crop and scale);
 * `size` is then the picture it leaves.
 */
export async function rgbFrames(
  file: string,
  indexes: readonly number[] | 'all',
  size: { width: number; height: number },
  filter?: string,
): Promise<Map<number, RgbFrame>> {
  const wanted = indexes === 'all' ? undefined : [...new Set(indexes)].sort((a, b) => a - b);
  const select = wanted && `select='${wanted.map((n) => `eq(n\\,${n})`).join('+')}'`;
  const chain = [select, filter, 'scale=in_color_matrix=bt709:in_range=tv', 'format=rgb24'].filter(Boolean).join(',');
  const { stdout } = await run(
    'ffmpeg',
    ['-v', 'error', '-i', file, '-map', '0:v:0', '-vf', chain, '-fps_mode', 'passthrough', '-f', 'rawvideo', '-'],
    {
      encoding: 'buffer',
      maxBuffer: 1024 * 1024 * 1024,
    },
  );
  const bytes = size.width * size.height * 3;
  const numbers = wanted ?? Array.from({ length: Math.floor(stdout.length / bytes) }, (_, n) => n);
  if (stdout.length !== bytes * numbers.length)
    throw new Error(`${file}: decoded ${stdout.length / bytes} of ${numbers.length} frames`);
  return new Map(numbers.map((n, i) => [n, { ...size, rgb: stdout.subarray(i * bytes, (i + 1) * bytes) }]));
}

/** The pixels a box covers, in whole pixels (rounded outwards) clipped to the picture. */
function pixels(frame: RgbFrame, [l, t, r, b]: Box) {
  return {
    x0: Math.max(0, Math.floor(l * frame.width)),
    y0: Math.max(0, Math.floor(t * frame.height)),
    x1: Math.min(frame.width, Math.ceil(r * frame.width)),
    y1: Math.min(frame.height, Math.ceil(b * frame.height)),
  };
}

const inside = (x: number, y: number, frame: RgbFrame, boxes: readonly Box[]) =>
  boxes.some((box) => {
    const p = pixels(frame, box);
    return x >= p.x0 && x < p.x1 && y >= p.y0 && y < p.y1;
  });

/**
 * How two pictures of one size compare over a region: mean absolute difference per sample and PSNR
 * (dB, Infinity when equal). `within` limits the comparison to a box; `outside` excludes boxes.
 */
export function compare(
  a: RgbFrame,
  b: RgbFrame,
  { within, outside = [] }: { within?: Box; outside?: readonly Box[] } = {},
): { mad: number; psnr: number } {
  const { x0, y0, x1, y1 } = within ? pixels(a, within) : { x0: 0, y0: 0, x1: a.width, y1: a.height };
  let absolute = 0;
  let squared = 0;
  let count = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      if (outside.length > 0 && inside(x, y, a, outside)) continue;
      for (let c = 0; c < 3; c++) {
        const at = (y * a.width + x) * 3 + c;
        const d = a.rgb[at]! - b.rgb[at]!;
        absolute += Math.abs(d);
        squared += d * d;
        count++;
      }
    }
  }
  const mse = squared / count;
  return { mad: absolute / count, psnr: mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse) };
}

/** The mean colour of a small square around a point given in fractions. */
export function colourAt(frame: RgbFrame, x: number, y: number, radius = 2): [number, number, number] {
  const cx = Math.floor(x * frame.width);
  const cy = Math.floor(y * frame.height);
  const sum = [0, 0, 0];
  let count = 0;
  for (let py = cy - radius; py <= cy + radius; py++) {
    for (let px = cx - radius; px <= cx + radius; px++) {
      for (let c = 0; c < 3; c++) sum[c]! += frame.rgb[(py * frame.width + px) * 3 + c]!;
      count++;
    }
  }
  return sum.map((s) => s / count) as [number, number, number];
}

/** Which pixels of two pictures of one size differ by more than `threshold` in any channel (1) or not (0). */
export function differenceMask(a: RgbFrame, b: RgbFrame, threshold: number): Uint8Array {
  const mask = new Uint8Array(a.width * a.height);
  for (let i = 0; i < mask.length; i++) {
    for (let c = 0; c < 3; c++) if (Math.abs(a.rgb[i * 3 + c]! - b.rgb[i * 3 + c]!) > threshold) mask[i] = 1;
  }
  return mask;
}

/** Intersection over union of two masks of one size (1 when both are empty). */
export function overlap(a: Uint8Array, b: Uint8Array): number {
  let both = 0;
  let either = 0;
  for (let i = 0; i < a.length; i++) {
    both += a[i]! & b[i]!;
    either += a[i]! | b[i]!;
  }
  return either === 0 ? 1 : both / either;
}

/** The smallest box (fractions) holding every set pixel of a `width`-wide mask, or undefined. */
export function boundingBox(mask: Uint8Array, width: number): Box | undefined {
  const height = mask.length / width;
  let [l, t, r, b] = [width, height, -1, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!mask[y * width + x]) continue;
      l = Math.min(l, x);
      t = Math.min(t, y);
      r = Math.max(r, x);
      b = Math.max(b, y);
    }
  }
  return r < 0 ? undefined : [l / width, t / height, (r + 1) / width, (b + 1) / height];
}
