import { chmod, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, startOrigin, type RunningOrigin } from '../helpers/origin-server.js';
import { waitForChildren } from '../helpers/processes.js';

/**
 * An ffmpeg killed from outside while it makes a segment — what the kernel's out-of-memory killer
 * does — is no fault of the request's: a retryable 503 that no CDN keeps, and the retry makes the
 * segment at once (the failure is not remembered, as a broken source's is).
 */
let server: RunningOrigin;
beforeAll(async () => {
  server = await startOrigin({ LOOKAHEAD_SEGMENTS: '0', PREWARM_ON_MINT: 'false' });
});
afterAll(async () => {
  await server?.close();
});

describe('a segment whose ffmpeg is killed', () => {
  it('answers a retryable 503, and the retry makes it', { timeout: 60_000 }, async () => {
    const minted = await server.mint({ clips: [{ source: 'landscape.mp4' }] });
    const path = minted.hls.replace('master.m3u8', '720p/1.m4s');
    const answer = server.fetch(path);
    // This test's origin runs in this process: its ffmpeg are this process's children.
    const pids = await waitForChildren(process.pid, 'ffmpeg');
    expect(pids.length).toBeGreaterThan(0);
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    const res = await answer;
    expect(res.status).toBe(503);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unavailable');
    const retry = await server.fetch(path);
    expect(retry.status).toBe(200);
    expect((await retry.arrayBuffer()).byteLength).toBeGreaterThan(1000);
  });
});

/**
 * The same at mint: a chunked recording whose chunks may not start with keyframes is joined into one
 * file by ffmpeg before it is probed. Killed there, the mint is a retryable 503 (it was a 500), and the
 * retry mints. The ffmpeg this origin runs stops itself on its first run (a wrapper named ffmpeg), so
 * the test kills it mid-run every time, however fast the machine.
 */
describe('a mint whose ffmpeg is killed while it joins a recording', () => {
  let dir: string;
  let minting: RunningOrigin;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'avserver-killed-'));
    await cp(join(FIXTURES, 'dash'), join(dir, 'media'), { recursive: true });
    const mpd = await readFile(join(dir, 'media', 'recording.mpd'), 'utf8');
    await writeFile(join(dir, 'media', 'recording.mpd'), mpd.replaceAll('startWithSAP="1"', ''));
    const ffmpeg = join(dir, 'ffmpeg');
    const once = join(dir, 'stopped-once');
    await writeFile(
      ffmpeg,
      `#!/bin/sh\nif [ ! -e '${once}' ]; then : > '${once}'; kill -STOP $$; fi\nexec ffmpeg "$@"\n`,
    );
    await chmod(ffmpeg, 0o755);
    minting = await startOrigin({ MEDIA_ROOT: join(dir, 'media'), FFMPEG_PATH: ffmpeg });
  });
  afterAll(async () => {
    await minting?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('answers a retryable 503, and the retry mints', { timeout: 60_000 }, async () => {
    const mint = () =>
      minting.fetch('/v1/revisions', {
        method: 'POST',
        api: true,
        body: JSON.stringify({ clips: [{ source: 'recording.mpd' }] }),
        headers: { 'content-type': 'application/json' },
      });
    const answer = mint();
    const pids = await waitForChildren(process.pid, 'ffmpeg');
    expect(pids.length).toBe(1);
    process.kill(pids[0]!, 'SIGKILL');
    const res = await answer;
    expect(res.status).toBe(503);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unavailable');
    expect((await mint()).status).toBe(201);
  });
});
