import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { Edge, EdgeVariables } from './edge.js';
import { serverTiming } from './middleware/server-timing.js';
import { parseRange, sendArtifact } from './send-artifact.js';

describe('parseRange', () => {
  it.each([
    ['bytes=0-9', 100, { start: 0, end: 9 }],
    ['bytes=90-', 100, { start: 90, end: 99 }],
    ['bytes=-10', 100, { start: 90, end: 99 }],
    ['bytes=-200', 100, { start: 0, end: 99 }],
    ['bytes=50-500', 100, { start: 50, end: 99 }],
    ['bytes=100-', 100, 'unsatisfiable'],
    ['bytes=9-3', 100, 'unsatisfiable'],
    ['bytes=-0', 100, 'unsatisfiable'],
    ['bytes=0-1,5-6', 100, undefined],
    ['items=0-1', 100, undefined],
    [undefined, 100, undefined],
  ])('%s of %s bytes', (header, size, expected) => expect(parseRange(header, size)).toEqual(expected));
});

describe('sendArtifact', () => {
  const artifact = {
    body: Buffer.from('0123456789'),
    etag: '"abc"',
    contentType: 'video/mp4',
    cacheStatus: 'miss' as const,
    timing: { resolve: 0.25, queue: 3, ffmpeg: 412.5 },
  };
  /** The response through the Server-Timing middleware, and what the request left on the context. */
  const send = async (headers: Record<string, string> = {}, method = 'GET') => {
    let values: EdgeVariables = {};
    const app = new Hono<Edge>();
    app.use(async (c, next) => {
      await next();
      values = { ...c.var };
    });
    app.use(serverTiming());
    app.get('/', (c) => sendArtifact(c, 'segment', artifact, 'public, max-age=60'));
    const res = await app.request('/', { method, headers });
    return { res, values };
  };
  const sent = (bytes: number) => ({ kind: 'segment', cacheStatus: 'miss', timing: artifact.timing, bytes });

  it('sends the whole body with validators', async () => {
    const { res, values } = await send();
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"abc"');
    expect(res.headers.get('content-length')).toBe('10');
    expect(res.headers.get('x-origin-cache')).toBe('miss');
    expect(res.headers.get('server-timing')).toMatch(
      /^resolve;dur=0\.3, queue;dur=3\.0, ffmpeg;dur=412\.5, total;dur=\d+\.\d$/,
    );
    expect(await res.text()).toBe('0123456789');
    expect(values.sent).toEqual(sent(10));
    expect(values.serverTiming).toEqual({ resolve: 0.3, queue: 3, ffmpeg: 412.5, total: expect.any(Number) });
  });

  it('answers a range with 206 and Content-Range', async () => {
    const { res, values } = await send({ range: 'bytes=2-4' });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe('bytes 2-4/10');
    expect(await res.text()).toBe('234');
    expect(values.sent).toEqual(sent(3));
  });

  it('answers an unsatisfiable range with 416, the JSON error and no-store', async () => {
    const { res, values } = await send({ range: 'bytes=20-' });
    expect(res.status).toBe(416);
    expect(res.headers.get('content-range')).toBe('bytes */10');
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('range_not_satisfiable');
    // An error answer, not the artifact: no cache status, no artifact timing.
    expect(res.headers.get('x-origin-cache')).toBeNull();
    expect(res.headers.get('server-timing')).toMatch(/^total;dur=\d+\.\d$/);
    expect(values.sent).toBeUndefined();
    expect(values.errorCode).toBe('range_not_satisfiable');
  });

  it('answers a matching If-None-Match with 304', async () => {
    const { res, values } = await send({ 'if-none-match': 'W/"abc", "zzz"' });
    expect(res.status).toBe(304);
    expect(res.headers.get('x-origin-cache')).toBe('miss');
    expect(values.sent).toEqual(sent(0));
  });

  it('ignores the range when If-Range names another version', async () => {
    const { res } = await send({ range: 'bytes=2-4', 'if-range': '"old"' });
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBe(10);
  });

  it('answers HEAD with the length and no body', async () => {
    const { res, values } = await send({}, 'HEAD');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('10');
    expect((await res.arrayBuffer()).byteLength).toBe(0);
    expect(values.sent).toEqual(sent(0));
  });
});
