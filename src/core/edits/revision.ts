import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { ErrorCode, OriginError } from '../../errors.js';
import { LIMITS } from './limits.js';
import { objectKeyProblem } from './object-key.js';
import { canonicalOverlay, checkOverlay, overlaySchema } from './overlays.js';
import type { Edits } from '../types.js';

/** The most clips one revision may stitch; documented in the README. */
export const MAX_CLIPS = LIMITS.clips;

const seconds = z.number().finite().min(0).max(LIMITS.sourceSeconds);

const clipSchema = z.strictObject({
  source: z.string().superRefine((key, ctx) => {
    const problem = objectKeyProblem(key);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  start: seconds.optional(),
  end: seconds.optional(),
  cuts: z
    .array(z.tuple([seconds, seconds]))
    .max(LIMITS.cutsPerClip)
    .optional(),
  noiseSuppression: z.boolean().optional(),
});

const editsSchema = z.strictObject({
  clips: z.array(clipSchema).min(1),
  noiseSuppression: z.boolean().default(false),
  overlays: z.array(overlaySchema).default([]),
  posterTime: seconds.optional(),
});

/** `clips[0].source` style path for an error's `field`. */
function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>(
    (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)),
    '',
  );
}

/**
 * Validates a mint request body. Shape errors (wrong types, unknown fields) are `invalid_field`
 * (400); values that cannot make a video are `invalid_edit` (422). Both name the field by its path.
 */
export function parseEdits(body: unknown): Edits {
  const parsed = editsSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    const field = fieldPath([...issue.path, ...keys.slice(0, 1)]) || '(body)';
    throw new OriginError(ErrorCode.InvalidField, `${field}: ${issue.message}`, field);
  }
  const edits = parsed.data;
  checkCounts(edits);
  for (const [i, overlay] of edits.overlays.entries()) checkOverlay(overlay, `overlays[${i}]`);
  const { clips, noiseSuppression, overlays, posterTime } = edits;
  return { clips, noiseSuppression, overlays, ...(posterTime === undefined ? {} : { posterTime }) };
}

function checkCounts(edits: z.infer<typeof editsSchema>): void {
  const tooMany = (field: string, what: string, limit: number, count: number) => {
    if (count > limit)
      throw new OriginError(
        ErrorCode.InvalidEdit,
        `${field}: at most ${limit} ${what} per revision, got ${count}`,
        field,
      );
  };
  tooMany('clips', 'clips', MAX_CLIPS, edits.clips.length);
  tooMany('overlays', 'overlays', LIMITS.overlays, edits.overlays.length);
  const points = edits.overlays.reduce(
    (n, o) => n + (o.kind === 'drawing' ? o.strokes.reduce((m, s) => m + s.points.length, 0) : 0),
    0,
  );
  tooMany('overlays', 'drawing points', LIMITS.pointsPerRevision, points);
}

/**
 * The edits in canonical form, so the same edits written differently mint the same revision:
 * - cuts sorted by position;
 * - noise suppression as the first clip's effective setting at the top, and a clip's own
 *   `noiseSuppression` only where it differs from that (`{ noiseSuppression: false, clips: [{ a,
 *   noiseSuppression: true }] }` and `{ noiseSuppression: true, clips: [{ a }] }` are one revision);
 * - overlays with one spelling per colour and their defaults left out (`canonicalOverlay`).
 * Validate first: error fields name positions as the client sent them.
 */
export function canonicalEdits(edits: Edits): Edits {
  const effective = edits.clips.map((c) => c.noiseSuppression ?? edits.noiseSuppression);
  const noiseSuppression = effective[0]!;
  const clips = edits.clips.map((c, i) => {
    const { noiseSuppression: _override, ...clip } = c;
    if (clip.cuts) clip.cuts = [...clip.cuts].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    return effective[i] === noiseSuppression ? clip : { ...clip, noiseSuppression: effective[i] };
  });
  return { ...edits, noiseSuppression, clips, overlays: edits.overlays.map(canonicalOverlay) };
}

/** JSON with object keys sorted at every level: the same edits always give the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Length of a revision id: 22 base64url characters carry 132 bits of the HMAC. */
export const REVISION_ID_LENGTH = 22;
const REVISION_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/**
 * The revision id: HMAC-SHA256 of the canonical edits under the server's secret, url-safe. The same
 * edits mint the same id (CDN caches keep hitting); without the secret, ids cannot be guessed.
 */
export function revisionId(edits: Edits, secret: string): string {
  return createHmac('sha256', secret)
    .update(`avserver-revision-v1\n${canonicalJson(edits)}`)
    .digest('base64url')
    .slice(0, REVISION_ID_LENGTH);
}

export function isRevisionId(value: string): boolean {
  return REVISION_ID_PATTERN.test(value);
}
