import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Logger } from '../../logger.js';
import type { ArtifactKind } from '../../core/playback-urls.js';
import type { Metrics } from '../../metrics.js';

/** What a playback path names, from its last part. */
export function artifactKind(path: string): ArtifactKind | undefined {
  if (!path.startsWith('/play/')) return undefined;
  const file = path.slice(path.lastIndexOf('/') + 1);
  if (file === 'master.m3u8') return 'master';
  if (file.endsWith('.m3u8')) return 'playlist';
  if (file.endsWith('.mpd')) return 'manifest';
  if (file === 'init.mp4') return 'init';
  if (file.endsWith('.m4s')) return 'segment';
  return undefined;
}

/** `resolve;dur=0.1, queue;dur=2.0, total;dur=3.5` → `{ resolve: 0.1, queue: 2, total: 3.5 }` (ms). */
export function timingParts(header: string | null): Record<string, number> {
  const parts: Record<string, number> = {};
  for (const m of (header ?? '').matchAll(/([\w-]+);dur=([\d.]+)/g)) parts[m[1]!] = Number(m[2]);
  return parts;
}

/**
 * One log line per request — request id (CloudFront's, the caller's `X-Request-Id`, or a new one,
 * echoed back), method, path, status, duration, cache status and the Server-Timing parts — and the
 * request's metrics. Health checks log at debug: load balancers ask every few seconds.
 */
export function observe(logger: Logger, metrics?: Metrics): MiddlewareHandler {
  return async function observeMiddleware(c, next) {
    const started = performance.now();
    const id = c.req.header('x-amz-cf-id') ?? c.req.header('x-request-id') ?? randomUUID();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const { status, headers } = c.res;
    c.res.headers.set('x-request-id', id);
    const cache = headers.get('x-origin-cache');
    const artifact = artifactKind(c.req.path);
    if (metrics) {
      metrics.request(routePath(c, -1) || 'unmatched', c.req.method, status, seconds);
      if (artifact && status < 300 && c.req.method !== 'HEAD')
        metrics.served(artifact, cache, Number(headers.get('content-length') ?? 0));
      if (status === 503)
        metrics.unavailable(
          (
            (await c.res
              .clone()
              .json()
              .catch(() => undefined)) as { error?: { code?: string } } | undefined
          )?.error?.code ?? 'unknown',
        );
    }
    const line = {
      req: id,
      method: c.req.method,
      path: c.req.path,
      status,
      ms: Math.round(seconds * 10_000) / 10,
      cache: cache ?? undefined,
      timing: artifact ? timingParts(headers.get('server-timing')) : undefined,
    };
    if (c.req.path === '/healthz') logger.debug('request', line);
    else logger.info('request', line);
  };
}
