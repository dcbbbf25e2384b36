import type { SourceInfo } from '../../core/types.js';
import { LIMITS } from '../../core/edits/limits.js';
import { UnusableSourceError } from '../../errors.js';
import { demuxerOf, inputOptions, type Demuxer } from './container.js';
import { processFailure } from '../process-failure.js';
import { ProcessError, type ProcessRunner } from '../process-runner.js';
import { verifyDecodes } from './verify-decode.js';

/** Where ffmpeg reads a source from for one job, and what to do once the job is done with it. */
export interface SourceLease {
  /** A path or URL. */
  input: string;
  release(): Promise<void>;
}

/** What mint probes for a source, and with which demuxer (always forced: never guessed from the content). */
export type ProbeTarget =
  | { kind: 'file'; input: string; demuxer: Demuxer }
  /** A chunked recording read chunk by chunk: files of its first chunks, and its end on the manifest's clock (s). */
  | { kind: 'chunks'; video: SourceLease; audio?: SourceLease; demuxer: Demuxer; end: number };

export interface ProbeTools {
  runner: ProcessRunner;
  ffprobePath: string;
  /** For the decode check at mint (verifyDecodes), which runs under the job's memory ceiling. */
  ffmpegPath: string;
  timeoutMs: number;
  /** The memory ceiling of each ffprobe run (the runner's default when undefined). */
  memoryBytes?: number;
}

/**
 * Bytes of ffprobe's description of a source's streams and container: a stream is about 2 KB of JSON
 * (a file of 100 audio tracks plays), so this is room for several hundred, and a header listing more
 * is refused rather than parsed.
 */
const PROBE_OUTPUT_BYTES = 1024 * 1024;

interface FfprobeStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  sample_aspect_ratio?: string;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  start_time?: string;
  duration?: string;
  /** What the container says the stream holds: frames (video), packets or samples (audio). */
  nb_frames?: string;
  sample_rate?: string;
  channels?: number;
  color_space?: string;
  color_range?: string;
  disposition?: { attached_pic?: number };
  tags?: Record<string, string>;
  side_data_list?: Array<{ rotation?: number }>;
}

interface FfprobeOutput {
  streams?: FfprobeStream[];
  format?: { format_name?: string; duration?: string; start_time?: string };
}

function ratio(text: string | undefined): number {
  const [num, den] = (text ?? '').split(/[/:]/).map(Number);
  return num !== undefined && den !== undefined && num > 0 && den > 0 ? num / den : NaN;
}

function seconds(text: string | undefined): number | undefined {
  const value = Number(text);
  return text !== undefined && Number.isFinite(value) ? value : undefined;
}

/**
 * The display rotation, normalised to 0/90/180/270, from the display matrix (or the legacy `rotate`
 * tag). Only its axis matters here: 90 and 270 swap width and height; ffmpeg's autorotate turns the
 * picture itself when decoding.
 */
function rotationOf(stream: FfprobeStream): number {
  const matrix = stream.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation;
  const degrees = matrix ?? Number(stream.tags?.rotate ?? 0);
  return (((Math.round(degrees / 90) * 90) % 360) + 360) % 360;
}

/**
 * Probes a source (a path or URL ffprobe can read) into `SourceInfo`. A recording without a duration
 * in its header (a browser recorder's WebM) is measured by a packet scan of its video stream.
 */
