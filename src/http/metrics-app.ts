import { Hono } from 'hono';
import type { Metrics } from '../metrics.js';

/** The Prometheus endpoint, `GET /metrics` in the text exposition format, for the metrics port only. */
export function metricsApp(metrics: Metrics): Hono {
  const app = new Hono();
  app.get('/metrics', async (c) =>
    c.body(await metrics.registry.metrics(), 200, {
      'content-type': metrics.registry.contentType,
      'cache-control': 'no-store',
    }),
  );
  return app;
}
