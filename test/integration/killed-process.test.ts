import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrigin, type RunningOrigin } from '../helpers/origin-server.js';
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
