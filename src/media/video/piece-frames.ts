import type { Scene } from '../../core/edits/layouts.js';
import { fitInside, sourceMatrix } from '../../core/picture/fit.js';
import { colourParts } from '../../core/edits/overlays.js';
import { compose, shapeAlpha, type Box, type Layer } from '../../core/picture/layout.js';
import type { Span } from '../../core/plan.js';
import { cameraSpan } from '../../core/timeline/timeline.js';
import { sourceTime } from '../../core/timeline/source-time.js';
import { demuxerOf, exactSeconds as exact, inputOptions } from '../sources/container.js';

/**
 * Seconds before a piece's first frame where its input seeks, so the frame shown at T0 is decoded even
 * on variable-rate input. In MP4/MOV the seek is exact: it lands on the keyframe whose presentation
 * time is at or before the point (measured with B-frames: a point between a keyframe's decode and
 * presentation time lands on the keyframe before), and the frame shown at T0 — the last at or before
 * it, however long a gap precedes it — comes at or after that keyframe, so the margin only covers the
 * `fps` filter's rounding to the nearest frame. Matroska and MPEG-TS seek more loosely (a chunked WebM
 * recording showed a frame 5 early with 0.1 s), so they keep a quarter second. Each keyframe inside
 * the margin costs a whole extra GOP of decoding: with 0.25 s, the 720p segment at 2.13 s of a 2 s-GOP
 * MP4 decoded 128 frames for its 64. The stretch of source a job reads (READ_MARGIN_SECONDS) holds the
 * largest.
 */
const PREROLL_SECONDS = { mov: 0.1, matroska: 0.25, mpegts: 0.25 } as const;

/** Output frames [startFrame, startFrame + frameCount) of one span with one scene, read from `input`. */
export interface Piece {
  /** Path or URL of the span's source, as ffmpeg reads it. */
  input: string;
  span: Span;
  startFrame: number;
  frameCount: number;
  /** What the frames show with the span's camera (core/picture/layout.ts); absent: the screen alone. */
  scene?: Scene;
  /** With `scene`: path or URL of the span's camera. */
  cameraInput?: string;
}

/**
 * A piece's input: its decoder options, then a seek to a keyframe before its first frame (see
 * PREROLL_SECONDS), and the offset that puts its frames on the output clock (see sourceTime).
 */
export function pieceInput(
  piece: Pick<Piece, 'input' | 'span' | 'startFrame' | 'frameCount'>,
  fps: number,
  decoder: readonly string[],
): { args: string[]; offset: number } {
  const { span } = piece;
  const { seconds, offset } = sourceTime(span, fps, { frame: piece.startFrame, frames: piece.frameCount });
  const demuxer = demuxerOf(span.source.format);
  const seek = Math.max(0, seconds - span.source.video.startTime - PREROLL_SECONDS[demuxer]);
  const args = [...decoder, '-ss', exact(seek), '-noaccurate_seek', ...inputOptions(piece.input, demuxer)];
  return { args: [...args, '-i', piece.input], offset };
}

/**
 * Scales a piece to the rendition's size with zimg (`zscale`, spline36), converting its YUV matrix to
 * BT.709 limited range (docs/media-rules.md, "Colour"); fitted inside and padded with black when its
 * aspect is not the canvas's. Measured on a 1080p → 720p segment: a quarter less CPU than swscale's
 * bicubic for the whole job (1.55 against 1.97 CPU-s), at least as sharp.
 */
export function fitInto(span: Span, width: number, height: number, pad = 'black'): string {
  const { video } = span.source;
  const placed = fitInside({ width: video.displayWidth, height: video.displayHeight }, { width, height });
  const scale = `zscale=w=${placed.width}:h=${placed.height}:filter=spline36:${colourConversion(span)}`;
  if (placed.width === width && placed.height === height) return scale;
  return `${scale},pad=${width}:${height}:${placed.x}:${placed.y}:color=${pad}`;
}

/** zscale's conversion of a span's source to BT.709 limited range. */
function colourConversion(span: Span): string {
  const { video } = span.source;
  return `matrixin=${sourceMatrix(video)}:matrix=709:rangein=${video.fullRange ? 'full' : 'limited'}:range=limited`;
}

/**
 * ffmpeg inputs and filter chains that draw pieces' output frames at `size`, each ending in `[p{i}]` (`prefix`
 * instead of p; inputs numbered from `firstInput`): the screen fitted into the canvas, or a piece's scene composed
 * from its layers (core/picture/layout.ts). The frames start at time 0. `decoder`: each input's decoder options.
 */
