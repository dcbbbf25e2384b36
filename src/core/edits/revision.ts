import { createHmac } from 'node:crypto';
import { ErrorCode, fieldErrors } from '../../errors.js';
import { editsSchema } from './edits-schema.js';
import { fieldProblems, plainWords } from './field-problems.js';
import { canonicalOverlay } from './overlays.js';
import { canonicalLayout } from './layouts.js';
import type { Edits } from '../types.js';

/**
 * Validates a mint request body against the contract (`editsSchema`) and reports every problem at once, in plain
 * words, each naming its field: `invalid_field` (400: wrong whatever the sources are). What needs the sources is
 * checked at mint (`invalid_edit`, 422).
 */
export function parseEdits(body: unknown): Edits {
  const parsed = editsSchema.safeParse(body, { error: plainWords });
  if (!parsed.success) throw fieldErrors(ErrorCode.InvalidField, fieldProblems(parsed.error.issues));
  const edits = parsed.data;
  const { clips, noiseSuppression, overlays, posterTime } = edits;
  return { clips, noiseSuppression, overlays, ...(posterTime === undefined ? {} : { posterTime }) };
}

/**
 * The edits in canonical form, so the same edits written differently mint the same revision:
 * - cuts sorted by position;
 * - noise suppression as the first clip's effective setting at the top, and a clip's own
 *   `noiseSuppression` only where it differs from that (`{ noiseSuppression: false, clips: [{ a,
 *   noiseSuppression: true }] }` and `{ noiseSuppression: true, clips: [{ a }] }` are one revision);
 * - overlays and layouts with one spelling per colour and their defaults left out (`canonicalOverlay`,
 *   `canonicalLayout`), and a camera's offset of 0 too.
 * Validate first: error fields name positions as the client sent them.
 */
export function canonicalEdits(edits: Edits): Edits {
  const effective = edits.clips.map((c) => c.noiseSuppression ?? edits.noiseSuppression);
  const noiseSuppression = effective[0]!;
  const clips = edits.clips.map((c, i) => {
    const { noiseSuppression: _override, ...clip } = c;
    if (clip.cuts) clip.cuts = [...clip.cuts].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    if (clip.camera) clip.camera = { source: clip.camera.source, offset: clip.camera.offset || undefined };
    if (clip.layouts) clip.layouts = clip.layouts.map(canonicalLayout);
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
