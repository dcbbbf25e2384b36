import { UnusableSourceError } from '../../errors.js';
import { processFailure } from '../process-failure.js';
import { ProcessError, saysOutOfMemory, type ProcessRunner } from '../process-runner.js';
import { FFMPEG_QUIET, inputOptions, type Demuxer } from './container.js';

export interface VerifyTools {
  runner: ProcessRunner;
  ffmpegPath: string;
  timeoutMs: number;
}

/** Seconds before the end from which the last keyframes are decoded (`-sseof`: the keyframe before it). */
const TAIL_SECONDS = 3;

/** Frames in ffmpeg's framecrc output (a line per frame after the `#` header lines). */
const frameCount = (framecrc: Buffer) => framecrc.toString('latin1').match(/^\d+,/gm)?.length ?? 0;

/**
 * Where the last packet in a framecrc listing ends, in seconds (`#tb 0: 1/15360`, then lines of stream,
 * dts, pts, duration, …); undefined when it lists none.
 */
function listedEnd(framecrc: Buffer): number | undefined {
  const text = framecrc.toString('latin1');
  const [num, den] = (/^#tb 0: (\d+)\/(\d+)/m.exec(text) ?? []).slice(1).map(Number);
  if (!num || !den) return undefined;
  let end: number | undefined;
  for (const [, pts, duration] of text.matchAll(/^\d+,\s*-?\d+,\s*(-?\d+),\s*(\d+),/gm))
    end = Math.max(end ?? -Infinity, ((Number(pts) + Number(duration)) * num) / den);
  return end;
}

/** How far short of its stated end an MP4's last packet may stop (a frame's length, with room). */
const END_TOLERANCE_SECONDS = 1;

/**
 * Decodes what every segment will need before a revision is stored, in one ffmpeg run under the job's
 * memory ceiling, with the decoder threads a job has alone:
 * - the first frame, so a video track whose codec no decoder here reads (or that needs more memory than a
 *   job may use) is refused at mint rather than failing every segment;
 * - in an MP4/MOV, the packets of its last seconds, read (not decoded) where its index (the moov) says
 *   they are, up to `end` (the video's end on its own clock, as the probe found it): a file cut short
 *   after upload (moov intact, mdat truncated) stops short of it, and would otherwise play a frozen
 *   picture and then fail. The other containers have no index that could point past the end.
 * Throws UnusableSourceError for the source's faults; a run killed or out of time is retryable.
 */
export async function verifyDecodes(input: string, demuxer: Demuxer, tools: VerifyTools, end?: number): Promise<void> {
  const tail = demuxer === 'mov' && end !== undefined;
  const args = [
    ...FFMPEG_QUIET,
    // The tail's packets keep the source's own time stamps, to compare with its end.
    '-copyts',
    ...['-threads', '0', ...inputOptions(input, demuxer), '-i', input],
    ...(tail ? ['-sseof', `-${TAIL_SECONDS}`, ...inputOptions(input, demuxer)] : []),
    ...(tail ? ['-i', input] : []),
    // A line per decoded frame; wrapped_avframe passes the frame on without copying its pixels.
    ...['-map', '0:v:0', '-frames:v', '1', '-c:v', 'wrapped_avframe', '-f', 'framecrc', 'pipe:1'],
    ...(tail ? ['-map', '1:v:0', '-c:v', 'copy', '-f', 'framecrc', 'pipe:3'] : []),
  ];
  let first: Buffer;
  let last: Buffer | undefined;
  let stderr: string;
  try {
    const out = await tools.runner.run(tools.ffmpegPath, args, {
      timeoutMs: tools.timeoutMs,
      extraOutputs: tail ? 1 : 0,
      // A line is about 60 bytes: a frame, and the packets of the last seconds (from the keyframe before).
      maxOutputBytes: 1024 * 1024,
    });
    [first, last, stderr] = [out.stdout, out.extra[0], out.stderr];
  } catch (err) {
    const failure = processFailure(err, 'decoding');
    if (failure) throw failure;
    if (err instanceof ProcessError && /Decoder \(codec [^)]*\) not found/.test(err.stderrTail))
      throw new UnusableSourceError('has a video track whose codec no decoder here reads');
    if (err instanceof ProcessError)
      throw new UnusableSourceError(`does not decode (${err.message.slice(0, 200)})`, { cause: err });
    throw err;
  }
  // A decoder short of memory may end with nothing decoded and exit 0.
  if (frameCount(first) === 0 && saysOutOfMemory(stderr))
    throw processFailure(new ProcessError('ffmpeg ran out of memory under its ceiling', 'memory', stderr), 'decoding')!;
  if (frameCount(first) === 0) throw new UnusableSourceError('has no video frame that decodes');
  const lastEnd = last === undefined ? undefined : (listedEnd(last) ?? -Infinity);
  if (lastEnd !== undefined && end !== undefined && lastEnd < end - END_TOLERANCE_SECONDS)
    throw new UnusableSourceError(
      'is cut short: its index places its last frames beyond the end of the file (truncated after upload?)',
    );
}
