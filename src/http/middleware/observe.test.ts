import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { ErrorCode, OriginError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { Metrics } from '../../metrics.js';
import type { Edge } from '../edge.js';
import { errorResponse } from '../error-response.js';
import { sendArtifact } from '../send-artifact.js';
import { observe } from './observe.js';
import { serverTiming } from './server-timing.js';

const artifact = {
  body: Buffer.from('0123456789'),
  etag: '"abc"',
  contentType: 'video/mp4',
  cacheStatus: 'coalesced' as const,
  timing: { resolve: 0.25, queue: 3, ffmpeg: 412.5 },
};

/** The middleware as the app stacks it, around a segment route, a failing route and /healthz. */
function harness() {
  const lines: Record<string, unknown>[] = [];
  const log =
    (level: string) =>
    (message: string, fields?: Record<string, unknown>): void => {
      lines.push({ level, message, ...fields });
    };
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  const metrics = new Metrics({ jobs: { runningOf: () => 0, queuedOf: () => 0 }, sourceCacheBytes: () => 0 });
  const app = new Hono<Edge>();
  app.use('*', observe(logger, metrics));
  app.use('/play/*', serverTiming());
  app.get('/play/:id/:rendition/:file', (c) => sendArtifact(c, 'segment', artifact, 'public, max-age=60'));
  app.get('/play/:id/:file', () => {
    throw new OriginError(ErrorCode.Timeout, 'the job did not finish in time');
  });
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.onError((err, c) => errorResponse(c, err, { notFoundMaxAge: 10, cacheable: true }));
  const metric = async (name: string) => (await metrics.registry.getSingleMetricAsString(name)).split('\n');
  return { app, lines, metric };
}

describe('observe', () => {
  it('logs and counts an artifact from the values the handler left, echoing the request id', async () => {
    const { app, lines, metric } = harness();
    const res = await app.request('/play/rev/720p/3.m4s', { headers: { 'x-request-id': 'req-1' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('req-1');
    expect(lines).toEqual([
      {
        level: 'info',
        message: 'request',
        req: 'req-1',
        method: 'GET',
        path: '/play/rev/720p/3.m4s',
        status: 200,
        ms: expect.any(Number),
        cache: 'coalesced',
        timing: { resolve: 0.3, queue: 3, ffmpeg: 412.5, total: expect.any(Number) },
      },
    ]);
    expect(await metric('avserver_cache_requests_total')).toContain(
      'avserver_cache_requests_total{artifact="segment",status="coalesced"} 1',
    );
    expect(await metric('avserver_served_bytes_total')).toContain('avserver_served_bytes_total{artifact="segment"} 10');
    expect(await metric('avserver_http_request_duration_seconds')).toContain(
      'avserver_http_request_duration_seconds_count{route="/play/:id/:rendition/:file",method="GET",status="200"} 1',
    );
  });

  it('counts no bytes for HEAD or a range miss, only for bodies sent', async () => {
    const { app, metric } = harness();
    await app.request('/play/rev/720p/3.m4s', { method: 'HEAD' });
    await app.request('/play/rev/720p/3.m4s', { headers: { range: 'bytes=50-' } });
    await app.request('/play/rev/720p/3.m4s', { headers: { range: 'bytes=2-4' } });
    expect(await metric('avserver_served_bytes_total')).toContain('avserver_served_bytes_total{artifact="segment"} 3');
    expect(await metric('avserver_cache_requests_total')).toContain(
      'avserver_cache_requests_total{artifact="segment",status="coalesced"} 1',
    );
  });

  it('counts a 503 by its error code and logs why it was sent, with no cache status', async () => {
    const { app, lines, metric } = harness();
    const res = await app.request('/play/rev/master.m3u8');
    expect(res.status).toBe(503);
    expect(await metric('avserver_http_503_total')).toContain('avserver_http_503_total{reason="timeout"} 1');
    expect(lines[0]).toMatchObject({
      status: 503,
      error: 'timeout',
      reason: 'the job did not finish in time',
      cache: undefined,
      timing: { total: expect.any(Number) },
    });
    expect(Object.keys(lines[0]!.timing as object)).toEqual(['total']);
  });

  it('logs health checks at debug, without timing', async () => {
    const { app, lines } = harness();
    await app.request('/healthz');
    expect(lines).toEqual([expect.objectContaining({ level: 'debug', path: '/healthz', timing: undefined })]);
  });
});
