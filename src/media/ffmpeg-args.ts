import { levelName } from '../core/h264.js';
import { VIDEO_TIMESCALE } from '../core/media-units.js';
import type { VideoRendition } from '../core/ladder.js';
import type { Span } from '../core/plan.js';
import type { Segment } from '../core/segment-grid.js';
import { demuxerOf } from './probe.js';

/** Seconds decoded before a segment's first frame, so the frame shown at T0 is found even on VFR input. */
const PREROLL_SECONDS = 0.25;

/** Exact decimal text for a time, so filter arguments land on the intended frame tick. */
export const exactSeconds = (seconds: number) => seconds.toPrecision(17).replace(/\.?0+$/, '');
const exact = exactSeconds;

export interface EncoderSettings {
  preset: string;
  threads: number;
  crf: number;
}

/** Output frames [startFrame, startFrame + frameCount) of one span, read from `input`. */
export interface Piece {
  /** Path or URL of the span's source, as ffmpeg reads it. */
  input: string;
  span: Span;
  startFrame: number;
  frameCount: number;
}

/** One video segment of one rendition: one piece, or several when the segment crosses a cut. */
export interface VideoSegmentJob {
  pieces: Piece[];
  segment: Segment;
  rendition: VideoRendition;
  fps: number;
  encoder: EncoderSettings;
}

/**
 * ffmpeg arguments that make video segment `segment` of `rendition` as a fragmented MP4 on stdout
 * (docs/media-rules.md, "Video segments"). Each piece is its own input:
 * - seek to a keyframe before it (`-noaccurate_seek`), keep source timestamps (`-copyts`), shift them
 *   onto the output clock (`setpts`), then let `fps` with `start_time` pick exactly the frames on the
 *   output grid — frame-accurate on variable-rate input, unlike `-ss/-t`;
 * - `tpad` clones the last frame if the source ends early and `trim` keeps the piece's exact count;
 * - pieces start at 0 and `concat` joins them (it offsets each by the ones before), then the whole is
 *   placed at T0, and `-frames:v` stops at the segment's count.
 * One GOP per segment, IDR first; no B-frames, so decode time = presentation time and the fragment's
 * tfdt is T0 with no composition offset (`frag_discont` keeps the absolute tfdt). Capped CRF with
 * pinned threads, so every run on every node writes the same bytes.
 */
export function videoSegmentArgs({ pieces, segment, rendition, fps, encoder }: VideoSegmentJob): string[] {
  const inputs: string[] = [];
  const chains = pieces.map((piece, i) => {
    const { span } = piece;
    const sourceAt = span.sourceStart + (piece.startFrame - span.outputFrame) / fps;
    const seek = Math.max(0, sourceAt - span.source.video.startTime - PREROLL_SECONDS);
    const shift = span.outputFrame / fps - span.sourceStart;
    inputs.push('-ss', exact(seek), '-noaccurate_seek', '-f', demuxerOf(span.source.format), '-i', piece.input);
    return [
      `[${i}:v:0]setpts=PTS${shift >= 0 ? '+' : '-'}${exact(Math.abs(shift))}/TB`,
      `fps=fps=${fps}:start_time=${exact(piece.startFrame / fps)}`,
      'tpad=stop_mode=clone:stop=-1',
      `trim=end_frame=${piece.frameCount}`,
      'setpts=PTS-STARTPTS',
      fitInto(span, rendition.width, rendition.height),
      'setsar=1',
      `format=yuv420p[p${i}]`,
    ].join(',');
  });
  const joined = pieces.map((_, i) => `[p${i}]`).join('');
  const graph = `${chains.join(';')};${joined}concat=n=${pieces.length}:v=1:a=0,setpts=PTS+${exact(segment.startFrame / fps)}/TB[v]`;
  const gop = String(segment.frameCount);
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-copyts',
    ...inputs,
    '-filter_complex', graph, '-map', '[v]', '-an', '-sn', '-dn', '-map_metadata', '-1', '-map_chapters', '-1',
    '-frames:v', gop,
    '-c:v', 'libx264', '-preset', encoder.preset, '-profile:v', 'high', '-level:v', levelName(rendition.levelIdc),
    '-crf', String(encoder.crf), '-maxrate', String(rendition.maxBitrate), '-bufsize', String(rendition.bufferBits),
    '-bf', '0', '-g', gop, '-keyint_min', gop, '-sc_threshold', '0', '-threads', String(encoder.threads),
    '-fflags', '+bitexact', '-flags:v', '+bitexact',
    '-video_track_timescale', String(VIDEO_TIMESCALE), '-avoid_negative_ts', 'disabled',
    '-f', 'mp4', '-movflags', 'empty_moov+default_base_moof+frag_keyframe+frag_discont',
    'pipe:1',
  ];
}

/**
 * Scales a piece to the rendition's size: straight when its display aspect is the canvas's (within
 * 1%), otherwise fitted inside and padded with black — letterbox or pillarbox, centred.
 */
function fitInto(span: Span, width: number, height: number): string {
  const { displayWidth, displayHeight } = span.source.video;
  if (Math.abs(displayWidth / displayHeight / (width / height) - 1) < 0.01) return `scale=${width}:${height}:flags=bicubic`;
  return `scale=${width}:${height}:force_original_aspect_ratio=decrease:force_divisible_by=2:flags=bicubic,pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2:color=black`;
}
