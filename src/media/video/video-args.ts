import { levelName } from '../../core/picture/h264.js';
import type { ImageDemuxer } from '../../core/picture/image-header.js';
import { VIDEO_TIMESCALE } from '../../core/timeline/media-units.js';
import type { VideoRendition } from '../../core/picture/ladder.js';
import type { Segment } from '../../core/timeline/segment-grid.js';
import type { StillFormat } from '../../core/picture/stills.js';
import { aacOutputArgs, AUDIO_OUTPUT, audioEncodeGraph, type AudioEncodeJob } from '../audio/audio-args.js';
import { exactSeconds as exact, FFMPEG_QUIET } from '../sources/container.js';
import { fitInto, pieceChains, pieceInput, type Piece } from './piece-frames.js';

export type { Piece } from './piece-frames.js';

export interface EncoderSettings {
  preset: string;
  threads: number;
  crf: number;
}

/** A transparent picture composited over a segment's frames [first, end) (output frames). */
export interface OverlayInput {
  /** A picture file (PNG, JPEG or WebP) and the demuxer it is read with. */
  input: string;
  demuxer: ImageDemuxer;
  /** Filters that make it the RGBA picture to draw (an image is scaled here, once per run). */
  filters: readonly string[];
  x: number;
  y: number;
  first: number;
  end: number;
}

/** One video segment of one rendition: one piece, or several when the segment crosses a cut. */
export interface VideoSegmentJob {
  pieces: Piece[];
  segment: Segment;
  rendition: VideoRendition;
  fps: number;
  encoder: EncoderSettings;
  /**
   * Decoder threads: 0 lets ffmpeg choose (frame threads on every core: the lowest latency for a job
   * alone), 1 decodes on the job's own thread (measured: 11% less CPU per 720p segment — the choice
   * when other jobs keep the cores busy). Decoding is exact either way: the bytes do not change.
   */
  decodeThreads?: number;
  /** Overlays visible in the segment, in drawing order (later ones on top). */
  overlays?: OverlayInput[];
  /**
   * The audio segment of the same index, made in the same run (ADTS on `pipe:3`): one process start and
   * one demuxer instead of two. Its samples and bytes are those of the audio segment's own run.
   */
  audio?: AudioEncodeJob;
}

/**
 * ffmpeg arguments that make video segment `segment` of `rendition` as a fragmented MP4 on stdout
 * (docs/media-rules.md, "Video segments"). Each piece is its own input:
 * - seek to a keyframe before it (`-noaccurate_seek`), keep source timestamps (`-copyts`), shift them
 *   onto the output clock by the span's offset (`setpts`; see sourceTime), then let `fps` with
 *   `start_time` pick exactly the frames on the output grid — frame-accurate on variable-rate input,
 *   unlike `-ss/-t`;
 * - `tpad` clones the last frame if the source ends early and `trim` keeps the piece's exact count;
 * - pieces start at 0 and `concat` joins them (it offsets each by the ones before), then the whole is
 *   placed at T0, and `-frames:v` stops at the segment's count.
 * One GOP per segment, IDR first; no B-frames, so decode time = presentation time and the fragment's
 * tfdt is T0 with no composition offset (`frag_discont` keeps the absolute tfdt). Capped CRF with
 * pinned threads, so every run on every node writes the same bytes.
 */
export function videoSegmentArgs(job: VideoSegmentJob): string[] {
  const { segment, rendition, encoder, audio } = job;
  const picture = pictureGraph(job);
  const sound = audio ? audioEncodeGraph(audio, picture.inputCount) : undefined;
  const inputs = [...picture.inputs, ...(sound?.inputs ?? [])];
  const graphs = [...picture.graphs, ...(sound ? [sound.graph] : [])];
  return [
    ...pictureRun(inputs, graphs),
    '-frames:v',
    String(segment.frameCount),
    ...encoderArgs(rendition, segment.frameCount, encoder),
    ...(audio ? [...AUDIO_OUTPUT, ...aacOutputArgs(audio.bitrate, 'pipe:3')] : []),
  ];
}

/**
 * The start of a run that draws a picture: the inputs on the sources' own clocks (`-copyts`), the
 * graph, its `output` (`[v]`) the only output stream, and nothing of the sources' metadata or chapters.
 */
function pictureRun(inputs: readonly string[], graphs: readonly string[], output = '[v]'): string[] {
  return [
    ...FFMPEG_QUIET,
    '-copyts',
    ...inputs,
    '-filter_complex',
    graphs.join(';'),
    ...['-map', output, '-an', '-sn', '-dn', '-map_metadata', '-1', '-map_chapters', '-1'],
  ];
}

