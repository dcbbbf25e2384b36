import type { AudioPiece } from '../../core/audio/audio-chunk.js';
import { AUDIO_CHANNELS, AUDIO_SAMPLE_RATE } from '../../core/timeline/media-units.js';
import { exactSeconds, FFMPEG_QUIET, inputOptions } from '../sources/container.js';
import { demuxerOf } from '../sources/container.js';

/**
 * Seconds read before a piece's anchor: the decoder's own warm-up after a seek (AAC's overlap frame,
 * Opus's 80 ms pre-roll) happens there and is trimmed away. The stretch of source a job reads
 * (READ_MARGIN_SECONDS) holds it and the resampler's settling.
 */
const SEEK_MARGIN_SECONDS = 0.25;
/** Output samples the resampler runs before a piece's first sample, so its filter has settled. */
const RESAMPLER_SETTLE_SAMPLES = 480;
/**
 * A gap or overlap in a source's audio timestamps larger than this is filled with silence or
 * trimmed where it happens (aresample `min_hard_comp`), so audio after it stays in sync with the
 * picture. Below it, samples are counted as they come.
 */
const TIMESTAMP_GAP_SECONDS = 0.02;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * The source sample where resampling of `piece` starts (its anchor) and the output samples between
 * the anchor and the piece. The resampler's phase repeats every `rate / gcd(rate, 48000)` source
 * samples (147 at 44.1 kHz); starting it on a multiple of that, counted on the source's own clock,
 * puts every output sample at the same instant whatever the run's starting point — so a chunk made
 * alone joins the chunk before it sample for sample.
 */
export function resampleAnchor(piece: AudioPiece): { anchor: number; skip: number } {
  const rate = piece.span.source.audio!.sampleRate;
  const common = gcd(rate, AUDIO_SAMPLE_RATE);
  const period = rate / common;
  const step = AUDIO_SAMPLE_RATE / common;
  const periods = Math.floor((piece.sourceSample - RESAMPLER_SETTLE_SAMPLES) / step);
  return { anchor: periods * period, skip: piece.sourceSample - periods * step };
}

/**
 * ffmpeg arguments that decode the pieces of an audio chunk to interleaved 32-bit float stereo at
 * 48 kHz on stdout, exactly `sum(count)` samples, pieces one after another. Each piece is its own
 * input, sought shortly before its anchor with source timestamps kept (`-copyts`):
 * - `atrim=start_pts` cuts at the anchor, in the source's own samples (the filter input's time base
 *   is 1/sample rate), and `asetpts` puts the anchor at 0;
 * - `aresample` converts the rate (and fills a timestamp gap with silence so sync holds);
 * - `atrim` keeps the piece's samples and `apad` makes up a source that ends early.
 */
export function audioDecodeArgs(pieces: ReadonlyArray<{ piece: AudioPiece; input: string }>): string[] {
  const { inputs, chains } = pieceChains(pieces, 0);
  const joined = pieces.map((_, i) => `[a${i}]`).join('');
  return [
    ...audioGraphArgs(inputs, `${chains.join(';')};${joined}concat=n=${pieces.length}:v=0:a=1[a]`),
    ...AUDIO_OUTPUT,
    '-c:a',
    'pcm_f32le',
    '-f',
    'f32le',
    'pipe:1',
  ];
}

/**
 * Each piece's input arguments and its filter chain, ending in `[a<i>]` with exactly `count` samples;
 * the pieces are ffmpeg's inputs `firstInput`, `firstInput + 1`, ….
 */
function pieceChains(
  pieces: ReadonlyArray<{ piece: AudioPiece; input: string }>,
  firstInput: number,
): {
  inputs: string[];
  chains: string[];
} {
  const inputs: string[] = [];
  const chains = pieces.map(({ piece, input }, i) => {
    const rate = piece.span.source.audio!.sampleRate;
    const { anchor, skip } = resampleAnchor(piece);
    inputs.push(
      // On the source's own clock: without -seek_timestamp ffmpeg adds the file's start time (1.4 s in
      // MPEG-TS, a chunk's time in a file of chunks) and the seek lands after the samples it is for.
      '-seek_timestamp',
      '1',
      '-ss',
      exactSeconds(Math.max(0, anchor / rate - SEEK_MARGIN_SECONDS)),
      '-noaccurate_seek',
      ...inputOptions(input, demuxerOf(piece.span.source.format)),
      '-i',
      input,
    );
    return [
      `[${firstInput + i}:a:0]atrim=start_pts=${anchor}`,
      `asetpts=PTS-${anchor}`,
      `aresample=${AUDIO_SAMPLE_RATE}:async=1:min_hard_comp=${TIMESTAMP_GAP_SECONDS}:first_pts=0`,
      `aformat=sample_fmts=flt:sample_rates=${AUDIO_SAMPLE_RATE}:channel_layouts=stereo`,
      `atrim=start_sample=${skip}:end_sample=${skip + piece.count}`,
      `apad=whole_len=${piece.count}[a${i}]`,
    ].join(',');
  });
  return { inputs, chains };
}

