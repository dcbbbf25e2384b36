import { posix } from 'node:path';
import { Parser as M3u8Parser } from 'm3u8-parser';
import { parse as parseMpd } from 'mpd-parser';
import { objectKeyProblem } from '../../core/edits/object-key.js';
import { LIMITS } from '../../core/edits/limits.js';
import { UnusableSourceError } from '../../errors.js';
import type { Demuxer } from './container.js';

/** One chunk of a track: its object key, and where it sits on the recording's clock (seconds). */
export interface ManifestChunk {
  key: string;
  start: number;
  duration: number;
}

/** One track of a chunked recording: its init segment (if any) and media chunks, in order. */
export interface ManifestTrack {
  /** What the track carries: a DASH recording has a video and an audio track, an HLS one both in one. */
  kind: 'video' | 'audio' | 'muxed';
  init?: string;
  chunks: ManifestChunk[];
}

/** A chunked recording as its manifest describes it. */
export interface ChunkedRecording {
  tracks: ManifestTrack[];
  /**
   * Every chunk starts with a keyframe (DASH `startWithSAP` 1 or 2, HLS `EXT-X-INDEPENDENT-SEGMENTS`):
   * a stretch of the recording can be read from the chunks around it alone.
   */
  independent: boolean;
}

/** Chunk containers, by extension, and the ffmpeg demuxer forced on them (never guessed). */
const CHUNK_DEMUXERS: Record<string, Demuxer> = {
  '.webm': 'matroska',
  '.mkv': 'matroska',
  '.ts': 'mpegts',
  '.m4s': 'mov',
  '.mp4': 'mov',
  '.m4v': 'mov',
  '.m4a': 'mov',
};

/** True for keys that name a manifest of chunks rather than a media file. */
export function isManifestKey(key: string): boolean {
  return /\.(mpd|m3u8)$/i.test(key);
}

/** The demuxer for a track's chunks; a chunk of any other kind makes the source unusable. */
export function chunkDemuxer(key: string): Demuxer {
  const demuxer = CHUNK_DEMUXERS[posix.extname(key).toLowerCase()];
  if (!demuxer) throw new UnusableSourceError(`has a chunk of an unsupported kind (${posix.basename(key)})`);
  return demuxer;
}

/**
 * The object key a manifest's URI names: relative to the manifest's folder, and never outside the
 * bucket or media root — an absolute URL, an absolute path or a `..` that climbs out is refused.
 */
