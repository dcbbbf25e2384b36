import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Parser, type Manifest } from 'm3u8-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countDecodedFrames, decodedFrames, largestGap, packets } from '../helpers/media-analysis.js';
import { startOrigin, type RunningOrigin } from '../helpers/origin-server.js';

/**
 * End to end, for every fixture: mint → master → every rendition's playlist, init and segments →
 * concatenate and decode. Short segments (SEGMENT_DURATION=1) put several joins in seconds-long media.
 */
const FIXTURES: Array<{ file: string; fps: number; audio: boolean; top: [number, number]; segments?: 'default' | '1 s' }> = [
  { file: 'landscape.mp4', fps: 30, audio: true, top: [1280, 720] },
  // The production grid: a ramp of short start-up segments, then the target duration.
  { file: 'landscape.mp4', fps: 30, audio: true, top: [1280, 720], segments: 'default' },
  { file: 'recorder.webm', fps: 30, audio: true, top: [640, 480], segments: 'default' },
  { file: 'recorder.webm', fps: 30, audio: true, top: [640, 480] },
  { file: 'portrait.mp4', fps: 30, audio: true, top: [360, 640] },
  { file: 'portrait-rotated.mp4', fps: 25, audio: true, top: [360, 640] },
  { file: 'silent.mp4', fps: 25, audio: false, top: [640, 360] },
  { file: 'odd.mp4', fps: 24, audio: true, top: [638, 360] },
];

function parse(text: string): Manifest {
  const parser = new Parser();
  parser.push(text);
  parser.end();
  return parser.manifest;
}

let server: RunningOrigin;
let shortSegments: RunningOrigin;
let defaultSegments: RunningOrigin;
let work: string;

beforeAll(async () => {
  shortSegments = await startOrigin({ SEGMENT_DURATION: '1' });
  defaultSegments = await startOrigin();
  work = await mkdtemp(join(tmpdir(), 'avserver-e2e-'));
});

afterAll(async () => {
  await shortSegments?.close();
  await defaultSegments?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

async function bytes(path: string): Promise<Buffer> {
  const res = await server.fetch(path);
  expect(res.status, path).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

async function text(path: string): Promise<string> {
  return (await bytes(path)).toString('utf8');
}

/** Downloads a rendition; returns its playlist, the concatenated file and each segment as its own file (init + segment). */
async function download(base: string, id: string, dir: string) {
  const playlist = parse(await text(`${base}/${id}.m3u8`));
  const init = await bytes(`${base}/${id}/init.mp4`);
  const segments = await Promise.all(playlist.segments.map((s) => bytes(`${base}/${s.uri}`)));
  const whole = join(dir, `${id}.mp4`);
  await writeFile(whole, Buffer.concat([init, ...segments]));
  const singles = await Promise.all(
    segments.map(async (seg, i) => {
      const file = join(dir, `${id}-${i}.mp4`);
      await writeFile(file, Buffer.concat([init, seg]));
      return file;
    }),
  );
  return { playlist, whole, singles, sizes: segments.map((s) => s.length) };
}

describe.each(FIXTURES)('$file, $segments segments', ({ file, fps, audio, top, segments }) => {
  it('plays as HLS whose segments join exactly', { timeout: 120_000 }, async () => {
    server = segments === 'default' ? defaultSegments : shortSegments;
    const minted = await server.mint({ clips: [{ source: file }] });
    const base = minted.hls.replace(/\/master\.m3u8$/, '');
    const master = parse(await text(minted.hls));
    const dir = await mkdtemp(join(work, file));

    expect(master.playlists!.length).toBeGreaterThanOrEqual(1);
    const audioUri = master.mediaGroups?.AUDIO?.audio?.Main?.uri;
    expect(audioUri !== undefined).toBe(audio);
    expect([...master.playlists!].map((p) => p.attributes.RESOLUTION).some((r) => r!.width === top[0] && r!.height === top[1])).toBe(true);

    const audioTrack = audio ? await download(base, 'audio', dir) : undefined;
    let videoStart = 0;
    for (const variant of master.playlists!) {
      const id = variant.uri.replace(/\.m3u8$/, '');
      const { playlist, whole, singles, sizes } = await download(base, id, dir);
      const duration = playlist.segments.reduce((t, s) => t + s.duration, 0);
      expect(duration).toBeCloseTo(minted.duration, 3);

      // TARGETDURATION: an integer at or above every rounded EXTINF (RFC 8216 §4.3.3.1).
      expect(Number.isInteger(playlist.targetDuration)).toBe(true);
      for (const s of playlist.segments) expect(Math.round(s.duration)).toBeLessThanOrEqual(playlist.targetDuration!);

      // Decoded: frame count = duration × fps (±1), no gap over 1.5 frame durations, the declared size.
      const frames = await decodedFrames(whole);
      expect(Math.abs(frames.length - duration * fps)).toBeLessThanOrEqual(1);
      expect(largestGap(frames, false)).toBeLessThanOrEqual(1.5 / fps);
      const size = variant.attributes.RESOLUTION!;
      for (const f of frames) expect([f.width, f.height]).toEqual([size.width, size.height]);
      videoStart = frames[0]!.pts;
      expect(videoStart).toBeCloseTo(0, 3);

      // Every segment starts with a keyframe at its EXTINF start.
      let start = 0;
      for (const [i, single] of singles.entries()) {
        const first = (await packets(single, 'v'))[0]!;
        expect(first.keyframe, `segment ${i} of ${id} starts with a keyframe`).toBe(true);
        expect(first.pts).toBeCloseTo(start, 3);
        start += playlist.segments[i]!.duration;
      }

      // BANDWIDTH ≥ the peak segment bitrate (video plus the audio segment beside it).
      const peak = Math.max(
        ...sizes.map((bytesOf, i) => ((bytesOf + (audioTrack?.sizes[i] ?? 0)) * 8) / playlist.segments[i]!.duration),
      );
      expect(variant.attributes.BANDWIDTH).toBeGreaterThanOrEqual(peak);
    }

    if (audioTrack) {
      const audioPackets = await packets(audioTrack.whole, 'a');
      // Continuous: no hole or overlap over 1.5 ms anywhere, including across segment joins.
      expect(largestGap(audioPackets, true)).toBeLessThanOrEqual(0.0015);
      expect(Math.abs(audioPackets[0]!.pts - videoStart)).toBeLessThanOrEqual(0.025);
      const audioEnd = audioPackets.at(-1)!.pts + 1024 / 48000;
      expect(audioPackets.length).toBe(Math.ceil((minted.duration * 48000) / 1024));
      expect(audioEnd).toBeGreaterThanOrEqual(minted.duration - 0.001);
      expect(audioEnd - minted.duration).toBeLessThan(1024 / 48000);
    }

    // ffmpeg's own HLS demuxer plays the start rendition through HTTP to the last frame.
    const startUri = master.playlists![0]!.uri;
    expect(await countDecodedFrames(`${server.baseUrl}${base}/${startUri}`, 'v')).toBe(Math.round(minted.duration * fps));
  });
});
