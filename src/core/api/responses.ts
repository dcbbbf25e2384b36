import { z } from 'zod';
import type { ImageInfo } from '../picture/image-header.js';
import type { RevisionRecord, SourceInfo } from '../types.js';
import { editsSchema } from '../edits/edits-schema.js';

/**
 * What the API answers, as zod schemas: the OpenAPI document's response schemas (`src/http/openapi.ts`) and the
 * typed client's checks (`src/client/`). The document leaves their objects open (`openapi.ts`): a field added
 * later breaks no client.
 * The stored types (`SourceInfo`, `ImageInfo`, `RevisionRecord`) stay interfaces; `responses.test.ts` checks these
 * schemas describe exactly them.
 */

const revisionId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{22}$/)
  .meta({
    description: 'The revision id: 22 url-safe characters of an HMAC of the canonical edits.',
    examples: ['y1cCtqwbzmFGaN1r1R_12i'],
  });

/** Where a revision plays, and how long it is: what mint answers, and part of what a revision's view shows. */
const playback = {
  revisionId,
  hls: z.string().meta({
    description: 'Path of the HLS multivariant playlist, from the origin or CDN root.',
    examples: ['/play/y1cCtqwbzmFGaN1r1R_12i/master.m3u8'],
  }),
  dash: z.string().meta({
    description: 'Path of the DASH manifest (the same segments).',
    examples: ['/play/y1cCtqwbzmFGaN1r1R_12i/manifest.mpd'],
  }),
  poster: z.string().meta({
    description: 'Path of the poster (JPEG; `.webp` for WebP): the frame at posterTime, or the middle.',
    examples: ['/play/y1cCtqwbzmFGaN1r1R_12i/poster.jpg'],
  }),
  thumbnail: z.string().meta({
    description:
      'Path template of a thumbnail: `{w}` a width (a multiple of 16 from 64 to 1920), `{t}` output seconds.',
    examples: ['/play/y1cCtqwbzmFGaN1r1R_12i/thumbnail/{w}w/{t}.jpg'],
  }),
  storyboard: z.string().meta({
    description: 'Path of the storyboard as WebVTT (cues pointing into sprite sheets with #xywh=).',
    examples: ['/play/y1cCtqwbzmFGaN1r1R_12i/storyboard.vtt'],
  }),
  storyboardJson: z.string().meta({
    description: 'Path of the same storyboard as JSON.',
    examples: ['/play/y1cCtqwbzmFGaN1r1R_12i/storyboard.json'],
  }),
  mp4: z.string().meta({
    description: 'Path of the whole revision as one MP4 file (the top rendition).',
    examples: ['/play/y1cCtqwbzmFGaN1r1R_12i/download.mp4'],
  }),
  m4a: z.string().meta({
    description: "Path of the revision's sound as one M4A file.",
    examples: ['/play/y1cCtqwbzmFGaN1r1R_12i/download.m4a'],
  }),
  duration: z.number().meta({ description: 'Output duration in seconds (after trims, cuts and stitching).' }),
};

/** `POST /v1/revisions`: 201 when new, 200 when the same edits were minted before. */
export const mintedSchema = z.object(playback).meta({ title: 'Minted' });

export const sourceInfoSchema = z
  .object({
    key: z.string(),
    etag: z.string().meta({ description: 'ETag (S3) or mtime+size (files) when probed.' }),
    size: z.number(),
    format: z.string().meta({ description: "ffprobe's format name." }),
    duration: z.number().meta({ description: 'Seconds of video, from the first video frame.' }),
    seekable: z.boolean().optional(),
    video: z.object({
      codec: z.string(),
      width: z.number(),
      height: z.number(),
      displayWidth: z.number(),
      displayHeight: z.number(),
      rotation: z.number(),
      frameRate: z.number(),
      startTime: z.number(),
      matrix: z.string().optional(),
      fullRange: z.boolean().optional(),
    }),
    audio: z
      .object({ codec: z.string(), sampleRate: z.number(), channels: z.number(), startTime: z.number() })
      .optional(),
  })
  .meta({ title: 'SourceInfo', description: 'What a probe learned about a source at mint.' });

export const imageInfoSchema = z
  .object({
    key: z.string(),
    etag: z.string(),
    size: z.number(),
    format: z.enum(['png', 'jpeg', 'webp']),
    width: z.number(),
    height: z.number(),
  })
  .meta({ title: 'ImageInfo', description: "An image overlay's picture, checked at mint." });

/** The edits as stored: canonical (defaults filled, cuts sorted, colours lower-case). */
const storedEdits = editsSchema.meta({ title: 'CanonicalEdits' });

/** `GET /v1/revisions/{revisionId}`: where it plays and how long it is, then the stored revision. */
export const revisionViewSchema = z
  .object({
    ...playback,
    id: revisionId,
    version: z.literal(1),
    createdAt: z.string().meta({ description: 'ISO 8601 time of the first mint.' }),
    edits: storedEdits,
    sources: z.record(z.string(), sourceInfoSchema).meta({ description: 'Probe results by source key.' }),
    images: z.record(z.string(), imageInfoSchema).optional(),
  })
  .meta({ title: 'Revision' });

/** One problem of a request's fields. */
export const fieldProblemSchema = z.object({
  field: z
    .string()
    .meta({ description: 'Its path in the body, e.g. `clips[0].cuts[1]`.', examples: ['clips[0].start'] }),
  message: z.string().meta({ description: 'What is wrong, in plain words.' }),
  code: z.string().meta({ description: 'The error code of this problem.' }),
});

/** Every error answer (4xx, 5xx). */
export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'Stable error code (docs/errors.md).', examples: ['invalid_field'] }),
      message: z.string(),
      field: z.string().optional().meta({ description: 'The first field with a problem.' }),
    }),
    errors: z
      .array(fieldProblemSchema)
      .optional()
      .meta({ description: "Every problem of the request's fields, at once." }),
  })
  .meta({ title: 'Error' });

export type Minted = z.infer<typeof mintedSchema>;
export type RevisionView = z.infer<typeof revisionViewSchema>;
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** The view of a stored revision the API answers with (the one place its shape is put together). */
export function revisionView(
  record: RevisionRecord,
  paths: Omit<Minted, 'revisionId' | 'duration'>,
  duration: number,
): RevisionView {
  return { revisionId: record.id, ...paths, duration, ...record };
}

/** Compile-time: these schemas describe the stored types exactly (a field added to one must go in the other). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const schemasMatchTypes: [
  Same<z.output<typeof sourceInfoSchema>, SourceInfo>,
  Same<z.output<typeof imageInfoSchema>, ImageInfo>,
] = [true, true];