export async function probeSource(
  input: string,
  identity: { key: string; etag: string; size: number },
  tools: ProbeTools,
  demuxer: Demuxer,
): Promise<SourceInfo> {
  const args = [
    '-v',
    'error',
    '-show_format',
    '-show_streams',
    '-of',
    'json',
    ...inputOptions(input, demuxer),
    '-i',
    input,
  ];
  let out: FfprobeOutput;
  try {
    const { stdout } = await tools.runner.run(tools.ffprobePath, args, {
      timeoutMs: tools.timeoutMs,
      memoryBytes: tools.memoryBytes,
      maxOutputBytes: PROBE_OUTPUT_BYTES,
    });
    out = JSON.parse(stdout.toString('utf8')) as FfprobeOutput;
  } catch (err) {
    if (err instanceof ProcessError && err.reason === 'output-limit')
      throw new UnusableSourceError(`has a header that describes more than ${LIMITS.sourceStreams} streams`);
    throw interrupted(err) ?? new UnusableSourceError('is not a media file ffprobe can read');
  }
  demuxerOf(out.format?.format_name ?? 'unknown');
  const streams = out.streams ?? [];
  if (streams.length > LIMITS.sourceStreams)
    throw new UnusableSourceError(`has ${streams.length} streams, more than ${LIMITS.sourceStreams}`);
  const video = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  if (!video?.width || !video.height) throw new UnusableSourceError('has no video stream');
  if (
    video.width > LIMITS.sourceSide ||
    video.height > LIMITS.sourceSide ||
    video.width * video.height > LIMITS.sourcePixels
  )
    throw new UnusableSourceError(
      `has a ${video.width}×${video.height} picture by what its header says, larger than ${LIMITS.sourceSide} on a side or ${LIMITS.sourcePixels} pixels`,
    );
  const audio = streams.find((s) => s.codec_type === 'audio' && s.sample_rate && s.channels);

  const startTime = seconds(video.start_time) ?? 0;
  const headerDuration = seconds(out.format?.duration);
  // Without a stream duration (Matroska), the container's end measured from the first video frame:
  // audio that starts earlier must not lengthen the video.
  const containerEnd =
    headerDuration === undefined ? undefined : headerDuration + (seconds(out.format?.start_time) ?? 0);
  let duration = seconds(video.duration) ?? (containerEnd === undefined ? undefined : containerEnd - startTime);
  let frameRate = ratio(video.r_frame_rate);
  // Matroska reports its 1 ms time base as r_frame_rate for variable-rate streams.
  if (!(frameRate > 0 && frameRate <= 120)) frameRate = ratio(video.avg_frame_rate);
  if (duration === undefined || !(frameRate > 0 && frameRate <= 120)) {
    const scan = await scanVideoPackets(input, tools, demuxer);
    duration ??= scan.end - startTime;
    if (!(frameRate > 0 && frameRate <= 120)) frameRate = scan.count / Math.max(scan.end - startTime, 1e-3);
  }
  if (!(duration > 0)) throw new UnusableSourceError('has no video frames');
  checkCounts(video, audio, duration, startTime);
  // What the header claims bounds everything built from it (the timeline, the segment list): two
  // frames 63 years apart once took the process down planning 470 million segments.
  if (duration > LIMITS.sourceSeconds)
    throw new UnusableSourceError(
      `lasts ${Math.round(duration / 3600)} hours by what its container says, longer than ${LIMITS.sourceSeconds / 3600}`,
    );

  const rotation = rotationOf(video);
  const sar = ratio(video.sample_aspect_ratio);
  const sampledWidth = Math.round(video.width * (sar > 0 ? sar : 1));
  const sideways = rotation === 90 || rotation === 270;
  return {
    ...identity,
    format: out.format?.format_name ?? 'unknown',
    duration,
    // MediaRecorder's WebM has neither a Duration nor Cues; without Cues every seek reads from the start.
    seekable: !(demuxerOf(out.format?.format_name ?? '') === 'matroska' && headerDuration === undefined),
    video: {
      codec: video.codec_name ?? 'unknown',
      width: video.width,
      height: video.height,
      displayWidth: sideways ? video.height : sampledWidth,
      displayHeight: sideways ? sampledWidth : video.height,
      rotation,
      frameRate,
      startTime,
      ...(video.color_space && video.color_space !== 'unknown' ? { matrix: video.color_space } : {}),
      ...(video.color_range === 'pc' ? { fullRange: true } : {}),
    },
    audio: audio
      ? {
          codec: audio.codec_name ?? 'unknown',
          sampleRate: Number(audio.sample_rate),
          channels: audio.channels!,
          startTime: seconds(audio.start_time) ?? startTime,
        }
      : undefined,
  };
}

/**
 * Probes a source as mint finds it: a file as it is, or a chunked recording read chunk by chunk from
 * its first chunks — its streams from them, its length from the manifest — so minting a 30-minute
 * recording costs what a 30-second one does. The chunk files are released either way.
 */
export async function probeTarget(
  target: ProbeTarget,
  identity: { key: string; etag: string; size: number },
  tools: ProbeTools,
): Promise<SourceInfo> {
  if (target.kind === 'file') {
    const info = await probeSource(target.input, identity, tools, target.demuxer);
    // After the header's limits held: nothing is decoded from a header that lies about its size.
    await verifyDecodes(target.input, target.demuxer, tools, info.video.startTime + info.duration);
    return info;
  }
  try {
    const [info, separateAudio] = await Promise.all([
      probeSource(target.video.input, identity, tools, target.demuxer),
      target.audio ? probeAudio(target.audio.input, tools, target.demuxer) : undefined,
    ]);
    await verifyDecodes(target.video.input, target.demuxer, tools);
    const audio = target.audio ? separateAudio : info.audio;
    return { ...info, duration: target.end - info.video.startTime, seekable: true, audio };
  } finally {
    await Promise.all([target.video.release(), target.audio?.release()]);
  }
}

/**
 * A probe that did not get to say anything about the file — killed from outside, out of time on a busy
 * machine, or not started — as a retryable error, and one that needed more than its memory ceiling as
 * the source's (see processFailure): only ffprobe's own refusal makes a source unusable otherwise.
 */