export function pieceChains(
  pieces: readonly Piece[],
  fps: number,
  size: { width: number; height: number },
  decoder: readonly string[],
  options: { firstInput?: number; prefix?: string } = {},
): { inputs: string[]; chains: string[]; inputCount: number } {
  const inputs: string[] = [];
  const chains: string[] = [];
  const first = options.firstInput ?? 0;
  const p = options.prefix ?? 'p';
  let next = first;
  /** The input's frames of the piece on the output clock, from 0: exactly `frameCount` of them. */
  const frames = (piece: Piece, span: Span, input: string) => {
    const { args, offset } = pieceInput({ ...piece, span, input }, fps, decoder);
    inputs.push(...args);
    return [
      `[${next++}:v:0]setpts=PTS${offset >= 0 ? '+' : '-'}${exact(Math.abs(offset))}/TB`,
      `fps=fps=${fps}:start_time=${exact(piece.startFrame / fps)}`,
      'tpad=stop_mode=clone:stop=-1',
      `trim=end_frame=${piece.frameCount}`,
      'setpts=PTS-STARTPTS',
    ];
  };
  pieces.forEach((piece, i) => {
    if (!piece.scene || !piece.cameraInput) {
      const chain = [...frames(piece, piece.span, piece.input), fitInto(piece.span, size.width, size.height)];
      chains.push([...chain, 'setsar=1', `format=yuv420p[${p}${i}]`].join(','));
      return;
    }
    const camera = cameraSpan(piece.span);
    const { background, layers } = compose(piece.scene, size);
    const picture = (layer: Layer) =>
      layer.track === 'screen' ? frames(piece, piece.span, piece.input) : frames(piece, camera, piece.cameraInput!);
    const drawn: Array<{ label: string; box: Box }> = [];
    layers.forEach((layer, k) => {
      const label = `${p}${i}l${k}`;
      const source = layer.track === 'screen' ? piece.span : camera;
      chains.push(...layerChains(layer, label, picture(layer), source, background, piece.frameCount, fps));
      drawn.push({ label, box: layer.box });
    });
    // The first layer is the canvas when it fills it; otherwise the background is.
    const [first, ...rest] = drawn;
    const whole = first!.box.width === size.width && first!.box.height === size.height;
    let base = `[${first!.label}]`;
    if (!whole) {
      chains.push(
        `color=c=${colourOf(background)}:s=${size.width}x${size.height}:r=${fps},trim=end_frame=${piece.frameCount}[${p}${i}bg]`,
      );
      base = `[${p}${i}bg]`;
    }
    const onTop = whole ? rest : drawn;
    onTop.forEach(({ label, box }, k) => {
      const out = k === onTop.length - 1 ? `[${p}${i}c]` : `[${p}${i}c${k}]`;
      chains.push(`${base}[${label}]overlay=x=${box.x}:y=${box.y}:format=yuv420${out}`);
      base = out;
    });
    chains.push(`${base}setsar=1,format=yuv420p[${p}${i}]`);
  });
  return { inputs, chains, inputCount: next - first };
}

/** `#rrggbb[aa]` as ffmpeg's colour syntax. */
function colourOf(colour: string): string {
  const { rgb, opacity } = colourParts(colour);
  return `0x${rgb.slice(1)}${opacity < 1 ? `@${opacity.toFixed(3)}` : ''}`;
}

/**
 * The chains that draw one layer as `[label]`: its track's frames fitted to its box (contain: inside it, the rest
 * `background`; cover: filling it, cropped centred), mirrored if asked, cut to its shape (an alpha mask computed
 * once, on one frame, and repeated), with a border ring behind the picture.
 */
function layerChains(
  layer: Layer,
  label: string,
  frames: string[],
  source: Span,
  background: string,
  frameCount: number,
  fps: number,
): string[] {
  const { box, border } = layer;
  const inset = border?.width ?? 0;
  const inner = { width: box.width - 2 * inset, height: box.height - 2 * inset };
  const fit =
    layer.fit === 'contain'
      ? fitInto(source, inner.width, inner.height, colourOf(background))
      : coverInto(source, inner.width, inner.height);
  const chain = [...frames, fit, ...(layer.mirror ? ['hflip'] : []), 'setsar=1'];
  const shaped = layer.shape !== 'square' && layer.radius > 0;
  /** A still, repeated for every frame of the piece. */
  const still = (colour: string, size: { width: number; height: number }, filters: string) =>
    `color=c=${colour}:s=${size.width}x${size.height}:r=${fps},trim=end_frame=1,${filters},` +
    `loop=loop=${frameCount - 1}:size=1:start=0,setpts=N/${fps}/TB`;
  if (!shaped && !border) return [`${chain.join(',')},format=yuv420p[${label}]`];
  const chains: string[] = [];
  // With a border, the picture goes over its ring first.
  const picture = border ? `${label}pic` : label;
  if (shaped) {
    chains.push(`${chain.join(',')},format=yuva420p[${label}rgb]`);
    chains.push(
      `${still('black', inner, `format=gray,geq=lum='${shapeAlpha(inner.width, layer.radius - inset)}'`)}[${label}mask]`,
    );
    chains.push(`[${label}rgb][${label}mask]alphamerge[${picture}]`);
  } else {
    chains.push(`${chain.join(',')},format=yuva420p[${picture}]`);
  }
  if (!border) return chains;
  const { rgb, opacity } = colourParts(border.color);
  const ring = `${label}ring`;
  const alpha = shaped ? `${opacity}*${shapeAlpha(box.width, layer.radius)}` : `${Math.round(255 * opacity)}`;
  const ringFilters = `format=yuva420p,geq=lum='lum(X,Y)':cb='cb(X,Y)':cr='cr(X,Y)':a='${alpha}'`;
  chains.push(
    `${still(colourOf(rgb), box, ringFilters)}[${ring}]`,
    `[${ring}][${picture}]overlay=x=${inset}:y=${inset}:format=yuv420[${label}]`,
  );
  return chains;
}

/** Scales a span's frames to cover `width` × `height`, cropped centred, in BT.709 limited range (see fitInto). */
function coverInto(span: Span, width: number, height: number): string {
  const { video } = span.source;
  const scale = Math.max(width / video.displayWidth, height / video.displayHeight);
  const w = Math.max(width, 2 * Math.ceil((video.displayWidth * scale) / 2));
  const h = Math.max(height, 2 * Math.ceil((video.displayHeight * scale) / 2));
  const crop = `crop=${width}:${height}:${2 * Math.floor((w - width) / 4)}:${2 * Math.floor((h - height) / 4)}`;
  return `zscale=w=${w}:h=${h}:filter=spline36:${colourConversion(span)},${crop}`;
}