/** What a picture is drawn from and how: the output frames of a segment or a still, at a size. */
export type PictureJob = Pick<VideoSegmentJob, 'pieces' | 'segment' | 'fps' | 'decodeThreads' | 'overlays'> & {
  rendition: Pick<VideoRendition, 'width' | 'height'>;
};

/**
 * The inputs and filter graph that draw a segment's output frames at the rendition's size, ending
 * in `[v]` (see videoSegmentArgs): the same frames for a segment and for a still.
 */
function pictureGraph({ pieces, segment, rendition, fps, decodeThreads = 0, overlays = [] }: PictureJob) {
  const { inputs, chains, inputCount } = pieceChains(pieces, fps, rendition, ['-threads', String(decodeThreads)]);
  for (const overlay of overlays)
    inputs.push('-protocol_whitelist', 'file', '-f', overlay.demuxer, '-i', overlay.input);
  const joined = pieces.map((_, i) => `[p${i}]`).join('');
  const timeline = `${joined}concat=n=${pieces.length}:v=1:a=0,setpts=PTS+${exact(segment.startFrame / fps)}/TB`;
  const graphs = [...chains, ...composite(timeline, overlays, inputCount, segment, fps)];
  return { inputs, graphs, inputCount: inputCount + overlays.length };
}

/**
 * How each still format is written: JPEG at quality 3 of mjpeg's 2–31 scale (full-range YUV, as JPEG
 * readers expect), WebP at libwebp's quality 80. A still's picture is the frame a player shows, in
 * BT.709; the JPEG carries its range and matrix, so readers convert it back the same way.
 */
const STILL_ENCODERS: Record<StillFormat, { pixels: string; encoder: string[] }> = {
  jpg: { pixels: 'scale=out_range=full,format=yuvj420p', encoder: ['-c:v', 'mjpeg', '-q:v', '3', '-f', 'image2pipe'] },
  webp: { pixels: 'format=yuv420p', encoder: ['-c:v', 'libwebp', '-quality', '80', '-f', 'webp'] },
};

/** The output of a run that writes one picture (a still, a storyboard sheet) on stdout. */
function pictureOutput(format: StillFormat): string[] {
  return [
    '-frames:v',
    '1',
    '-fflags',
    '+bitexact',
    '-flags:v',
    '+bitexact',
    ...STILL_ENCODERS[format].encoder,
    'pipe:1',
  ];
}

/**
 * ffmpeg arguments that write one output frame (`job.segment`: a segment of one frame) as a picture on
 * stdout: decoded from the keyframe before it, drawn exactly as the segment that holds it draws it
 * (edits, overlays), at the still's size.
 */
export function stillArgs(job: PictureJob, format: StillFormat): string[] {
  const picture = pictureGraph(job);
  const graphs = [...picture.graphs, `[v]${STILL_ENCODERS[format].pixels}[still]`];
  return [...pictureRun(picture.inputs, graphs, '[still]'), ...pictureOutput(format)];
}

/**
 * The filter chains that draw `overlays` over the joined pieces (`timeline`), ending in `[v]`
 * (docs/media-rules.md, "Overlays"). Each picture (an image scaled by its own filters first) is converted to YUV with
 * the output's BT.709
 * matrix (the default would be BT.601: a different green) and composited in order; one that is not
 * visible on every frame of the segment is enabled by output time, half a frame inside its first
 * and last frames so rounding cannot move it by one.
 */
function composite(
  timeline: string,
  overlays: readonly OverlayInput[],
  firstInput: number,
  segment: Segment,
  fps: number,
): string[] {
  if (overlays.length === 0) return [`${timeline}[v]`];
  const chains = [`${timeline}[c0]`];
  for (const [i, overlay] of overlays.entries()) {
    chains.push(
      `[${firstInput + i}:v:0]${[...overlay.filters, 'scale=out_color_matrix=bt709:out_range=tv', 'format=yuva420p'].join(',')}[o${i}]`,
    );
    const whole = overlay.first <= segment.startFrame && overlay.end >= segment.startFrame + segment.frameCount;
    const enable = whole
      ? ''
      : `:enable='between(t,${exact((overlay.first - 0.5) / fps)},${exact((overlay.end - 0.5) / fps)})'`;
    const out = i === overlays.length - 1 ? '[v]' : `[c${i + 1}]`;
    chains.push(`[c${i}][o${i}]overlay=x=${overlay.x}:y=${overlay.y}:format=yuv420:eof_action=repeat${enable}${out}`);
  }
  return chains;
}

