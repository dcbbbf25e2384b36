import { ErrorCode } from '../../errors.js';
import { isRevisionId } from '../edits/revision.js';

/**
 * The playback URL grammar, in one place: every artifact a revision serves under `/play/<revision>/`,
 * by kind, as a name template. The playlists' relative names, the DASH SegmentTemplate, the paths
 * mint returns and the routes' parser all read this table (a name fits the template with the
 * longest suffix it ends with), so a new kind (posters, storyboards,
 * downloads) is one line here; the route's handlers are keyed by kind, so the compiler then asks
 * for its handler.
 *
 * Each part of a template is a literal name or a placeholder followed by a literal suffix:
 * `{rendition}` is a rendition id (RENDITION), `{index}` a segment number written canonically (INDEX),
 * `{width}` a picture width in pixels (INDEX's form) and `{time}` output seconds to the millisecond
 * written canonically (TIME).
 */
const TEMPLATES = {
  master: 'master.m3u8',
  manifest: 'manifest.mpd',
  playlist: '{rendition}.m3u8',
  init: '{rendition}/init.mp4',
  segment: '{rendition}/{index}.m4s',
  iframes: '{rendition}.iframes.m3u8',
  iframe: '{rendition}/{index}.iframe.m4s',
  poster: 'poster.jpg',
  posterWebp: 'poster.webp',
  thumbnail: 'thumbnail/{width}w/{time}.jpg',
  thumbnailWebp: 'thumbnail/{width}w/{time}.webp',
  storyboard: 'storyboard.vtt',
  storyboardJson: 'storyboard.json',
  storyboardSheet: 'storyboard/{index}.jpg',
  download: 'download.mp4',
  downloadRendition: 'download/{rendition}.mp4',
  downloadAudio: 'download.m4a',
} as const;

/** The kinds of artifact a playback path names (also the metrics' `artifact` label). */
export type ArtifactKind = keyof typeof TEMPLATES;

type Template<K extends ArtifactKind> = (typeof TEMPLATES)[K];

/** The placeholders of a template, each with the type of its value. */
interface PlaceholderValues {
  rendition: string;
  index: number;
  width: number;
  time: number;
}
type Placeholder = keyof PlaceholderValues;

/** What a kind's name is made of: the placeholders its template has (none for a fixed name). */
export type ArtifactParams<K extends ArtifactKind> = {
  [P in Placeholder as Template<K> extends `${string}{${P}}${string}` ? P : never]: PlaceholderValues[P];
};

/** A kind's params as arguments: none for a kind whose name is fixed. */
export type ParamsArg<K extends ArtifactKind> = keyof ArtifactParams<K> extends never
  ? []
  : [params: ArtifactParams<K>];

/** What a playback path of kind K names: the revision, and the rendition and index the kind has. */
export type PlaybackTargetOf<K extends ArtifactKind> = { kind: K; revisionId: string } & ArtifactParams<K>;

/** What a playback path names, whichever kind. */
export type PlaybackTarget = { [K in ArtifactKind]: PlaybackTargetOf<K> }[ArtifactKind];

/** Why a path names no artifact: the error code and message the HTTP edge answers with. */
export interface PathError {
  error: ErrorCode;
  message: string;
}

/** Rendition ids as they may appear in a path: lower-case letters and digits (`720p`, `audio`). */
const RENDITION = /^[a-z0-9]{1,16}$/;
/**
 * A segment index written the one canonical way: "012.m4s" would be segment 12 under a second URL,
 * a second CDN cache entry and a second job. Nine digits at most, far above any grid.
 */
const INDEX = /^(?:0|[1-9]\d{0,8})$/;
/**
 * Output seconds written the one canonical way: to the millisecond at most, without a trailing zero
 * ("1.50" is 1.5 under a second URL, and a second picture in the CDN's cache).
 */
const TIME = /^(?:0|[1-9]\d{0,5})(?:\.\d{0,2}[1-9])?$/;
const NUMERIC: ReadonlySet<Placeholder> = new Set(['index', 'width', 'time']);

/** One part of a template: a literal name (`text`), or a placeholder then a literal suffix (`text`). */
interface Piece {
  placeholder?: Placeholder;
  text: string;
}

interface Shape {
  kind: ArtifactKind;
  pieces: Piece[];
}

const SHAPES: Shape[] = Object.entries(TEMPLATES).map(([kind, template]) => ({
  kind: kind as ArtifactKind,
  pieces: template.split('/').map((part) => {
    const m = /^\{(rendition|index|width|time)\}(.*)$/.exec(part);
    return m ? { placeholder: m[1] as Placeholder, text: m[2]! } : { text: part };
  }),
}));

/** A template with its placeholders replaced (by the empty string where no value is given). */
function fill(template: string, values: Partial<Record<Placeholder, string>>): string {
  return template.replace(/\{(rendition|index|width|time)\}/g, (_, name: Placeholder) => values[name] ?? '');
}

/**
 * An artifact's name relative to its revision's directory (`720p.m3u8`, `720p/init.mp4`,
 * `720p/3.m4s`): what the playlists and the manifest list, resolved by players against their URL.
 */
export function artifactName<K extends ArtifactKind>(kind: K, ...[params]: ParamsArg<K>): string {
  const values = Object.entries((params ?? {}) as Partial<PlaceholderValues>).map(([k, v]) => [k, String(v)]);
  return fill(TEMPLATES[kind], Object.fromEntries(values) as Partial<Record<Placeholder, string>>);
}

/** Where playback paths start; the revision's directory is under it. */
export const PLAYBACK_PREFIX = '/play';

/** An artifact's absolute path on the origin (and the CDN): `/play/<revision>/<name>`. */
export function artifactPath<K extends ArtifactKind>(revisionId: string, kind: K, ...params: ParamsArg<K>): string {
  return `${PLAYBACK_PREFIX}/${revisionId}/${artifactName(kind, ...params)}`;
}

