import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Logger } from '../../logger.js';
import type { Metrics } from '../../metrics.js';
import type { Edge } from '../edge.js';

/**
 * One log line per request — request id (CloudFront's, the caller's `X-Request-Id`, or a new one,
 * echoed back), method, path, status, duration, cache status, the Server-Timing parts, and for an
 * error answer its code (and for a 5xx its message: why a 503 was sent) — and the
 * request's metrics, all from the values the handler and the middleware inside left on the context
 * (http/edge.ts). Health checks log at debug: load balancers ask every few seconds.
 */
export function observe(logger: Logger, metrics?: Metrics): MiddlewareHandler<Edge> {
  return async function observeMiddleware(c, next) {
    const started = performance.now();
    const id = c.req.header('x-amz-cf-id') ?? c.req.header('x-request-id') ?? randomUUID();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const { status } = c.res;
    c.res.headers.set('x-request-id', id);
    const sent = c.get('sent');
    if (metrics) {
      metrics.request(routePath(c, -1) || 'unmatched', c.req.method, status, seconds);
      if (sent && status < 300 && c.req.method !== 'HEAD') metrics.served(sent.kind, sent.cacheStatus, sent.bytes);
      if (status === 503) metrics.unavailable(c.get('errorCode') ?? 'unknown');
    }
    const line = {
      req: id,
      method: c.req.method,
      path: c.req.path,
      status,
      ms: Math.round(seconds * 10_000) / 10,
      cache: sent?.cacheStatus,
      timing: c.get('serverTiming'),
      // Why an error answer was sent: the code for any, the message too for a 5xx (overload, a deadline).
      error: c.get('errorCode'),
      reason: status >= 500 ? c.get('errorMessage') : undefined,
    };
    if (c.req.path === '/healthz') logger.debug('request', line);
    else logger.info('request', line);
  };
}
