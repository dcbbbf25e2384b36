import { z } from 'zod';
import { LIMITS } from './limits.js';
import { colour, fraction, objectKey, seconds } from './schema-parts.js';

/** The mint contract of a clip's camera and its layouts (core/edits/layouts.ts): part of `clipSchema`. */

const at = seconds.meta({
  description:
    "Source seconds of the clip (the screen's clock, as start, end and cuts) from which this layout shows, until the next.",
});
const mirror = z.boolean().optional().meta({ description: 'Shows the camera as a mirror would; false by default.' });

/**
 * `clips[].layouts[]`: presets of one mechanism (a stack of layers, core/picture/layout.ts). Unknown layouts and
 * fields are `invalid_field` (400); `at` against the clip's range is mint's to say (422).
 */
export const layoutSchema = z.discriminatedUnion('layout', [
  z.strictObject({
    at,
    layout: z.literal('bubble').meta({ description: 'The camera over the screen, in a corner.' }),
    corner: z
      .enum(['top-left', 'top-right', 'bottom-left', 'bottom-right'])
      .optional()
      .meta({ description: 'bottom-left by default.' }),
    size: fraction('height', { positive: true })
      .optional()
      .meta({ description: "The bubble's diameter (or side), a fraction of the canvas height; 0.25 by default." }),
    margin: z
      .number()
      .min(0, { error: 'must be a fraction of the canvas height in [0, 0.5]' })
      .max(0.5, { error: 'must be a fraction of the canvas height in [0, 0.5]' })
      .optional()
      .meta({ description: "Space to the canvas's edges, a fraction of the canvas height; 0.03 by default." }),
    shape: z
      .enum(['circle', 'rounded', 'square'])
      .optional()
      .meta({ description: 'circle by default; the camera is cropped to fill it, centred.' }),
    border: z
      .strictObject({
        width: z
          .number()
          .gt(0, { error: 'must be a fraction of the canvas height in (0, 0.1]' })
          .max(0.1, { error: 'must be a fraction of the canvas height in (0, 0.1]' })
          .meta({ description: 'A fraction of the canvas height.' }),
        color: colour,
      })
      .optional()
      .meta({ description: 'A ring around the bubble.' }),
    mirror,
  }),
  z.strictObject({
    at,
    layout: z.literal('camera').meta({ description: 'The camera alone, cropped to cover the canvas.' }),
    mirror,
  }),
  z.strictObject({ at, layout: z.literal('screen').meta({ description: 'The screen alone.' }) }),
  z.strictObject({
    at,
    layout: z.literal('split').meta({
      description:
        'Screen and camera side by side (one above the other on a portrait canvas), each fitted inside its half.',
    }),
    mirror,
  }),
]);

export const cameraSchema = z
  .strictObject({
    source: objectKey('Object key of the camera recording (any container and codec a source may be).'),
    offset: z
      .number()
      .min(-LIMITS.sourceSeconds, { error: `must be within ±${LIMITS.sourceSeconds} seconds` })
      .max(LIMITS.sourceSeconds, { error: `must be within ±${LIMITS.sourceSeconds} seconds` })
      .optional()
      .meta({
        description:
          "Seconds: the camera frame shown at the clip's source time t is the camera's at t + offset. 0 by default.",
      }),
  })
  .meta({ description: 'A camera recorded beside the source (the screen).' });

/** Layouts in order of `at`, and a camera for every layout, and for `audio`, that uses one. */
export function cameraRules(
  clip: { camera?: unknown; layouts?: Array<{ at: number; layout: string }>; audio?: string },
  ctx: z.RefinementCtx,
): void {
  const layouts = clip.layouts ?? [];
  for (let i = 1; i < layouts.length; i++)
    if (layouts[i]!.at <= layouts[i - 1]!.at)
      ctx.addIssue({
        code: 'custom',
        path: ['layouts', i, 'at'],
        message: `must be after layouts[${i - 1}].at (${layouts[i - 1]!.at} s)`,
      });
  if (clip.camera) return;
  layouts.forEach((entry, i) => {
    if (entry.layout !== 'screen')
      ctx.addIssue({ code: 'custom', path: ['layouts', i, 'layout'], message: 'needs the clip to have a camera' });
  });
  if (clip.audio && clip.audio !== 'screen')
    ctx.addIssue({ code: 'custom', path: ['audio'], message: 'needs the clip to have a camera' });
}
