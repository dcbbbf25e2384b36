import { describe, expect, it } from 'vitest';
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
  const send = (headers: Record<string, string> = {}, method = 'GET') =>
    sendArtifact(new Request('http://x/', { method, headers }), artifact, 'public, max-age=60');

  it('sends the whole body with validators', async () => {
    const res = send();
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"abc"');
    expect(res.headers.get('content-length')).toBe('10');
    expect(res.headers.get('x-origin-cache')).toBe('miss');
    expect(res.headers.get('server-timing')).toBe('resolve;dur=0.3, queue;dur=3.0, ffmpeg;dur=412.5');
    expect(await res.text()).toBe('0123456789');
  });

  it('answers a range with 206 and Content-Range', async () => {
    const res = send({ range: 'bytes=2-4' });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe('bytes 2-4/10');
    expect(await res.text()).toBe('234');
  });

  it('answers an unsatisfiable range with 416, the JSON error and no-store', async () => {
    const res = send({ range: 'bytes=20-' });
    expect(res.status).toBe(416);
    expect(res.headers.get('content-range')).toBe('bytes */10');
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('range_not_satisfiable');
  });

  it('answers a matching If-None-Match with 304', () => {
    expect(send({ 'if-none-match': 'W/"abc", "zzz"' }).status).toBe(304);
  });

  it('ignores the range when If-Range names another version', async () => {
    const res = send({ range: 'bytes=2-4', 'if-range': '"old"' });
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBe(10);
  });
});