/**
 * The x264 settings and the fragmented-MP4 muxer of a rendition's segments. The init segment they write
 * (ftyp + moov with the avcC) depends on these alone, never on the picture: measured byte-identical
 * from a real segment and from one black frame.
 */
function encoderArgs(rendition: VideoRendition, frames: number, encoder: EncoderSettings): string[] {
  // One GOP per segment. Never a GOP of one frame: x264 then writes an intra-only stream
  // (constraint_set3_flag, avc1.64101E), whose init segment is not the rendition's, and a one-frame
  // segment (a one-frame revision, or a last segment of one frame) failed.
  const gop = Math.max(2, frames);
  return [
    '-c:v',
    'libx264',
    '-preset',
    encoder.preset,
    '-profile:v',
    'high',
    '-level:v',
    levelName(rendition.levelIdc),
    '-crf',
    String(encoder.crf),
    '-maxrate',
    String(rendition.maxBitrate),
    '-bufsize',
    String(rendition.bufferBits),
    '-bf',
    '0',
    '-g',
    String(gop),
    '-keyint_min',
    String(gop),
    '-sc_threshold',
    '0',
    '-threads',
    String(encoder.threads),
    // Said, not inherited from the source: every segment's SPS (and so the init segment) is the same.
    '-colorspace',
    'bt709',
    '-color_primaries',
    'bt709',
    '-color_trc',
    'bt709',
    '-color_range',
    'tv',
    '-fflags',
    '+bitexact',
    '-flags:v',
    '+bitexact',
    '-video_track_timescale',
    String(VIDEO_TIMESCALE),
    '-avoid_negative_ts',
    'disabled',
    '-f',
    'mp4',
    '-movflags',
    'empty_moov+default_base_moof+frag_keyframe+frag_discont',
    'pipe:1',
  ];
}

/**
 * ffmpeg arguments that write a rendition's init segment without any source: one black frame at the
 * rendition's size and rate through the same encoder settings (its fragment is discarded). A player
 * switching renditions asks for the init before the segment it wants; this costs a tenth of a segment.
 */
export function videoInitArgs(rendition: VideoRendition, fps: number, gop: number, encoder: EncoderSettings): string[] {
  return [
    ...FFMPEG_QUIET,
    '-f',
    'lavfi',
    '-i',
    `color=black:size=${rendition.width}x${rendition.height}:rate=${fps}`,
    '-vf',
    'setsar=1,format=yuv420p',
    '-an',
    '-map_metadata',
    '-1',
    '-frames:v',
    '1',
    ...encoderArgs(rendition, gop, encoder),
  ];
}

/** One sprite sheet of a storyboard: its tiles stand for output frames from `firstFrame` on, `tileFrames` each. */
export interface SheetJob {
  /** The pieces of the spans that the sheet's tiles stand for, in order. */
  pieces: Piece[];
  fps: number;
  firstFrame: number;
  tileFrames: number;
  tiles: number;
  tile: { width: number; height: number };
  columns: number;
  rows: number;
  /** Overlays visible in the sheet's stretch, as pictures at the tile's size. */
  overlays?: OverlayInput[];
  /** For each overlay, the tiles (counted from the sheet's first) it is drawn on. */
  overlayTiles?: number[][];
}

/**
 * The tiles of a piece with a scene, as `[p{i}]`: its frames composed exactly as a segment draws them (every frame
 * decoded, whatever the mode: the camera's keyframes are not the screen's), each tile's first frame kept.
 */
function composedTiles(
  piece: Piece,
  i: number,
  job: SheetJob,
  firstInput: number,
): { inputs: string[]; inputCount: number; chains: string[] } {
  const { fps, firstFrame: f0, tileFrames: tf, tile } = job;
  const drawn = pieceChains([piece], fps, tile, ['-threads', '1'], { firstInput, prefix: `q${i}x` });
  const frame = (t: string) => `(${t}*${fps}+0.001)`;
  const chains = [
    ...drawn.chains,
    `[q${i}x0]setpts=PTS+${exact(piece.startFrame / fps)}/TB,select='not(mod(n+${piece.startFrame - f0},${tf}))',` +
      `setpts='floor((${frame('T')}-${f0})/${tf})/TB'[p${i}]`,
  ];
  return { inputs: drawn.inputs, inputCount: drawn.inputCount, chains };
}

