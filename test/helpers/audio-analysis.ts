import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Decodes the first audio stream of a file or URL to 48 kHz floats, one array per channel. */
export async function decodeAudio(input: string, channels = 2): Promise<Float32Array[]> {
  const { stdout } = await run(
    'ffmpeg',
    ['-v', 'error', '-i', input, '-map', '0:a:0', '-f', 'f32le', '-ac', String(channels), '-ar', '48000', 'pipe:1'],
    {
      encoding: 'buffer',
      maxBuffer: 1 << 30,
    },
  );
  const all = new Float32Array(stdout.buffer.slice(stdout.byteOffset, stdout.byteOffset + stdout.length));
  return Array.from({ length: channels }, (_, c) => all.filter((_, i) => i % channels === c));
}

/** The signal minus its best-fitting sinusoid of `hz` (least squares on sine, cosine and offset). */
export function subtractTone(x: Float32Array, hz: number, rate = 48000): Float32Array {
  const w = (2 * Math.PI * hz) / rate;
  // Normal equations for [sin, cos, 1].
  let ss = 0,
    sc = 0,
    s1 = 0,
    cc = 0,
    c1 = 0,
    n = 0,
    xs = 0,
    xc = 0,
    x1 = 0;
  for (let i = 0; i < x.length; i++) {
    const s = Math.sin(w * i),
      c = Math.cos(w * i),
      v = x[i]!;
    ss += s * s;
    sc += s * c;
    s1 += s;
    cc += c * c;
    c1 += c;
    n += 1;
    xs += v * s;
    xc += v * c;
    x1 += v;
  }
  const [a, b, d] = solve3(
    [
      [ss, sc, s1],
      [sc, cc, c1],
      [s1, c1, n],
    ],
    [xs, xc, x1],
  );
  return x.map((v, i) => v - (a * Math.sin(w * i) + b * Math.cos(w * i) + d));
}

function solve3(m: number[][], y: number[]): [number, number, number] {
  const det = (q: number[][]) =>
    q[0]![0]! * (q[1]![1]! * q[2]![2]! - q[1]![2]! * q[2]![1]!) -
    q[0]![1]! * (q[1]![0]! * q[2]![2]! - q[1]![2]! * q[2]![0]!) +
    q[0]![2]! * (q[1]![0]! * q[2]![1]! - q[1]![1]! * q[2]![0]!);
  const d = det(m);
  const col = (k: number) => det(m.map((row, i) => row.map((v, j) => (j === k ? y[i]! : v))));
  return [col(0) / d, col(1) / d, col(2) / d];
}

/** RMS of x[from, to) in dB (full scale = 1). */
export function rmsDb(x: ArrayLike<number>, from = 0, to = x.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += x[i]! * x[i]!;
  return 10 * Math.log10(sum / Math.max(1, to - from) + 1e-20);
}

/** The loudest short window (dB) within ±`radius` samples of `at`. */
export function peakNear(x: Float32Array, at: number, radius = 1024, window = 128): number {
  let peak = -Infinity;
  for (let from = Math.max(0, at - radius); from + window <= Math.min(x.length, at + radius); from += window / 4)
    peak = Math.max(peak, rmsDb(x, from, from + window));
  return peak;
}

/**
 * Residual at joins against the residual elsewhere: the loudest short window around each join, and
 * the same measure around points midway between joins (the codec's own residual, which a join must not
 * exceed).
 */
export function joinResidual(residual: Float32Array, joins: number[]): { atJoins: number[]; elsewhere: number[] } {
  const inner = joins.filter((j) => j > 4096 && j < residual.length - 4096);
  const mids = inner.slice(0, -1).map((j, i) => Math.round((j + inner[i + 1]!) / 2));
  return { atJoins: inner.map((j) => peakNear(residual, j)), elsewhere: mids.map((m) => peakNear(residual, m)) };
}

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * Scale-invariant SDR (dB) of `estimate` against `reference`, sample for sample as given (no
 * re-alignment, so a delay counts as a loss).
 */
export function siSdr(reference: Float32Array, estimate: Float32Array): number {
  const n = Math.min(reference.length, estimate.length);
  let dot = 0,
    energy = 0;
  for (let i = 0; i < n; i++) {
    dot += reference[i]! * estimate[i]!;
    energy += reference[i]! ** 2;
  }
  const scale = dot / energy;
  let signal = 0,
    error = 0;
  for (let i = 0; i < n; i++) {
    const target = scale * reference[i]!;
    signal += target ** 2;
    error += (estimate[i]! - target) ** 2;
  }
  return 10 * Math.log10(signal / error);
}

/** The delay (samples, within ±`range`) at which `estimate` best matches `reference` (normalised cross-correlation). */
export function bestLag(
  reference: Float32Array,
  estimate: Float32Array,
  range = 240,
  from = 0,
  to = reference.length,
): number {
  let best = 0,
    bestValue = -Infinity;
  for (let lag = -range; lag <= range; lag++) {
    let dot = 0,
      energy = 0;
    for (let i = Math.max(from, -lag); i < Math.min(to, estimate.length - lag); i++) {
      dot += reference[i]! * estimate[i + lag]!;
      energy += estimate[i + lag]! ** 2;
    }
    const value = dot / Math.sqrt(energy + 1e-20);
    if (value > bestValue) [best, bestValue] = [lag, value];
  }
  return best;
}
