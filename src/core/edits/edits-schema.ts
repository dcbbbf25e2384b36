import { z } from 'zod';
import { LIMITS } from './limits.js';
import { cameraRules, cameraSchema, layoutSchema } from './layouts-schema.js';
import { colour, fraction, objectKey, seconds } from './schema-parts.js';

/**
 * The mint request's contract as zod schemas: what `POST /v1/revisions` accepts, the one source of the validator
 * (`parseEdits`), the OpenAPI document (`src/http/openapi.ts`) and the typed client's types (`src/client/`).
 * Everything that can be judged from the body alone is here, so one pass reports every problem of a body (400
 * `invalid_field`); what needs the sources (a trim past a source's end) is checked at mint (422 `invalid_edit`).
 * docs/errors.md has the rule.
 */

const times = {
  start: z.number().min(0, { error: 'must be at least 0 (output seconds)' }).optional().meta({
    description: 'Output seconds (after trims, cuts and stitching) from which the overlay shows; 0 by default.',
  }),
  end: z
    .number()
    .optional()
    .meta({ description: 'Output seconds at which it stops showing (exclusive); the end of the video by default.' }),
};

const POINT = 'a point is [x, y], fractions of the canvas width and height in [0, 1]';
const point = z.tuple([fraction('width'), fraction('height')], { error: POINT });

/** Characters of a text, as a person counts them (code points, not UTF-16 units). */
const characters = (text: string) => [...text].length;

const textSchema = z
  .string()
  .refine((text) => characters(text) >= 1 && characters(text) <= LIMITS.overlayTextCharacters, {
    error: `must have 1 to ${LIMITS.overlayTextCharacters} characters`,
  })
  // JSON Schema counts a string's length in code points, as this rule does.
  .meta({
    minLength: 1,
    maxLength: LIMITS.overlayTextCharacters,
    description: 'Drawn literally; `\\n` starts a new line.',
  });

/** `end` after `start` (0 when absent), on the overlay whatever its kind. */
function endAfterStart(overlay: { start?: number | undefined; end?: number | undefined }, ctx: z.RefinementCtx): void {
  if (overlay.end !== undefined && overlay.end <= (overlay.start ?? 0))
    ctx.addIssue({ code: 'custom', path: ['end'], message: `must be after start (${overlay.start ?? 0} s)` });
}

/**
 * `overlays[]`: shapes and every value that needs no source to judge (fractions in [0, 1] — a box may extend past
 * the right or bottom edge and is clipped —, sizes above 0, colours, counts, `start < end`). A problem is
 * `invalid_field` (400), named by its path. The end against the video's duration is `checkOverlayTimes`, at mint.
 */
export const overlaySchema = z.discriminatedUnion('kind', [
  z
    .strictObject({
      kind: z.literal('text'),
      text: textSchema,
      x: fraction('width').meta({ description: 'Left edge of the text block, a fraction of the canvas width.' }),
      y: fraction('height').meta({ description: 'Top edge of the text block, a fraction of the canvas height.' }),
      size: fraction('height', { positive: true }).meta({ description: 'Font size, a fraction of the canvas height.' }),
      color: colour.optional().meta({ description: 'Text colour; white by default.' }),
      background: colour.optional().meta({ description: 'A box behind the text, padded by 0.2 × size.' }),
      ...times,
    })
    .superRefine(endAfterStart),
  z
    .strictObject({
      kind: z.literal('image'),
      source: objectKey("Object key of a PNG, JPEG or WebP in the recordings' store (MEDIA_ROOT or the bucket)."),
      x: fraction('width'),
      y: fraction('height'),
      width: fraction('width', { positive: true }).meta({
        description: "A fraction of the canvas width; the height follows the image's aspect ratio.",
      }),
      opacity: z
        .number()
        .min(0, { error: 'must be in [0, 1] (0 transparent, 1 opaque)' })
        .max(1, { error: 'must be in [0, 1] (0 transparent, 1 opaque)' })
        .optional()
        .meta({ description: '0 transparent to 1 opaque; 1 by default.' }),
      ...times,
    })
    .superRefine(endAfterStart),
  z
    .strictObject({
      kind: z.literal('drawing'),
      strokes: z
        .array(
          z.strictObject({
            points: z
              .array(point)
              .min(2, { error: `must have 2 to ${LIMITS.pointsPerStroke} points` })
              .max(LIMITS.pointsPerStroke, { error: `must have 2 to ${LIMITS.pointsPerStroke} points` }),
            color: colour,
            width: fraction('height', { positive: true }).meta({ description: 'A fraction of the canvas height.' }),
          }),
        )
        .min(1, { error: `must have 1 to ${LIMITS.strokesPerDrawing} strokes` })
        .max(LIMITS.strokesPerDrawing, { error: `must have 1 to ${LIMITS.strokesPerDrawing} strokes` }),
      ...times,
    })
    .superRefine(endAfterStart),
]);

const CUT = 'a cut is [from, to] in source seconds';