/**
 * ffmpeg arguments that draw a storyboard sheet: a JPEG of `columns × rows` tiles on stdout, and on
 * `pipe:3` a framecrc line per tile drawn (the caller checks every tile got one).
 * - `keyframes`: each piece's input decodes its keyframes only (`-skip_frame nokey`: a tenth of the
 *   cost of decoding every frame, or less), and each tile shows the first keyframe of the frames it
 *   stands for that lie in a piece where the tile begins. A tile with no keyframe among its frames
 *   (keyframes further apart than a tile) gets none: the caller draws the sheet again, exactly.
 * - `exact`: every frame is decoded, and each tile shows the first frame it stands for.
 * Each tile is drawn as a segment draws its frame (fitted into the canvas), at the tile's size; an
 * overlay is drawn on the tiles (counted from the sheet's first) given in `overlayTiles`.
 */
export function sheetArgs(job: SheetJob, mode: 'keyframes' | 'exact'): string[] {
  const { pieces, fps, firstFrame: f0, tileFrames: tf, tile, overlays = [] } = job;
  const inputs: string[] = [];
  let inputCount = 0;
  const chains = pieces.flatMap((piece, i) => {
    const { span } = piece;
    if (piece.scene) {
      const composed = composedTiles(piece, i, job, inputCount);
      inputs.push(...composed.inputs);
      inputCount += composed.inputCount;
      return composed.chains;
    }
    const decode = [...(mode === 'keyframes' ? ['-skip_frame', 'nokey'] : []), '-threads', '1'];
    const index = inputCount++;
    const { args, offset } = pieceInput(piece, fps, decode);
    inputs.push(...args);
    const [from, to] = [piece.startFrame, piece.startFrame + piece.frameCount];
    // Output frame position of a frame shown at output time t (a thousandth of a frame of slack).
    const frame = (t: string) => `(${t}*${fps}+0.001)`;
    const cue = (t: string) => `floor((${frame(t)}-${f0})/${tf})`;
    const pick =
      mode === 'keyframes'
        ? // In the piece, in a tile that begins in the piece, and the first such frame of its tile.
          `select='gte(${frame('t')},${from})*lt(${frame('t')},${to})*gte(${cue('t')}*${tf}+${f0},${from})` +
          `*(isnan(prev_selected_t)+gt(${cue('t')},${cue('prev_selected_t')}))'`
        : `fps=fps=${fps}:start_time=${exact(from / fps)},trim=end_frame=${to - from},` +
          `select='not(mod(n+${from - f0},${tf}))'`;
    return [
      `[${index}:v:0]setpts=PTS${offset >= 0 ? '+' : '-'}${exact(Math.abs(offset))}/TB`,
      pick,
      // Its tile's number as its time: distinct and in order across the pieces (concat and the muxers keep it).
      `setpts='${cue('T')}/TB'`,
      fitInto(span, tile.width, tile.height),
      'setsar=1',
      `format=yuv420p[p${i}]`,
    ].join(',');
  });
  const graphs = [...chains, `${pieces.map((_, i) => `[p${i}]`).join('')}concat=n=${pieces.length}:v=1:a=0[c0]`];
  for (const [k, overlay] of overlays.entries()) {
    const input = inputCount + k;
    inputs.push('-protocol_whitelist', 'file', '-f', overlay.demuxer, '-i', overlay.input);
    graphs.push(
      `[${input}:v:0]${[...overlay.filters, 'scale=out_color_matrix=bt709:out_range=tv', 'format=yuva420p'].join(',')}[o${k}]`,
    );
    const on = (job.overlayTiles?.[k] ?? []).map((n) => `eq(n,${n})`).join('+') || '0';
    graphs.push(
      `[c${k}][o${k}]overlay=x=${overlay.x}:y=${overlay.y}:format=yuv420:eof_action=repeat:enable='${on}'[c${k + 1}]`,
    );
  }
  graphs.push(
    `[c${overlays.length}]split=2[s][n]`,
    `[s]tile=${job.columns}x${job.rows},${STILL_ENCODERS.jpg.pixels}[v]`,
  );
  return [
    ...pictureRun(inputs, graphs),
    ...pictureOutput('jpg'),
    ...['-map', '[n]', '-fps_mode', 'passthrough', '-c:v', 'wrapped_avframe', '-f', 'framecrc', 'pipe:3'],
  ];
}
