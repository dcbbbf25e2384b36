import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Packet {
  pts: number;
  dts: number;
  duration: number;
  keyframe: boolean;
}

export interface Frame {
  pts: number;
  width: number;
  height: number;
  keyframe: boolean;
}

async function ffprobeJson(args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-of', 'json', ...args], { maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout) as Record<string, unknown>;
}

/** Demuxed packets of the first video ('v') or audio ('a') stream, in file order. */
export async function packets(file: string, stream: 'v' | 'a'): Promise<Packet[]> {
  const out = await ffprobeJson([
    '-select_streams',
    `${stream}:0`,
    '-show_entries',
    'packet=pts_time,dts_time,duration_time,flags',
    file,
  ]);
  return ((out.packets ?? []) as Array<Record<string, string>>).map((p) => ({
    pts: Number(p.pts_time),
    dts: Number(p.dts_time),
    duration: Number(p.duration_time),
    keyframe: (p.flags ?? '').includes('K'),
  }));
}

/** Decoded video frames (the decoder really ran): presentation time, size, key flag. */
export async function decodedFrames(file: string): Promise<Frame[]> {
  const out = await ffprobeJson([
    '-select_streams',
    'v:0',
    '-show_entries',
    'frame=pts_time,best_effort_timestamp_time,width,height,key_frame',
    '-show_frames',
    file,
  ]);
  return ((out.frames ?? []) as Array<Record<string, string | number>>).map((f) => ({
    pts: Number(f.pts_time ?? f.best_effort_timestamp_time),
    width: Number(f.width),
    height: Number(f.height),
    keyframe: Number(f.key_frame) === 1,
  }));
}

/**
 * Number of decoded frames of the first stream of a kind, read through any input ffmpeg opens (a file or an HLS URL).
 */
export async function countDecodedFrames(input: string, stream: 'v' | 'a'): Promise<number> {
  const out = await ffprobeJson([
    '-count_frames',
    '-select_streams',
    `${stream}:0`,
    '-show_entries',
    'stream=nb_read_frames',
    input,
  ]);
  return Number(((out.streams ?? []) as Array<Record<string, string>>)[0]?.nb_read_frames);
}

/**
 * Largest gap or overlap (seconds) between consecutive items: next.pts − (this.pts + this.duration)
 * for packets (`useDuration`), next.pts − this.pts otherwise. A packet without a duration (ffprobe
 * leaves the first AAC packet's empty) counts with the stream's most common one.
 */
export function largestGap(times: Array<{ pts: number; duration?: number }>, useDuration: boolean): number {
  const known = times.map((t) => t.duration).filter((d): d is number => d !== undefined && Number.isFinite(d));
  const nominal = known.sort((a, b) => a - b)[Math.floor(known.length / 2)] ?? 0;
  let worst = 0;
  for (let i = 1; i < times.length; i++) {
    const prev = times[i - 1]!;
    const duration = prev.duration !== undefined && Number.isFinite(prev.duration) ? prev.duration : nominal;
    worst = Math.max(worst, Math.abs(times[i]!.pts - (prev.pts + (useDuration ? duration : 0))));
  }
  return worst;
}
