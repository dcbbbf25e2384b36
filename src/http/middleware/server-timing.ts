import type { MiddlewareHandler } from 'hono';
import type { Edge, TimingParts } from '../edge.js';

/** Server-Timing parts in the order they are sent: the artifact's steps, then the whole request. */
const ORDER = ['resolve', 'queue', 'ffmpeg', 'total'] as const;

/**
 * Writes the response's Server-Timing (W3C Server Timing): the parts the handler reported with its
 * artifact (resolve, queue, ffmpeg), then `total;dur=<ms>` measured here; and lets browsers on other
 * origins read it. The parts as sent, to 0.1 ms, stay on the context for the request's log line.
 */
export function serverTiming(): MiddlewareHandler<Edge> {
  return async function serverTimingMiddleware(c, next) {
    const started = performance.now();
    await next();
    const measured: TimingParts = { ...c.get('sent')?.timing, total: performance.now() - started };
    const parts = ORDER.flatMap((name) => {
      const ms = measured[name];
      return ms === undefined ? [] : [[name, Number(ms.toFixed(1))] as const];
    });
    c.res.headers.set('server-timing', parts.map(([name, ms]) => `${name};dur=${ms.toFixed(1)}`).join(', '));
    c.res.headers.set('timing-allow-origin', '*');
    c.set('serverTiming', Object.fromEntries(parts) as TimingParts);
  };
}
