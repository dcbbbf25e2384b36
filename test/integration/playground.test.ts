import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrigin, type RunningOrigin } from '../helpers/origin-server.js';

/** The playground's routes as mounted by the origin (the page itself is driven in playground.browser.test.ts). */
describe('the playground routes', () => {
  let on: RunningOrigin;
  let off: RunningOrigin;
  beforeAll(async () => {
    on = await startOrigin({ PLAYGROUND: 'true' });
    off = await startOrigin({ PLAYGROUND: 'false' });
  });
  afterAll(async () => {
    await on?.close();
    await off?.close();
  });

  it('serves the page and the player builds, never cached', async () => {
    for (const [path, type] of [
      ['/', 'text/html'],
      ['/playground/playground.js', 'text/javascript'],
      ['/playground/hls.min.js', 'text/javascript'],
      ['/playground/shaka-player.compiled.js', 'text/javascript'],
    ]) {
      const res = await on.fetch(path!);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toContain(type);
      expect(res.headers.get('cache-control'), path).toBe('no-store');
    }
    expect(await (await on.fetch('/playground/config')).json()).toEqual({
      tokenRequired: true,
      players: { hls: true, dash: true },
    });
    expect((await on.fetch('/playground/nothing.js')).status).toBe(404);
  });

  it('lists the sources to the holder of the API token only', async () => {
    const refused = await on.fetch('/playground/sources');
    expect(refused.status).toBe(401);
    const res = await on.fetch('/playground/sources', { api: true });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { sources, truncated } = (await res.json()) as {
      sources: { key: string; kind: string }[];
      truncated: boolean;
    };
    expect(truncated).toBe(false);
    expect(sources).toContainEqual({ key: 'speech.mp4', kind: 'media' });
    expect(sources).toContainEqual({ key: 'dash/recording.mpd', kind: 'media' });
    expect(sources).toContainEqual({ key: 'brand/logo.png', kind: 'image' });
    // Chunks of chunked recordings and files that are not media are left out.
    expect(sources.map((s) => s.key)).not.toContain('hls/chunk-000.ts');
    expect(sources.map((s) => s.key)).not.toContain('not-media.txt');
  });

  it('is not there when PLAYGROUND=false: no page, no source list', async () => {
    for (const path of ['/', '/playground/sources', '/playground/hls.min.js']) {
      expect((await off.fetch(path, { api: true })).status, path).toBe(404);
    }
    // The API is unchanged.
    expect((await off.mint({ clips: [{ source: 'silent.mp4' }] })).revisionId).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});
