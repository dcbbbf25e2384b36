import { Hono } from 'hono';
import { API_ROUTES } from '../core/api/routes.js';
import { ErrorCode, OriginError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Revisions } from '../services/revisions.js';
import type { PlaybackService } from '../services/playback-service.js';
import type { Edge } from './edge.js';
import { errorResponse } from './error-response.js';
import { openApiJson } from './openapi.js';
import { observe } from './middleware/observe.js';
import { playbackCors } from './middleware/playback-cors.js';
import { requireOriginVerify, requireToken } from './middleware/require-token.js';
import { serverTiming } from './middleware/server-timing.js';
import { playbackRoutes } from './routes/playback.js';
import type { Downloads } from '../services/downloads.js';
import { revisionRoutes } from './routes/revisions.js';

export interface AppDeps {
  revisions: Revisions;
  playback: PlaybackService;
  downloads: Downloads;
  logger: Logger;
  /** Request metrics (the origin's registry); none in unit tests. */
  metrics?: Metrics;
  apiToken?: string;
  /** When set, `/play/*` requires it in `X-Origin-Verify` (CloudFront adds it). */
  originVerifySecret?: string;
  cacheMaxAge: number;
  notFoundMaxAge: number;
  /** Extra routes mounted at the root (the playground, when it is on). */
  extra?: Hono;
  /** What the origin lacks to do its work (ffmpeg gone), one line each: `/healthz` answers 503 while any. */
  readiness?: () => Promise<string[]>;
}

/** The whole HTTP surface, built from its dependencies; no sockets, so tests call `app.request()`. */
export function createApp(deps: AppDeps): Hono<Edge> {
  const app = new Hono<Edge>();

  app.use('*', observe(deps.logger, deps.metrics));
  app.get('/healthz', async (c) => {
    const problems = (await deps.readiness?.()) ?? [];
    if (problems.length > 0) return c.json({ status: 'unready', problems }, 503, { 'cache-control': 'no-store' });
    return c.json({ status: 'ok' }, 200, { 'cache-control': 'no-store' });
  });

  // The API description is public (it holds nothing a token guards), so tools can read it without one.
  const description = openApiJson();
  app.get(API_ROUTES.openApi.path, (c) =>
    c.body(description, 200, {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'access-control-allow-origin': '*',
    }),
  );

  app.use('/v1/*', requireToken(deps.apiToken));
  app.route('/', revisionRoutes(deps.revisions));

  app.use('/play/*', requireOriginVerify(deps.originVerifySecret));
  app.use('/play/*', serverTiming());
  app.use('/play/*', playbackCors());
  app.route('/play', playbackRoutes(deps.playback, deps.downloads, { cacheMaxAge: deps.cacheMaxAge }));
  if (deps.extra) app.route('/', deps.extra);

  app.notFound((c) =>
    errorResponse(c, new OriginError(ErrorCode.NotFound, `no route for ${c.req.path}`), {
      notFoundMaxAge: deps.notFoundMaxAge,
      cacheable: c.req.path.startsWith('/play/'),
    }),
  );
  app.onError((err, c) => {
    // A failed job was logged once, by the job (services/job-context.ts); anything else unexpected here.
    if (!(err instanceof OriginError)) deps.logger.error('request failed', { path: c.req.path, err });
    return errorResponse(c, err, { notFoundMaxAge: deps.notFoundMaxAge, cacheable: c.req.path.startsWith('/play/') });
  });
  return app;
}
