import type { MiddlewareHandler } from 'hono';

/**
 * Appends `total;dur=<ms>` to the response's Server-Timing (W3C Server Timing), after whatever parts
 * the handler reported (resolve, queue, ffmpeg), and lets browsers on other origins read it.
 */
export function serverTiming(): MiddlewareHandler {
  return async function serverTimingMiddleware(c, next) {
    const started = performance.now();
    await next();
    c.res.headers.append('server-timing', `total;dur=${(performance.now() - started).toFixed(1)}`);
    c.res.headers.set('timing-allow-origin', '*');
  };
}