export function chunkKey(manifestKey: string, uri: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(uri) || uri.startsWith('/'))
    throw new UnusableSourceError(`points outside the bucket (${uri})`);
  let path: string;
  try {
    path = decodeURIComponent(uri.split(/[?#]/)[0]!);
  } catch {
    throw new UnusableSourceError(`has a chunk URI that is not valid percent-encoding (${uri.slice(0, 100)})`);
  }
  const key = posix.normalize(posix.join(posix.dirname(manifestKey), path));
  if (key.startsWith('../') || key === '..' || objectKeyProblem(key))
    throw new UnusableSourceError(`points outside the bucket (${uri})`);
  return key;
}

/**
 * A DASH MPD (the highest-bandwidth video representation, and the first audio one when audio is
 * separate) or an HLS media playlist, with every URI resolved and checked and each chunk's timing.
 */
export function readManifest(manifestKey: string, text: string): ChunkedRecording {
  const track = (
    kind: ManifestTrack['kind'],
    segments: Array<{ uri: string; duration: number; presentationTime?: number; map?: { uri: string } }>,
  ): ManifestTrack => {
    if (segments.length === 0) throw new UnusableSourceError('lists no media chunks');
    const init = segments[0]!.map?.uri;
    let at = 0;
    const chunks = segments.map((s) => {
      const start = s.presentationTime ?? at;
      at = start + s.duration;
      return { key: chunkKey(manifestKey, s.uri), start, duration: s.duration };
    });
    return { kind, init: init ? chunkKey(manifestKey, init) : undefined, chunks };
  };
  if (/\.m3u8$/i.test(manifestKey)) {
    const parser = new M3u8Parser();
    parser.push(text);
    parser.end();
    if ((parser.manifest.playlists?.length ?? 0) > 0)
      throw new UnusableSourceError('is an HLS multivariant playlist; give a media playlist of the recording');
    if (parser.manifest.segments.length > LIMITS.manifestChunks)
      throw new UnusableSourceError(`lists more than ${LIMITS.manifestChunks} chunks`);
    return checked({
      tracks: [track('muxed', parser.manifest.segments)],
      independent: parser.manifest.independentSegments === true,
    });
  }
  refuseMpdBomb(text);
  let manifest: ReturnType<typeof parseMpd>;
  try {
    manifest = parseMpd(text, { manifestUri: '' });
  } catch {
    throw new UnusableSourceError('is not a DASH manifest mpd-parser can read');
  }
  const video = [...manifest.playlists].sort((a, b) => b.attributes.BANDWIDTH - a.attributes.BANDWIDTH)[0];
  if (!video) throw new UnusableSourceError('has no video representation');
  const audioGroup = Object.values(manifest.mediaGroups.AUDIO ?? {})[0];
  const audio = audioGroup ? Object.values(audioGroup)[0]?.playlists[0] : undefined;
  // mpd-parser drops startWithSAP; every video AdaptationSet must declare a SAP at each segment start.
  const videoSets = text.match(/<AdaptationSet\b[^>]*contentType="video"[^>]*>/g) ?? [];
  const independent = videoSets.length > 0 && videoSets.every((tag) => /\bstartWithSAP="[12]"/.test(tag));
  return checked({
    tracks: [track('video', video.segments), ...(audio ? [track('audio', audio.segments)] : [])],
    independent,
  });
}

/** Chunk timing a player could use: finite, positive durations, within the longest recording accepted. */
function checked(recording: ChunkedRecording): ChunkedRecording {
  for (const track of recording.tracks) {
    const last = track.chunks.at(-1)!;
    const valid = track.chunks.every(
      (c) => Number.isFinite(c.start) && Number.isFinite(c.duration) && c.duration > 0 && c.start >= 0,
    );
    if (!valid) throw new UnusableSourceError('has chunks without a valid start and duration');
    if (last.start + last.duration > LIMITS.sourceSeconds)
      throw new UnusableSourceError(`is longer than ${LIMITS.sourceSeconds / 3600} hours`);
  }
  return recording;
}

/** Seconds of an ISO 8601 duration as MPDs write them ("PT1H2M3.5S", "P1DT2H"); NaN if it is not one. */
function isoSeconds(text: string | undefined): number {
  const m = text
    ? /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text)
    : null;
  if (!m) return NaN;
  const [d, h, min, sec] = m.slice(1).map((v) => Number(v ?? 0));
  return d! * 86400 + h! * 3600 + min! * 60 + sec!;
}

/**
 * Refuses an MPD that would expand into more chunks than the cap before any parser expands it: a
 * 455-byte `<S d="1" r="3000000"/>` is three million segments (measured: 15 s of a blocked event loop
 * and 1.4 GB with mpd-parser). Counts SegmentTimeline repeats, SegmentURLs, and SegmentTemplate
 * durations over the presentation's length.
 */
function refuseMpdBomb(text: string): void {
  const attr = (tag: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1];
  const presentation = isoSeconds(attr(/<MPD\b[^>]*>/.exec(text)?.[0] ?? '', 'mediaPresentationDuration'));
  if (presentation > LIMITS.sourceSeconds)
    throw new UnusableSourceError(`is longer than ${LIMITS.sourceSeconds / 3600} hours`);
  let chunks = 0;
  let timescale = 1;
  // Tags in document order: a timescale applies to the S elements after it.
  for (const [tag, name] of text.matchAll(/<(SegmentTemplate|SegmentList|SegmentBase|SegmentURL|S)\b[^>]*>/g)) {
    if (name === 'SegmentURL') {
      chunks += 1;
      continue;
    }
    if (name !== 'S') {
      timescale = Number(attr(tag, 'timescale') ?? 1) || 1;
      const duration = Number(attr(tag, 'duration'));
      // A template or list with a duration and no timeline: one chunk per duration.
      if (name === 'SegmentTemplate' && duration > 0)
        chunks += Number.isFinite(presentation)
          ? Math.ceil(presentation / (duration / timescale))
          : Number.POSITIVE_INFINITY;
      continue;
    }
    const repeat = Number(attr(tag, 'r') ?? 0);
    const d = Number(attr(tag, 'd'));
    // r="-1": repeat to the end of the presentation, one chunk per d.
    if (repeat < 0)
      chunks +=
        d > 0 && Number.isFinite(presentation) ? Math.ceil(presentation / (d / timescale)) : Number.POSITIVE_INFINITY;
    else chunks += 1 + (Number.isFinite(repeat) ? repeat : Number.POSITIVE_INFINITY);
  }
  if (!(chunks <= LIMITS.manifestChunks * 4))
    throw new UnusableSourceError(`lists more than ${LIMITS.manifestChunks} chunks per track`);
}

/** The chunks of a track that cover [from, to) seconds of the recording's clock. */
export function chunksCovering(track: ManifestTrack, from: number, to: number): ManifestChunk[] {
  let first = 0;
  while (first + 1 < track.chunks.length && track.chunks[first + 1]!.start <= from) first++;
  const covering: ManifestChunk[] = [];
  for (let i = first; i < track.chunks.length; i++) {
    const chunk = track.chunks[i]!;
    if (i > first && chunk.start >= to) break;
    covering.push(chunk);
  }
  return covering;
}