/**
 * Every kind's path as an OpenAPI path template (`/play/{revisionId}/{rendition}/{index}.m4s`): the templates'
 * placeholders are already written that way.
 */
export function artifactPathTemplate(kind: ArtifactKind): string {
  return `${PLAYBACK_PREFIX}/{revisionId}/${TEMPLATES[kind]}`;
}

/** The kinds of artifact, in the grammar's order. */
export const ARTIFACT_KINDS = Object.keys(TEMPLATES) as ArtifactKind[];

/**
 * Where a revision plays, shows and downloads (what mint answers): HLS and DASH over the same
 * segments, its poster, its thumbnails as a template with `{t}` for output seconds and `{w}` for a
 * width, its storyboard (WebVTT and JSON), and the whole revision as an MP4 (the top rendition) and an
 * M4A file.
 */
export function playbackPaths(revisionId: string) {
  return {
    hls: artifactPath(revisionId, 'master'),
    dash: artifactPath(revisionId, 'manifest'),
    poster: artifactPath(revisionId, 'poster'),
    thumbnail: `${PLAYBACK_PREFIX}/${revisionId}/${fill(TEMPLATES.thumbnail, { width: '{w}', time: '{t}' })}`,
    storyboard: artifactPath(revisionId, 'storyboard'),
    storyboardJson: artifactPath(revisionId, 'storyboardJson'),
    mp4: artifactPath(revisionId, 'download'),
    m4a: artifactPath(revisionId, 'downloadAudio'),
  };
}

/** The DASH SegmentTemplate's attributes: the init and segment names with DASH's identifiers. */
export const dashSegmentTemplate = {
  initialization: fill(TEMPLATES.init, { rendition: '$RepresentationID$' }),
  media: fill(TEMPLATES.segment, { rendition: '$RepresentationID$', index: '$Number$' }),
};

function notFound(message: string): PathError {
  return { error: ErrorCode.NotFound, message };
}

/** An example of each numeric placeholder's value, for the message of a name that breaks its rule. */
const EXAMPLE: Partial<Record<Placeholder, string>> = { index: '0', width: '320', time: '12.5' };

/**
 * 400: a name where a number goes that is not written canonically (`012.m4s`, `1e3.m4s`, `0.ts`,
 * `1.50.jpg`).
 */
function badNumber(shape: Shape, piece: Piece, part: string): PathError {
  const message = `${JSON.stringify(part)} is not a ${shape.kind} name like ${EXAMPLE[piece.placeholder!]}${piece.text}`;
  return { error: ErrorCode.BadPath, message };
}

/** The error a placeholder's value earns when it breaks its rule. */
function badValue(shape: Shape, piece: Piece, part: string, value: string): PathError | undefined {
  if (piece.placeholder === 'rendition')
    return RENDITION.test(value) ? undefined : notFound(`no rendition ${JSON.stringify(value)}`);
  return (piece.placeholder === 'time' ? TIME : INDEX).test(value) ? undefined : badNumber(shape, piece, part);
}

/** Whether `part` is a placeholder's value (not empty) followed by its suffix. */
function fits(piece: Piece, part: string): boolean {
  return piece.placeholder !== undefined && part.length > piece.text.length && part.endsWith(piece.text);
}

/**
 * What a playback path names, from its parts after `/play/` as the router decoded them (the revision
 * id, then one part per level: `['<id>', '720p', '3.m4s']`). Parts are matched left to right, a
 * literal name before a placeholder. An unknown file is 404 `not_found`, and so is a malformed
 * rendition; where an index goes, any name that is not a canonical index is 400 `bad_path`; a
 * malformed revision id, checked last, is 404 `revision_not_found` (as an unknown one is).
 */
export function parsePlaybackPath(parts: readonly string[]): PlaybackTarget | PathError {
  const [revisionId = '', ...rest] = parts;
  let shapes = SHAPES.filter((s) => s.pieces.length === rest.length);
  if (!shapes.length) return notFound(`no file ${JSON.stringify(rest.join('/'))}`);
  const values: Partial<Record<Placeholder, string>> = {};
  for (const [i, part] of rest.entries()) {
    const literal = shapes.filter((s) => !s.pieces[i]!.placeholder && s.pieces[i]!.text === part);
    if (literal.length) {
      shapes = literal;
      continue;
    }
    // The longest suffix that fits: `3.iframe.m4s` is an I-frame segment, not segment "3.iframe".
    const shape = shapes
      .filter((s) => fits(s.pieces[i]!, part))
      .sort((a, b) => b.pieces[i]!.text.length - a.pieces[i]!.text.length)[0];
    if (!shape) {
      const numbered = shapes.find((s) => NUMERIC.has(s.pieces[i]!.placeholder!));
      return numbered ? badNumber(numbered, numbered.pieces[i]!, part) : notFound(`no file ${JSON.stringify(part)}`);
    }
    const piece = shape.pieces[i]!;
    const value = part.slice(0, part.length - piece.text.length);
    const bad = badValue(shape, piece, part, value);
    if (bad) return bad;
    values[piece.placeholder!] = value;
    shapes = shapes.filter((s) => s.pieces[i]!.placeholder === piece.placeholder && s.pieces[i]!.text === piece.text);
  }
  if (!isRevisionId(revisionId))
    return { error: ErrorCode.RevisionNotFound, message: `no revision ${JSON.stringify(revisionId)}` };
  const parsed = Object.entries(values).map(([k, v]) => [k, NUMERIC.has(k as Placeholder) ? Number(v) : v]);
  return { kind: shapes[0]!.kind, revisionId, ...Object.fromEntries(parsed) } as PlaybackTarget;
}
