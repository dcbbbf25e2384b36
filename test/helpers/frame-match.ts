import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const W = 64;
const H = 36;

/**
 * Every frame of a file's first video stream, decoded to a tiny grey picture (W×H bytes). With `grid`,
 * the frames shown at each tick of a constant rate from its first video frame (what a player shows at
 * each output frame time), so a variable-frame-rate source can be compared frame by frame, whatever
 * clock the reader keeps.
 */
export async function tinyFrames(input: string, grid?: { fps: number }, prefilter?: string): Promise<Buffer[]> {
  const fps = grid ? `fps=fps=${grid.fps},` : '';
  const pre = prefilter ? `${prefilter},` : '';
  const { stdout } = await run(
    'ffmpeg',
    [
      '-v',
      'error',
      '-copyts',
      '-i',
      input,
      '-map',
      '0:v:0',
      '-vf',
      `${fps}${pre}scale=${W}:${H}:flags=area,format=gray`,
      '-f',
      'rawvideo',
      '-',
    ],
    {
      encoding: 'buffer',
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  const frames: Buffer[] = [];
  for (let at = 0; at + W * H <= stdout.length; at += W * H) frames.push(stdout.subarray(at, at + W * H));
  return frames;
}

function meanAbsoluteDifference(a: Buffer, b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

/** Index of the source frame that looks most like `frame` (searched within ±`window` of `near`). */
export function bestMatch(frame: Buffer, source: Buffer[], near: number, window = 6): number {
  let best = -1;
  let bestScore = Infinity;
  for (let i = Math.max(0, near - window); i <= Math.min(source.length - 1, near + window); i++) {
    const score = meanAbsoluteDifference(frame, source[i]!);
    if (score < bestScore) [best, bestScore] = [i, score];
  }
  return best;
}
