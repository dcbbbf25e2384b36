import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePlaylist } from '../helpers/hls-download.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sources } from '../../src/engine/sources.js';
import { FsObjectStore } from '../../src/stores/fs-object-store.js';
import { ProcessRunner } from '../../src/media/process-runner.js';
import { probeSource } from '../../src/media/sources/probe.js';
import { packets } from '../helpers/media-analysis.js';
import { FIXTURES, startOrigin } from '../helpers/origin-server.js';

/** The Matroska Cues element ID (EBML). */
const CUES = Buffer.from('1C53BB6B', 'hex');
const tools = (runner: ProcessRunner) => ({ runner, ffprobePath: 'ffprobe', ffmpegPath: 'ffmpeg', timeoutMs: 10_000 });

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'avserver-index-'));
  // A 40 s browser-recorder-like WebM (written to a pipe: no Cues, no Duration).
  const webm = execFileSync(
    'ffmpeg',
    [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=320x240:rate=30:duration=40',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:duration=40',
      '-c:v',
      'libvpx',
      '-b:v',
      '100k',
      '-deadline',
      'realtime',
      '-cpu-used',
      '8',
      '-g',
      '60',
      '-c:a',
      'libopus',
      '-b:a',
      '32k',
      '-f',
      'webm',
      '-',
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  await writeFile(join(dir, 'long-recording.webm'), webm);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('sources that cannot seek', () => {
  it('are told apart by the probe', async () => {
    const runner = new ProcessRunner();
    const id = { etag: 'e', size: 1 };
    expect(
      (await probeSource(join(FIXTURES, 'recorder.webm'), { key: 'recorder.webm', ...id }, tools(runner), 'matroska'))
        .seekable,
    ).toBe(false);
    expect(
      (await probeSource(join(FIXTURES, 'landscape.mp4'), { key: 'landscape.mp4', ...id }, tools(runner), 'mov'))
        .seekable,
    ).toBe(true);
  });

  it('are indexed once into a seekable copy with Cues and a Duration', async () => {
    const runner = new ProcessRunner();
    let runs = 0;
    const run = runner.run.bind(runner);
    runner.run = (c, a, o) => ((runs += 1), run(c, a, o));
    const objects = new FsObjectStore(FIXTURES);
    const cache = new Sources({
      objects,
      runner,
      ffmpegPath: 'ffmpeg',
      dir: join(dir, 'cache'),
      maxBytes: 1 << 30,
      timeoutMs: 30_000,
    });
    // The cache re-checks a source's identity before reading it, so the probe carries the real one.
    const identity = (await objects.stat('recorder.webm'))!;
    const source = await probeSource(
      join(FIXTURES, 'recorder.webm'),
      { key: 'recorder.webm', ...identity },
      tools(new ProcessRunner()),
      'matroska',
    );
    // Reads near the start use the original; reads past 30 s the indexed copy, made once.
    const input = async (at: number) => (await cache.open(source, 'video', at, at + 4)).input;
    expect(await input(0)).toBe(join(FIXTURES, 'recorder.webm'));
    expect(runs).toBe(0);
    const [a, b] = await Promise.all([input(31), input(31)]);
    expect(a).toBe(b);
    expect(runs).toBe(1);
    expect((await readFile(a)).includes(CUES)).toBe(true);
    const reprobed = await probeSource(a, { key: 'copy', etag: 'e', size: 1 }, tools(runner), 'matroska');
    expect(reprobed.seekable).toBe(true);
    expect(reprobed.duration).toBeCloseTo(source.duration, 1);
    expect(await readdir(join(dir, 'cache'))).toEqual([a.split('/').pop()]);
    cache.clear();
    await new Promise((r) => setTimeout(r, 50));
    expect(await readdir(join(dir, 'cache'))).toEqual([]);
  });

  it('play past the first 30 s from the indexed copy, exactly on the grid', { timeout: 60_000 }, async () => {
    const origin = await startOrigin({ MEDIA_ROOT: dir, LOOKAHEAD_SEGMENTS: '0' });
    try {
      const minted = await origin.mint({ clips: [{ source: 'long-recording.webm' }] });
      const base = minted.hls.replace('/master.m3u8', '');
      const { segments } = parsePlaylist(await (await origin.fetch(`${base}/240p.m3u8`)).text());
      let start = 0;
      const late = segments.findIndex((s) => ((start += s.duration), start - s.duration > 31));
      const lateStart = segments.slice(0, late).reduce((t, s) => t + s.duration, 0);
      const init = Buffer.from(await (await origin.fetch(`${base}/240p/init.mp4`)).arrayBuffer());
      const res = await origin.fetch(`${base}/240p/${late}.m4s`);
      expect(res.status).toBe(200);
      const file = join(dir, 'late.mp4');
      await writeFile(file, Buffer.concat([init, Buffer.from(await res.arrayBuffer())]));
      const video = await packets(file, 'v');
      expect(video[0]!.keyframe).toBe(true);
      expect(video[0]!.pts).toBeCloseTo(lateStart, 3);
      expect(video.length).toBe(Math.round(segments[late]!.duration * 30));
      expect((await readdir(join(origin.origin.workDir, 'sources'))).filter((f) => f.endsWith('.mkv'))).toHaveLength(1);
    } finally {
      await origin.close();
    }
  });
});

describe('chunked recordings whose chunks start with keyframes', () => {
  it(
    'are minted from their first chunks and read chunk by chunk: nothing is assembled',
    {
      timeout: 60_000,
    },
    async () => {
      const origin = await startOrigin({ SEGMENT_DURATION: '1', LOOKAHEAD_SEGMENTS: '0' });
      const reads: Array<{ command: string; inputs: string[] }> = [];
      const runner = origin.origin.runner;
      const run = runner.run.bind(runner);
      runner.run = (command, args, options) => {
        reads.push({ command, inputs: args.filter((_, i) => args[i - 1] === '-i') });
        return run(command, args, options);
      };
      try {
        const minted = await origin.mint({ clips: [{ source: 'dash/recording.mpd' }] });
        // Mint probes the first chunk of each track (a video and an audio file); its one ffmpeg run decodes
        // the first video chunk's first frame (the decode check), and nothing is assembled.
        const decodes = reads.filter((r) => r.command === 'ffmpeg');
        expect(decodes).toHaveLength(1);
        expect(decodes[0]!.inputs).toHaveLength(1);
        expect(reads.flatMap((r) => r.inputs).every((input) => /chunks-[0-9a-f]+\.webm$/.test(input))).toBe(true);
        const base = minted.hls.replace('/master.m3u8', '');
        const inputs: Array<{ path: string; size: number }> = [];
        runner.run = (command, args, options) => {
          for (const [i, a] of args.entries())
            if (args[i - 1] === '-i') inputs.push({ path: a, size: statSync(a).size });
          return run(command, args, options);
        };
        // Segment 2 is 2.13–3.2 s: with a second of margin each side, chunks 2–4 of the video track.
        expect((await origin.fetch(`${base}/180p/2.m4s`)).status).toBe(200);
        const size = (f: string) => statSync(join(FIXTURES, 'dash', f)).size;
        expect(inputs.map((i) => i.size)).toEqual([
          size('init-0.webm') + size('chunk-0-00002.webm') + size('chunk-0-00003.webm') + size('chunk-0-00004.webm'),
        ]);
        expect((await origin.fetch(`${base}/audio/2.m4s`)).status).toBe(200);
        expect(inputs).toHaveLength(2);
        // …and deleted once the job is done.
        for (const input of inputs) expect(existsSync(input.path)).toBe(false);
        expect(await readdir(join(origin.origin.workDir, 'sources')).catch(() => [])).toEqual([]);
      } finally {
        runner.run = run;
        await origin.close();
      }
    },
  );
});
