import type { Plan } from '../plan.js';
import { audioCodec, peakBandwidth, videoCodec } from '../plan.js';
import { artifactName } from './playback-urls.js';

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
  return `${lines.join('\n')}\n`;
}

/**
 * A VOD media playlist (RFC 8216 §4.3.3): EXT-X-TARGETDURATION is the ceiling of the longest EXTINF,
 * so every EXTINF rounded to the nearest integer stays within it (§4.3.3.1).
 */
export function renderMediaPlaylist(plan: Plan, renditionId: string): string {
  const durations =
    plan.audio && renditionId === plan.audio.id
      ? plan.audio.slices.map((s) => s.duration)
      : plan.grid.segments.map((s) => s.duration);
  const target = Math.max(1, Math.ceil(Math.max(...durations) - 1e-9));
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    `#EXT-X-TARGETDURATION:${target}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXT-X-INDEPENDENT-SEGMENTS',
    `#EXT-X-MAP:URI="${artifactName('init', { rendition: renditionId })}"`,
  ];
  durations.forEach((d, i) =>
    lines.push(`#EXTINF:${decimal(d)},`, artifactName('segment', { rendition: renditionId, index: i })),
  );
  lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}
