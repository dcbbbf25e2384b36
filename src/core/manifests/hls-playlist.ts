import type { Plan } from '../plan.js';
import { audioCodec, peakBandwidth, videoCodec } from '../plan.js';
import { artifactName } from './playback-urls.js';
import type { VideoRendition } from '../picture/ladder.js';
import type { SegmentGrid } from '../timeline/segment-grid.js';

const AUDIO_GROUP = 'audio';

/** Seconds as HLS decimal-floating-point with microsecond precision, trailing zeros trimmed. */
function decimal(seconds: number): string {
  return seconds.toFixed(6).replace(/\.?0+$/, '');
}

/**
 * The multivariant (master) playlist. Per RFC 8216 §4.3.4.2 each variant carries BANDWIDTH (peak),
 * and per Apple's HLS authoring spec AVERAGE-BANDWIDTH, CODECS, RESOLUTION and FRAME-RATE. The start
 * rendition is listed first because players start on the first variant.
 */
export function renderMasterPlaylist(plan: Plan): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];
  const audio = plan.audio;
  if (audio) {
    lines.push(
      `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="${AUDIO_GROUP}",NAME="Main",LANGUAGE="und",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="${audio.channels}",URI="${artifactName('playlist', { rendition: audio.id })}"`,
    );
  }
  const ordered = [...plan.video].sort((a, b) =>
    a.id === plan.startRendition ? -1 : b.id === plan.startRendition ? 1 : 0,
  );
  for (const r of ordered) {
    const audioBits = audio ? Math.ceil(audio.bitrate * 1.05) : 0;
    const attrs = [
      `BANDWIDTH=${peakBandwidth(r, plan.grid) + audioBits}`,
      `AVERAGE-BANDWIDTH=${r.maxBitrate + audioBits}`,
      `CODECS="${[videoCodec(r), ...(audio ? [audioCodec] : [])].join(',')}"`,
      `RESOLUTION=${r.width}x${r.height}`,
      `FRAME-RATE=${plan.fps.toFixed(3)}`,
      ...(audio ? [`AUDIO="${AUDIO_GROUP}"`] : []),
      'CLOSED-CAPTIONS=NONE',
    ];
    lines.push(`#EXT-X-STREAM-INF:${attrs.join(',')}`, artifactName('playlist', { rendition: r.id }));
  }
  // Trick play (Apple's HLS authoring spec): an I-frame playlist for each video rendition.
  for (const r of ordered) {
    const attrs = [
      `BANDWIDTH=${iFrameBandwidth(r, plan.grid)}`,
      `CODECS="${videoCodec(r)}"`,
      `RESOLUTION=${r.width}x${r.height}`,
      `URI="${artifactName('iframes', { rendition: r.id })}"`,
    ];
    lines.push(`#EXT-X-I-FRAME-STREAM-INF:${attrs.join(',')}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Peak bits per second of an I-frame playlist: each entry is one I-frame, at most the VBV buffer's
 * initial fill (90%), shown for a segment's duration; 10% for the container, as peakBandwidth.
 */
function iFrameBandwidth(rendition: VideoRendition, grid: SegmentGrid): number {
  const shortest = Math.min(...grid.segments.map((s) => s.duration));
  return Math.ceil(((0.9 * rendition.bufferBits) / shortest) * 1.1);
}

/**
 * A video rendition's I-frame playlist (RFC 8216 §4.3.3.6, EXT-X-I-FRAMES-ONLY): the first frame of
 * each segment — every segment is one GOP, so these are all its I-frames — each lasting until the
 * next one, as an I-frame segment of its own (one frame, the rendition's init segment). Byte ranges
 * into the segments would need every segment made before the playlist could say where its I-frame
 * ends; an I-frame segment costs one frame.
 */
export function renderIFramePlaylist(plan: Plan, renditionId: string): string {
  const durations = plan.grid.segments.map((s) => s.duration);
  return vodPlaylist(renditionId, durations, 'iframe', ['#EXT-X-I-FRAMES-ONLY']);
}

/** A VOD media playlist (RFC 8216 §4.3.3). */
export function renderMediaPlaylist(plan: Plan, renditionId: string): string {
  const durations =
    plan.audio && renditionId === plan.audio.id
      ? plan.audio.slices.map((s) => s.duration)
      : plan.grid.segments.map((s) => s.duration);
  return vodPlaylist(renditionId, durations, 'segment');
}

/**
 * A VOD playlist of a rendition's segments (or I-frame segments) over its init segment.
 * EXT-X-TARGETDURATION is the ceiling of the longest EXTINF, so every EXTINF rounded to the nearest
 * integer stays within it (RFC 8216 §4.3.3.1).
 */
function vodPlaylist(
  rendition: string,
  durations: readonly number[],
  kind: 'segment' | 'iframe',
  tags: readonly string[] = [],
): string {
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    `#EXT-X-TARGETDURATION:${Math.max(1, Math.ceil(Math.max(...durations) - 1e-9))}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    ...tags,
    '#EXT-X-INDEPENDENT-SEGMENTS',
    `#EXT-X-MAP:URI="${artifactName('init', { rendition })}"`,
  ];
  durations.forEach((d, i) => lines.push(`#EXTINF:${decimal(d)},`, artifactName(kind, { rendition, index: i })));
  lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}