const interrupted = (err: unknown) => processFailure(err, 'probing the source');

/** The audio stream of a file with only audio in it (a chunked recording's audio track). */
async function probeAudio(input: string, tools: ProbeTools, demuxer: Demuxer): Promise<SourceInfo['audio']> {
  let out: FfprobeOutput;
  try {
    const args = ['-v', 'error', '-show_streams', '-of', 'json', ...inputOptions(input, demuxer), '-i', input];
    const { stdout } = await tools.runner.run(tools.ffprobePath, args, {
      timeoutMs: tools.timeoutMs,
      memoryBytes: tools.memoryBytes,
      maxOutputBytes: PROBE_OUTPUT_BYTES,
    });
    out = JSON.parse(stdout.toString('utf8')) as FfprobeOutput;
  } catch (err) {
    throw interrupted(err) ?? new UnusableSourceError('has an audio track ffprobe cannot read');
  }
  const audio = (out.streams ?? []).find((s) => s.codec_type === 'audio' && s.sample_rate && s.channels);
  if (!audio) return undefined;
  return {
    codec: audio.codec_name ?? 'unknown',
    sampleRate: Number(audio.sample_rate),
    channels: audio.channels!,
    startTime: seconds(audio.start_time) ?? 0,
  };
}

/**
 * Reads every video packet's timestamp: the end of the last frame and the frame count. The listing is
 * folded as ffprobe writes it (a line per frame: a day at 60 fps is 100 MB of text), and a source that
 * holds more frames than the limit is refused as soon as it has.
 */
async function scanVideoPackets(
  input: string,
  tools: ProbeTools,
  demuxer: Demuxer,
): Promise<{ end: number; count: number }> {
  const args = [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_entries',
    'packet=pts_time,duration_time',
    '-of',
    'csv=p=0',
    ...inputOptions(input, demuxer),
    '-i',
    input,
  ];
  let end = 0;
  let count = 0;
  let partial = '';
  const stop = new AbortController();
  const line = (text: string) => {
    const [pts, dur] = text.split(',').map(Number);
    if (pts === undefined || !Number.isFinite(pts)) return;
    count += 1;
    end = Math.max(end, pts + (dur !== undefined && Number.isFinite(dur) ? dur : 0));
  };
  try {
    await tools.runner.run(tools.ffprobePath, args, {
      timeoutMs: tools.timeoutMs,
      memoryBytes: tools.memoryBytes,
      signal: stop.signal,
      onStdout: (chunk) => {
        const lines = (partial + chunk.toString('latin1')).split('\n');
        partial = lines.pop()!;
        lines.forEach(line);
        if (count > LIMITS.sourceFrames) stop.abort();
      },
    });
  } catch (err) {
    if (!stop.signal.aborted) throw err;
  }
  line(partial);
  if (count > LIMITS.sourceFrames) throw new UnusableSourceError(`holds more than ${LIMITS.sourceFrames} video frames`);
  return { end, count };
}

/**
 * What the container says a source holds, against the limits: its frames and audio samples (an index
 * can claim billions in a few KB), their rate against its duration, and where its edit lists start its
 * streams. Checked before anything is built from them.
 */
function checkCounts(
  video: FfprobeStream,
  audio: FfprobeStream | undefined,
  duration: number,
  startTime: number,
): void {
  const frames = Number(video.nb_frames);
  if (Number.isFinite(frames)) {
    if (frames > LIMITS.sourceFrames)
      throw new UnusableSourceError(
        `holds ${frames} video frames by what its container says, more than ${LIMITS.sourceFrames}`,
      );
    if (frames > 1 && frames / duration > LIMITS.sourceFrameRate)
      throw new UnusableSourceError(
        `holds ${frames} video frames in ${duration.toFixed(3)} s by what its container says, more than ${LIMITS.sourceFrameRate} a second`,
      );
  }
  const samples = Number(audio?.nb_frames);
  if (Number.isFinite(samples) && samples > LIMITS.sourceAudioSamples)
    throw new UnusableSourceError(
      `holds ${samples} audio samples by what its container says, more than ${LIMITS.sourceAudioSamples}`,
    );
  for (const [kind, start] of [
    ['video', startTime],
    ['audio', seconds(audio?.start_time) ?? 0],
  ] as const) {
    if (Math.abs(start) > LIMITS.sourceStartSeconds)
      throw new UnusableSourceError(
        `starts its ${kind} at ${Math.round(start / 3600)} hours by what its container (an edit list, a time stamp) says, beyond ${Math.round(LIMITS.sourceStartSeconds / 3600)}`,
      );
  }
}
