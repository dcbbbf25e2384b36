import { posix } from 'node:path';
import { Parser as M3u8Parser } from 'm3u8-parser';
import { parse as parseMpd } from 'mpd-parser';
import { objectKeyProblem } from '../core/object-key.js';
import { UnusableSourceError } from './probe.js';

/** One track of a chunked recording: its init segment (if any) and media chunks, as object keys. */
export interface ManifestTrack {
  init?: string;
  chunks: string[];
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
 * The tracks of a DASH MPD (the highest-bandwidth video representation, and the first audio one when
 * audio is separate) or of an HLS media playlist, with every URI resolved and checked.
 */
export function manifestTracks(manifestKey: string, text: string): ManifestTrack[] {
  const track = (segments: Array<{ uri: string; map?: { uri: string } }>): ManifestTrack => {
    if (segments.length === 0) throw new UnusableSourceError('lists no media chunks');
    const init = segments[0]!.map?.uri;
    return { init: init ? chunkKey(manifestKey, init) : undefined, chunks: segments.map((s) => chunkKey(manifestKey, s.uri)) };
  };
  if (/\.m3u8$/i.test(manifestKey)) {
    const parser = new M3u8Parser();
    parser.push(text);
    parser.end();
    if ((parser.manifest.playlists?.length ?? 0) > 0) throw new UnusableSourceError('is an HLS multivariant playlist; give a media playlist of the recording');
    return [track(parser.manifest.segments)];
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
  return [track(video.segments), ...(audio ? [track(audio.segments)] : [])];
}
