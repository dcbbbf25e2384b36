import { Hono } from 'hono';
import { revisionView } from '../../core/api/responses.js';
import { API_ROUTES, apiPath } from '../../core/api/routes.js';
import { LIMITS } from '../../core/edits/limits.js';
import { playbackPaths } from '../../core/manifests/playback-urls.js';
import { parseJsonBody, readBody } from '../read-body.js';
import type { Revisions } from '../../services/revisions.js';

/** An OpenAPI path template as a Hono route (`/v1/revisions/{revisionId}` → `/v1/revisions/:revisionId`). */
const routeOf = (template: string) => template.replace(/\{(\w+)\}/g, ':$1');

/** The mint API the main application calls after every edit (its routes: `API_ROUTES`). */
export function revisionRoutes(revisions: Revisions): Hono {
  const app = new Hono();

  app.post(routeOf(API_ROUTES.mint.path), async (c) => {
    const body = parseJsonBody(await readBody(c.req.raw, LIMITS.mintBodyBytes));
    const { created, record, duration } = await revisions.mint(body);
    c.header('cache-control', 'no-store');
    c.header('location', apiPath('getRevision', { revisionId: record.id }));
    return c.json({ revisionId: record.id, ...playbackPaths(record.id), duration }, created ? 201 : 200);
  });

  app.get(routeOf(API_ROUTES.getRevision.path), async (c) => {
    const id = c.req.param('revisionId') ?? '';
    const record = await revisions.get(id);
    const { duration } = await revisions.plan(id);
    c.header('cache-control', 'no-store');
    return c.json(revisionView(record, playbackPaths(record.id), duration));
  });

  return app;
}
