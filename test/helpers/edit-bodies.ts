import { LIMITS } from '../../src/core/edits/limits.js';

/** A number with all its significant digits (`1.3141592653589793`), about as long as JSON.stringify writes one. */
export const long = (whole: number) => whole + Math.PI / 10;

/**
 * A body at every limit at once, in the form that takes the most bytes: the longest keys (of three-byte
 * characters unless `source` is given), the most cuts and layouts on the most clips (spread over the first
 * `seconds` of the source, which is its own camera too), and the most drawing points as 2-point strokes in the most drawings.
 */
export function bodyAtTheLimits({
  source = '€'.repeat(LIMITS.objectKeyCharacters),
  seconds = 200,
}: { source?: string; seconds?: number } = {}): object {
  const start = (seconds * Math.PI) / 100;
  const end = seconds * (1 - Math.E / 200);
  const width = (end - start) / (2 * LIMITS.cutsPerClip + 1);
  const clip = {
    source,
    start,
    end,
    cuts: Array.from({ length: LIMITS.cutsPerClip }, (_, i) => [
      start + (2 * i + 1) * width,
      start + (2 * i + 2) * width,
    ]),
    noiseSuppression: true,
    camera: { source, offset: -long(0) / 10 },
    layouts: Array.from({ length: LIMITS.layoutsPerClip }, (_, i) => ({
      at: start + ((i + Math.E / 10) * (end - start)) / LIMITS.layoutsPerClip,
      layout: 'bubble',
      corner: 'bottom-right',
      size: Math.PI / 10,
      margin: Math.E / 100,
      shape: 'rounded',
      border: { width: Math.PI / 100, color: '#00ff00b3' },
      mirror: true,
    })),
    audio: 'both',
  };
  const strokes = LIMITS.pointsPerRevision / 2 / LIMITS.overlays;
  const drawing = {
    kind: 'drawing',
    strokes: Array.from({ length: strokes }, () => ({
      points: [
        [Math.PI / 10, Math.E / 10],
        [Math.SQRT1_2, Math.LN2],
      ],
      color: '#00ff00b3',
      width: Math.PI / 100,
    })),
    start: long(0),
    end: long(1),
  };
  return {
    clips: Array.from({ length: LIMITS.clips }, () => clip),
    noiseSuppression: true,
    overlays: Array.from({ length: LIMITS.overlays }, () => drawing),
  };
}