/** What an audio chunk's encoder reads when nothing happens between decoding and encoding (no noise suppression). */
export interface AudioEncodeJob {
  /** The chunk's pieces and where ffmpeg reads each one's source. */
  pieces: ReadonlyArray<{ piece: AudioPiece; input: string }>;
  /** Output samples the encoder reads: [from, to). */
  range: { from: number; to: number };
  bitrate: number;
}

/**
 * ffmpeg arguments that decode a chunk's pieces and encode them in the same run, when nothing happens
 * between (no noise suppression): the encoder's input is the same samples `audioDecodeArgs` would
 * write — the pieces, silence between and after them, [from, to) exactly — and one process instead of
 * two saves ffmpeg's start-up (about 70 ms of CPU).
 */
export function audioSegmentArgs(job: AudioEncodeJob): string[] {
  const { inputs, graph } = audioEncodeGraph(job, 0);
  return [...audioGraphArgs(inputs, graph), ...AUDIO_OUTPUT, ...aacOutputArgs(job.bitrate, 'pipe:1')];
}

/**
 * The inputs (ffmpeg's inputs `firstInput`, …) and the filter graph, ending in `[a]`, that make an
 * audio chunk's encoder input. A video segment's run can carry them as a second output.
 */
export function audioEncodeGraph(job: AudioEncodeJob, firstInput: number): { inputs: string[]; graph: string } {
  const { pieces, range } = job;
  const { inputs, chains } = pieceChains(pieces, firstInput);
  let silences = 0;
  const silence = (samples: number) => {
    const label = `s${silences++}`;
    chains.push(
      `anullsrc=channel_layout=stereo:sample_rate=${AUDIO_SAMPLE_RATE},aformat=sample_fmts=flt,atrim=end_sample=${samples}[${label}]`,
    );
    return `[${label}]`;
  };
  // Each layer (the screen's sound, a camera's mixed over it) is its pieces with silence between, [from, to) exactly.
  const layers = [...new Set([0, ...pieces.map(({ piece }) => piece.layer)])].sort();
  const tracks = layers.map((layer) => {
    const parts: string[] = [];
    let at = range.from;
    pieces.forEach(({ piece }, i) => {
      if (piece.layer !== layer) return;
      if (piece.from > at) parts.push(silence(piece.from - at));
      parts.push(`[a${i}]`);
      at = piece.from + piece.count;
    });
    if (range.to > at) parts.push(silence(range.to - at));
    return `${parts.join('')}concat=n=${parts.length}:v=0:a=1`;
  });
  const graph =
    tracks.length === 1
      ? `${tracks[0]}[a]`
      : `${tracks.map((t, k) => `${t}[l${k}]`).join(';')};${tracks.map((_, k) => `[l${k}]`).join('')}` +
        `amix=inputs=${tracks.length}:normalize=0:duration=longest[a]`;
  return { inputs, graph: `${chains.join(';')};${graph}` };
}

/** The start of an audio run: its inputs and its filter graph, which ends in `[a]`. */
function audioGraphArgs(inputs: readonly string[], graph: string): string[] {
  return [...FFMPEG_QUIET, '-copyts', ...inputs, '-filter_complex', graph];
}

/** An output of the graph's `[a]` alone: no video, subtitles, data or metadata. */
export const AUDIO_OUTPUT = ['-map', '[a]', '-vn', '-sn', '-dn', '-map_metadata', '-1'] as const;

/** The AAC-LC encoder writing ADTS to `target` (`pipe:1`, or `pipe:3` beside a video output). */
export function aacOutputArgs(bitrate: number, target: string): string[] {
  return [
    '-c:a',
    'aac',
    '-b:a',
    String(bitrate),
    '-ac',
    String(AUDIO_CHANNELS),
    '-fflags',
    '+bitexact',
    '-flags:a',
    '+bitexact',
    '-f',
    'adts',
    target,
  ];
}

/** ffmpeg arguments that encode interleaved float stereo 48 kHz from stdin to ADTS AAC-LC on stdout. */
export function aacEncodeArgs(bitrate: number): string[] {
  return [
    ...FFMPEG_QUIET,
    '-f',
    'f32le',
    '-ar',
    String(AUDIO_SAMPLE_RATE),
    '-ac',
    String(AUDIO_CHANNELS),
    '-i',
    'pipe:0',
    ...aacOutputArgs(bitrate, 'pipe:1'),
  ];
}
