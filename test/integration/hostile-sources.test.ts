import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrigin, type RunningOrigin } from '../helpers/origin-server.js';

/** Recordings whose headers lie, made here with ffmpeg: refused at mint, in bounded time, naming the source. */
let media: string;
let server: RunningOrigin;
/** An origin whose ffmpeg runs may use 160 MB each. */
let frugal: RunningOrigin;

beforeAll(async () => {
  media = await mkdtemp(join(tmpdir(), 'avserver-hostile-'));
  // A 3 KB MP4 of two frames 63 years apart (time scale 1 s, a sample lasting 2,000,000,000 of them).
  execFileSync('ffmpeg', [
    ...['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=64x64:rate=1:duration=2'],
    ...['-vf', 'setpts=N*2000000000/TB', '-fps_mode', 'passthrough', '-c:v', 'libx264'],
    ...['-video_track_timescale', '1', join(media, 'decades.mp4')],
  ]);
  execFileSync('ffmpeg', [
    ...['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=30', '-frames:v', '1'],
    ...['-c:v', 'libx264', join(media, 'one-frame.mp4')],
  ]);
  // An MP4 with its index first (faststart), cut in half after upload: the moov lists samples past the end.
  execFileSync('ffmpeg', [
    ...['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=30:duration=2'],
    ...['-c:v', 'libx264', '-movflags', '+faststart', join(media, 'whole.mp4')],
  ]);
  const whole = await readFile(join(media, 'whole.mp4'));
  await writeFile(join(media, 'truncated.mp4'), whole.subarray(0, whole.length / 2));
  // The same, its video's sample entry renamed from avc1 to a codec no decoder knows.
  const entry = whole.indexOf('avc1', whole.indexOf('stsd'));
  await writeFile(
    join(media, 'no-decoder.mp4'),
    Buffer.concat([whole.subarray(0, entry), Buffer.from('zzzz'), whole.subarray(entry + 4)]),
  );
  // One 8K frame (within the picture limits): decoding it needs more than 160 MB.
  execFileSync('ffmpeg', [
    ...['-v', 'error', '-f', 'lavfi', '-i', 'color=size=7680x4320:rate=30', '-frames:v', '1'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', join(media, '8k.mp4')],
  ]);
  server = await startOrigin({ MEDIA_ROOT: media });
  frugal = await startOrigin({ MEDIA_ROOT: media, JOB_MEMORY_MB: '160' });
});

afterAll(async () => {
  await server?.close();
  await frugal?.close();
  if (media) await rm(media, { recursive: true, force: true });
});

describe('a source whose container claims more than 24 hours', () => {
  it('is a 422 naming the source, before anything is built from its length', { timeout: 30_000 }, async () => {
    const t0 = performance.now();
    const res = await server.fetch('/v1/revisions', {
      method: 'POST',
      api: true,
      body: JSON.stringify({ clips: [{ source: 'decades.mp4' }] }),
      headers: { 'content-type': 'application/json' },
    });
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(res.status).toBe(422);
    const { error } = (await res.json()) as { error: { code: string; field: string; message: string } };
    expect(error).toMatchObject({ code: 'source_unusable', field: 'clips[0].source' });
    expect(error.message).toMatch(/longer than 24/);
    expect((await server.fetch('/healthz')).status).toBe(200);
  });
});

/** Mints `source` and returns the answer's status and error. */
async function mintOf(origin: RunningOrigin, source: string) {
  const res = await origin.fetch('/v1/revisions', {
    method: 'POST',
    api: true,
    body: JSON.stringify({ clips: [{ source }] }),
    headers: { 'content-type': 'application/json' },
  });
  const body = (await res.json()) as { error?: { code: string; field: string; message: string } };
  return { status: res.status, cache: res.headers.get('cache-control'), error: body.error };
}

describe('recordings that can never play are refused at mint, naming the source', () => {
  it.each([
    ['an MP4 cut in half after upload (moov intact, mdat truncated)', 'truncated.mp4', /cut short/],
    ['a video track whose codec has no decoder', 'no-decoder.mp4', /no decoder/],
  ])('%s', { timeout: 30_000 }, async (_name, source, message) => {
    const { status, error, cache } = await mintOf(server, source);
    expect(status).toBe(422);
    expect(cache).toBe('no-store');
    expect(error).toMatchObject({ code: 'source_unusable', field: 'clips[0].source' });
    expect(error!.message).toMatch(message);
  });

  it('the whole file mints', { timeout: 30_000 }, async () => {
    expect((await mintOf(server, 'whole.mp4')).status).toBe(201);
  });
});

describe('a source whose decode needs more memory than a run may use', () => {
  it('is a 422 naming the source, not a 500 or a crash', { timeout: 30_000 }, async () => {
    const { status, error } = await mintOf(frugal, '8k.mp4');
    expect(status).toBe(422);
    expect(error).toMatchObject({ code: 'source_unusable', field: 'clips[0].source' });
    expect(error!.message).toMatch(/needs more memory than one run may use/);
    // Within the default budget it mints.
    expect((await mintOf(server, '8k.mp4')).status).toBe(201);
  });
});

describe('a recording of one frame', () => {
  it('plays: its one segment holds its one frame', { timeout: 30_000 }, async () => {
    const minted = await server.mint({ clips: [{ source: 'one-frame.mp4' }] });
    const base = minted.hls.replace('/master.m3u8', '');
    const init = Buffer.from(await (await server.fetch(`${base}/240p/init.mp4`)).arrayBuffer());
    const res = await server.fetch(`${base}/240p/0.m4s`);
    expect(res.status).toBe(200);
    const segment = Buffer.from(await res.arrayBuffer());
    const file = join(media, 'one-frame-out.mp4');
    await writeFile(file, Buffer.concat([init, segment]));
    const frames = execFileSync('ffprobe', [
      ...['-v', 'error', '-count_frames', '-select_streams', 'v:0'],
      ...['-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', file],
    ]);
    expect(frames.toString().trim()).toBe('1');
  });
});
