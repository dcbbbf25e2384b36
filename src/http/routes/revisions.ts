import { Hono } from 'hono';
import { LIMITS } from '../../core/edits/limits.js';
import { playbackPaths } from '../../core/manifests/playback-urls.js';
import { parseJsonBody, readBody } from '../read-body.js';
import type { Revisions } from '../../services/revisions.js';

/** The mint API the main application calls after every edit. */
export function revisionRoutes(revisions: Revisions, onMinted?: (revisionId: string) => void): Hono {
  const app = new Hono();

  app.post('/', async (c) => {
    const body = parseJsonBody(await readBody(c.req.raw, LIMITS.mintBodyBytes));
    const { created, record, duration } = await revisions.mint(body);
    onMinted?.(record.id);
    const paths = playbackPaths(record.id);
    c.header('cache-control', 'no-store');
    c.header('location', `/v1/revisions/${record.id}`);
    return c.json({ revisionId: record.id, hls: paths.hls, dash: paths.dash, duration }, created ? 201 : 200);
  });

  app.get('/:id', async (c) => {
    const record = await revisions.get(c.req.param('id'));
    c.header('cache-control', 'no-store');
    return c.json(record);
  });

  return app;
}
