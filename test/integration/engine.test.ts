import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrigin, type RunningOrigin } from '../helpers/origin-server.js';

/** The JIT engine through HTTP: lookahead, Server-Timing, and jobs that outlive their first client. */
let server: RunningOrigin;
let base: string;

beforeAll(async () => {
  // 1 s segments: the 4 s landscape fixture has four of them.
  server = await startOrigin({ SEGMENT_DURATION: '1', LOOKAHEAD_SEGMENTS: '2' });
  base = (await server.mint({ clips: [{ source: 'landscape.mp4' }] })).hls.replace('/master.m3u8', '');
});

afterAll(async () => {
  await server?.close();
});

async function idle(): Promise<void> {
  const { scheduler } = server.origin;
  while (scheduler.active > 0 || scheduler.queued > 0 || scheduler.paused > 0)
    await new Promise((r) => setTimeout(r, 20));
}

const cacheOf = async (path: string) => {
  const res = await server.fetch(path);
  expect(res.status).toBe(200);
  await res.arrayBuffer();
  return res.headers.get('x-origin-cache');
};

describe('lookahead', () => {
  it('makes the next segments of the rendition before the player asks', async () => {
    expect(await cacheOf(`${base}/360p/0.m4s`)).toBe('miss');
    // A player asks for the next segment as soon as it has the one before (a viewer who does not
    // has left, and lookahead for it stops): each was taken on before it was asked for.
    expect(await cacheOf(`${base}/360p/1.m4s`)).not.toBe('miss');
    expect(await cacheOf(`${base}/360p/2.m4s`)).not.toBe('miss');
    await idle();
    // Other renditions are not touched.
    expect(await cacheOf(`${base}/240p/1.m4s`)).toBe('miss');
  });

  it('during the start-up ramp, makes the next segment of the rendition asked for, not of the one above', async () => {
    // A guess at the player's first switch made a segment nobody watched whenever the player
    // stayed (hls.js switched up on one machine and down on another): a switch is asked for,
    // and the scheduler makes it urgent.
    const ramped = await startOrigin({ LOOKAHEAD_SEGMENTS: '1' });
    try {
      const hls = (await ramped.mint({ clips: [{ source: 'landscape.mp4' }] })).hls.replace('/master.m3u8', '');
      const first = await ramped.fetch(`${hls}/480p/0.m4s`);
      await first.arrayBuffer();
      const { scheduler } = ramped.origin;
      while (scheduler.active > 0 || scheduler.queued > 0) await new Promise((r) => setTimeout(r, 20));
      const up = await ramped.fetch(`${hls}/720p/1.m4s`);
      await up.arrayBuffer();
      expect(up.headers.get('x-origin-cache')).toBe('miss');
      const same = await ramped.fetch(`${hls}/480p/1.m4s`);
      await same.arrayBuffer();
      expect(same.headers.get('x-origin-cache')).toBe('hit');
    } finally {
      await ramped.close();
    }
  });
});

describe('mint', () => {
  it('starts the first segments of the start rendition and the audio at once', async () => {
    const warm = await startOrigin({ PREWARM_ON_MINT: 'true' });
    try {
      const hls = (await warm.mint({ clips: [{ source: 'portrait.mp4' }] })).hls.replace('/master.m3u8', '');
      const { scheduler } = warm.origin;
      while (scheduler.active > 0 || scheduler.queued > 0) await new Promise((r) => setTimeout(r, 20));
      for (const path of ['360p/init.mp4', '360p/0.m4s', 'audio/0.m4s']) {
        const res = await warm.fetch(`${hls}/${path}`);
        await res.arrayBuffer();
        expect(res.headers.get('x-origin-cache'), path).toBe('hit');
      }
    } finally {
      await warm.close();
    }
  });
});

describe('Server-Timing', () => {
  it('reports resolve, queue, ffmpeg and total on a miss, and resolve and total on a hit', async () => {
    const miss = await server.fetch(`${base}/480p/2.m4s`);
    await miss.arrayBuffer();
    expect(miss.headers.get('server-timing')).toMatch(
      /^resolve;dur=[\d.]+, queue;dur=[\d.]+, ffmpeg;dur=[\d.]+, total;dur=[\d.]+$/,
    );
    const hit = await server.fetch(`${base}/480p/2.m4s`);
    await hit.arrayBuffer();
    expect(hit.headers.get('server-timing')).toMatch(/^resolve;dur=[\d.]+, total;dur=[\d.]+$/);
    expect(hit.headers.get('timing-allow-origin')).toBe('*');
    const missing = await server.fetch(`${base}/480p/99.m4s`);
    expect(missing.headers.get('server-timing')).toMatch(/^total;dur=[\d.]+$/);
  });
});

describe('request wait', () => {
  it('answers 503 timeout past REQUEST_WAIT_MS, and the job goes on for the retry', async () => {
    const impatient = await startOrigin({ REQUEST_WAIT_MS: '1', LOOKAHEAD_SEGMENTS: '0' });
    try {
      const minted = await impatient.mint({ clips: [{ source: 'landscape.mp4' }] });
      const path = minted.hls.replace('master.m3u8', '480p/1.m4s');
      const first = await impatient.fetch(path);
      expect(first.status).toBe(503);
      expect(first.headers.get('retry-after')).toBe('3');
      expect(first.headers.get('cache-control')).toBe('no-store');
      expect(((await first.json()) as { error: { code: string } }).error.code).toBe('timeout');
      const { scheduler } = impatient.origin;
      while (scheduler.active > 0 || scheduler.queued > 0) await new Promise((r) => setTimeout(r, 20));
      const retry = await impatient.fetch(path);
      expect(retry.status).toBe(200);
      expect(retry.headers.get('x-origin-cache')).toBe('hit');
    } finally {
      await impatient.close();
    }
  });
});

describe('client disconnect', () => {
  it('does not cancel the job another request waits on', async () => {
    await idle();
    const path = `${base}/720p/1.m4s`;
    const controller = new AbortController();
    const leaving = server.fetch(path, { signal: controller.signal }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 30));
    const staying = server.fetch(path);
    controller.abort();
    expect(await leaving).toBeInstanceOf(Error);
    const res = await staying;
    expect(res.status).toBe(200);
    expect(['coalesced', 'hit']).toContain(res.headers.get('x-origin-cache'));
    expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    await idle();
    // A job dropped as unwanted leaves the scheduler at once; its ffmpeg takes a moment to die. None stays.
    for (let waited = 0; server.origin.runner.running > 0 && waited < 5000; waited += 20)
      await new Promise((r) => setTimeout(r, 20));
    expect(server.origin.runner.running).toBe(0);
  });
});