/**
 * A clip's own rules that need no source: `end` after `start`, each cut `from < to` inside [start, end] (as far as
 * the body says where the clip ends), and no two cuts overlapping (named as listed). Past the source's end is
 * mint's to say (422).
 */
function clipRules(clip: { start?: number; end?: number; cuts?: Array<[number, number]> }, ctx: z.RefinementCtx): void {
  const start = clip.start ?? 0;
  if (clip.end !== undefined && clip.end <= start)
    ctx.addIssue({ code: 'custom', path: ['end'], message: `must be after start (${start} s)` });
  const cuts = (clip.cuts ?? []).map(([from, to], i) => ({ from, to, i }));
  for (const { from, to, i } of cuts) {
    if (to <= from) ctx.addIssue({ code: 'custom', path: ['cuts', i], message: `${CUT}, from before to` });
    else if (from < start || (clip.end !== undefined && to > clip.end)) {
      const clipRange = clip.end === undefined ? `from ${start} s on` : `${start}–${clip.end} s`;
      ctx.addIssue({ code: 'custom', path: ['cuts', i], message: `must lie within the clip (${clipRange})` });
    }
  }
  const sorted = cuts.filter((c) => c.to > c.from).sort((a, b) => a.from - b.from || a.to - b.to);
  for (let k = 1; k < sorted.length; k++) {
    if (sorted[k]!.from < sorted[k - 1]!.to)
      ctx.addIssue({ code: 'custom', path: ['cuts', sorted[k]!.i], message: `overlaps cuts[${sorted[k - 1]!.i}]` });
  }
}

export const clipSchema = z
  .strictObject({
    source: objectKey(
      'Object key of the recording, relative to MEDIA_ROOT or the bucket: MP4, MOV, WebM, MPEG-TS, or a DASH (.mpd) or HLS (.m3u8) manifest of chunks.',
    ),
    start: seconds.optional().meta({ description: 'Source seconds where the clip starts; 0 by default.' }),
    end: seconds.optional().meta({ description: "Source seconds where the clip ends; the source's end by default." }),
    cuts: z
      .array(z.tuple([seconds, seconds], { error: CUT }))
      .max(LIMITS.cutsPerClip, { error: `at most ${LIMITS.cutsPerClip} cuts per clip` })
      .optional()
      .meta({ description: `Ranges removed from the clip, each [from, to] in source seconds, in any order.` }),
    noiseSuppression: z
      .boolean()
      .optional()
      .meta({ description: "Overrides the revision's noiseSuppression for this clip." }),
    camera: cameraSchema.optional(),
    layouts: z
      .array(layoutSchema)
      .min(1, { error: `must have 1 to ${LIMITS.layoutsPerClip} layouts` })
      .max(LIMITS.layoutsPerClip, { error: `must have 1 to ${LIMITS.layoutsPerClip} layouts` })
      .optional()
      .meta({ description: 'In order of `at`; a clip with a camera and no layouts shows the bubble.' }),
    audio: z.enum(['screen', 'camera', 'both']).optional().meta({
      description:
        "Whose sound plays (both: mixed); the screen's by default, or the camera's when the screen has none.",
    }),
  })
  .superRefine((clip, ctx) => {
    clipRules(clip, ctx);
    cameraRules(clip, ctx);
  });

/** Points in all the drawings of some overlays. */
export function drawingPoints(
  overlays: ReadonlyArray<{ kind: string; strokes?: Array<{ points: unknown[] }> }>,
): number {
  return overlays.reduce((n, o) => n + (o.strokes ?? []).reduce((m, s) => m + s.points.length, 0), 0);
}

/** The body of `POST /v1/revisions`. */
export const editsSchema = z
  .strictObject({
    clips: z
      .array(clipSchema)
      .min(1, { error: 'must list at least one clip, like [{"source": "landscape.mp4"}]' })
      .max(LIMITS.clips, { error: `at most ${LIMITS.clips} clips per revision` })
      .meta({ description: 'Played one after another.' }),
    noiseSuppression: z
      .boolean()
      .default(false)
      .meta({ description: "RNNoise on every clip's audio, unless a clip says otherwise." }),
    overlays: z
      .array(overlaySchema)
      .max(LIMITS.overlays, { error: `at most ${LIMITS.overlays} overlays per revision` })
      .default([])
      .meta({ description: 'Drawn in order, later ones on top.' }),
    posterTime: seconds
      .optional()
      .meta({ description: "Output seconds of the poster's frame; the middle of the revision by default." }),
  })
  .superRefine((edits, ctx) => {
    const points = drawingPoints(edits.overlays);
    if (points > LIMITS.pointsPerRevision)
      ctx.addIssue({
        code: 'custom',
        path: ['overlays'],
        message: `at most ${LIMITS.pointsPerRevision} drawing points per revision, got ${points}`,
      });
  })
  .meta({ title: 'Edits', description: 'Sources and edits: what a revision is minted from.' });

/** The edits as a client writes them (defaults may be left out). */
export type EditsInput = z.input<typeof editsSchema>;
