import { levelName } from '../core/h264.js';
import type { VideoRendition } from '../core/ladder.js';
import type { Span } from '../core/plan.js';
import type { Segment } from '../core/segment-grid.js';
import { demuxerOf } from './probe.js';

/** Seconds decoded before a segment's first frame, so the frame shown at T0 is found even on VFR input. */
const PREROLL_SECONDS = 0.25;

/** Exact decimal text for a time, so filter arguments land on the intended frame tick. */
const exact = (seconds: number) => seconds.toPrecision(17).replace(/\.?0+$/, '');

export interface EncoderSettings {
  preset: string;
  threads: number;
  crf: number;
}

/** One video segment of one rendition, from one span of a source. */
export interface VideoSegmentJob {
  /** Path or URL of the source, as ffmpeg reads it. */
  input: string;
  span: Span;
  segment: Segment;
  rendition: VideoRendition;
  fps: number;
  encoder: EncoderSettings;
}

/**
 * ffmpeg arguments that make video segment `segment` of `rendition` from one span of a source, as a
 * fragmented MP4 on stdout (DESIGN.md media rule 3):
 * - seek to a keyframe before the segment (`-noaccurate_seek`), keep source timestamps (`-copyts`),
 *   shift them onto the output clock (`setpts`), then let `fps` with `start_time` pick exactly the
 *   frames on the output grid from T0 — frame-accurate on variable-rate input, unlike `-ss/-t`;
 * - `tpad` clones the last frame if the source ends early, and `-frames:v` stops at the exact count;
 * - one GOP per segment, IDR first; no B-frames, so decode time = presentation time and the
 *   fragment's tfdt is T0 with no composition offset (`frag_discont` keeps the absolute tfdt);
 * - capped CRF with pinned threads, so every run on every node writes the same bytes.
 */
export function videoSegmentArgs({ input, span, segment, rendition, fps, encoder }: VideoSegmentJob): string[] {
  const outputStart = segment.startFrame / fps;
  const sourceAtSegment = span.sourceStart + (segment.startFrame - span.outputFrame) / fps;
  const seek = Math.max(0, sourceAtSegment - span.source.video.startTime - PREROLL_SECONDS);
  const shift = span.outputFrame / fps - span.sourceStart;
  const filters = [
    `setpts=PTS${shift >= 0 ? '+' : '-'}${exact(Math.abs(shift))}/TB`,
    `fps=fps=${fps}:start_time=${exact(outputStart)}`,
    `scale=${rendition.width}:${rendition.height}:flags=bicubic`,
    'setsar=1',
    'format=yuv420p',
    'tpad=stop_mode=clone:stop=-1',
  ];
  const gop = String(segment.frameCount);
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error',
    '-ss', exact(seek), '-noaccurate_seek', '-copyts',
    '-f', demuxerOf(span.source.format), '-i', input,
    '-map', '0:v:0', '-an', '-sn', '-dn', '-map_metadata', '-1', '-map_chapters', '-1',
    '-vf', filters.join(','),
    '-frames:v', gop,
    '-c:v', 'libx264', '-preset', encoder.preset, '-profile:v', 'high', '-level:v', levelName(rendition.levelIdc),
    '-crf', String(encoder.crf), '-maxrate', String(rendition.maxBitrate), '-bufsize', String(rendition.bufferBits),
    '-bf', '0', '-g', gop, '-keyint_min', gop, '-sc_threshold', '0', '-threads', String(encoder.threads),
    '-fflags', '+bitexact', '-flags:v', '+bitexact',
    '-video_track_timescale', '90000', '-avoid_negative_ts', 'disabled',
    '-f', 'mp4', '-movflags', 'empty_moov+default_base_moof+frag_keyframe+frag_discont',
    'pipe:1',
  ];
}

/**
 * ffmpeg arguments that render a span's whole audio track once, as ADTS AAC-LC 48 kHz stereo, exactly
 * `sampleCount` samples long (padded with silence or cut), starting at output time 0 (DESIGN.md media
 * rule 4). `aresample` with `async` and `first_pts` pads a late start and absorbs timestamp jitter
 * (WebM/Opus), so the track is continuous. The encoder's priming frame comes first and is dropped by
 * the caller.
 */
export function audioTrackArgs(input: string, span: Span, sampleCount: number, bitrate: number, output: string): string[] {
  const shift = span.sourceStart;
  const filters = [
    `asetpts=PTS-${exact(shift)}/TB`,
    'aresample=48000:async=1:first_pts=0',
    'aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo',
    `apad=whole_len=${sampleCount}`,
    `atrim=end_sample=${sampleCount}`,
  ];
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-y',
    '-copyts', '-f', demuxerOf(span.source.format), '-i', input,
    '-map', '0:a:0', '-vn', '-sn', '-dn', '-map_metadata', '-1',
    '-af', filters.join(','),
    '-c:a', 'aac', '-b:a', String(bitrate), '-ac', '2', '-ar', '48000',
    '-fflags', '+bitexact', '-flags:a', '+bitexact',
    '-f', 'adts', output,
  ];
}
