import { posix } from 'node:path';
import { Parser as M3u8Parser } from 'm3u8-parser';
import { parse as parseMpd } from 'mpd-parser';
import { objectKeyProblem } from '../core/object-key.js';
import { UnusableSourceError } from './probe.js';

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
const CHUNK_DEMUXERS: Record<string, string> = { '.webm': 'matroska', '.mkv': 'matroska', '.ts': 'mpegts', '.m4s': 'mov', '.mp4': 'mov', '.m4v': 'mov', '.m4a': 'mov' };

/** True for keys that name a manifest of chunks rather than a media file. */
export function isManifestKey(key: string): boolean {
  return /\.(mpd|m3u8)$/i.test(key);
}

/** The demuxer for a track's chunks; a chunk of any other kind makes the source unusable. */
export function chunkDemuxer(key: string): string {
  const demuxer = CHUNK_DEMUXERS[posix.extname(key).toLowerCase()];
  if (!demuxer) throw new UnusableSourceError(`has a chunk of an unsupported kind (${posix.basename(key)})`);
  return demuxer;
}

/**
 * The object key a manifest's URI names: relative to the manifest's folder, and never outside the
 * bucket or media root — an absolute URL, an absolute path or a `..` that climbs out is refused.
 */
export function chunkKey(manifestKey: string, uri: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(uri) || uri.startsWith('/')) throw new UnusableSourceError(`points outside the bucket (${uri})`);
  const key = posix.normalize(posix.join(posix.dirname(manifestKey), decodeURIComponent(uri.split(/[?#]/)[0]!)));
  if (key.startsWith('../') || key === '..' || objectKeyProblem(key)) throw new UnusableSourceError(`points outside the bucket (${uri})`);
  return key;
}

/**
 * A DASH MPD (the highest-bandwidth video representation, and the first audio one when audio is
 * separate) or an HLS media playlist, with every URI resolved and checked and each chunk's timing.
 */
export function readManifest(manifestKey: string, text: string): ChunkedRecording {
  const track = (kind: ManifestTrack['kind'], segments: Array<{ uri: string; duration: number; presentationTime?: number; map?: { uri: string } }>): ManifestTrack => {
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
    if ((parser.manifest.playlists?.length ?? 0) > 0) throw new UnusableSourceError('is an HLS multivariant playlist; give a media playlist of the recording');
    return { tracks: [track('muxed', parser.manifest.segments)], independent: parser.manifest.independentSegments === true };
  }
  let manifest;
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
  return { tracks: [track('video', video.segments), ...(audio ? [track('audio', audio.segments)] : [])], independent };
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
