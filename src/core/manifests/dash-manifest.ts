import { AAC_FRAME_SAMPLES, AUDIO_SAMPLE_RATE, VIDEO_TIMESCALE } from '../timeline/media-units.js';
import { audioCodec, peakBandwidth, videoCodec, type Plan } from '../plan.js';
import { dashSegmentTemplate } from './playback-urls.js';

/** ISO 8601 duration with millisecond precision, as MPD attributes take it ("PT12.345S"). */
function isoDuration(seconds: number): string {
  return `PT${seconds.toFixed(3)}S`;
}

/** A SegmentTimeline (ISO/IEC 23009-1 §5.3.9.6): runs of equal durations collapse into `r` repeats. */
function segmentTimeline(durations: number[]): string {
  const rows: string[] = [];
  let t = 0;
  for (let i = 0; i < durations.length;) {
    const d = durations[i]!;
    let repeat = 0;
    while (durations[i + repeat + 1] === d) repeat++;
    rows.push(`<S ${i === 0 ? `t="${t}" ` : ''}d="${d}"${repeat ? ` r="${repeat}"` : ''}/>`);
    t += d * (repeat + 1);
    i += repeat + 1;
  }
  return rows.join('');
}

/**
 * The DASH manifest (a static MPD, ISO/IEC 23009-1 live profile with SegmentTemplate) over the very
 * same CMAF segments as the HLS playlists, named by the same templates (`$RepresentationID$/init.mp4`,
 * `…/$Number$.m4s`), a SegmentTimeline in each track's own timescale, one video AdaptationSet (every
 * rendition, aligned segments) and one audio AdaptationSet.
 */
export function renderDashManifest(plan: Plan): string {
  const template = (timescale: number, durations: number[]) =>
    `<SegmentTemplate timescale="${timescale}" initialization="${dashSegmentTemplate.initialization}" media="${dashSegmentTemplate.media}" startNumber="0"><SegmentTimeline>${segmentTimeline(durations)}</SegmentTimeline></SegmentTemplate>`;
  const videoDurations = plan.grid.segments.map((s) => (s.frameCount * VIDEO_TIMESCALE) / plan.fps);
  const top = plan.video[0]!;
  const video = [
    `<AdaptationSet id="0" contentType="video" mimeType="video/mp4" segmentAlignment="true" startWithSAP="1" maxWidth="${top.width}" maxHeight="${top.height}" maxFrameRate="${plan.fps}">`,
    template(VIDEO_TIMESCALE, videoDurations),
    ...plan.video.map(
      (r) =>
        `<Representation id="${r.id}" bandwidth="${peakBandwidth(r, plan.grid)}" codecs="${videoCodec(r)}" width="${r.width}" height="${r.height}" frameRate="${plan.fps}" sar="1:1"/>`,
    ),
    '</AdaptationSet>',
  ];
  const audio = plan.audio
    ? [
        `<AdaptationSet id="1" contentType="audio" mimeType="audio/mp4" lang="und" segmentAlignment="true" startWithSAP="1">`,
        `<AudioChannelConfiguration schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011" value="${plan.audio.channels}"/>`,
        template(
          AUDIO_SAMPLE_RATE,
          plan.audio.slices.map((s) => s.frameCount * AAC_FRAME_SAMPLES),
        ),
        `<Representation id="${plan.audio.id}" bandwidth="${plan.audio.bitrate}" codecs="${audioCodec}" audioSamplingRate="${plan.audio.sampleRate}"/>`,
        '</AdaptationSet>',
      ]
    : [];
  const longest = Math.max(...plan.grid.segments.map((s) => s.duration));
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011" type="static" mediaPresentationDuration="${isoDuration(plan.duration)}" minBufferTime="${isoDuration(Math.ceil(longest))}" maxSegmentDuration="${isoDuration(longest)}">`,
    `<Period id="0" start="PT0S">`,
    ...video,
    ...audio,
    '</Period>',
    '</MPD>',
    '',
  ].join('\n');
}
