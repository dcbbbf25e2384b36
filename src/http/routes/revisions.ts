import { Hono } from 'hono';
import { ErrorCode, OriginError } from '../../errors.js';
import { LIMITS } from '../../core/edits/limits.js';
import { playbackPaths } from '../../core/manifests/playback-urls.js';
import { readBody } from '../read-body.js';
import type { Revisions } from '../../services/revisions.js';

/** The mint API the main application calls after every edit. */
export function revisionRoutes(revisions: Revisions): Hono {
  const app = new Hono();

  app.post('/', async (c) => {
    const text = await readBody(c.req.raw, LIMITS.mintBodyBytes);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new OriginError(ErrorCode.BadJson, 'the body must be a JSON object');
    }
    const { created, record, duration } = await revisions.mint(body);
    const paths = playbackPaths(record.id);
    c.header('cache-control', 'no-store');
    c.header('location', `/v1/revisions/${record.id}`);
    return c.json({ revisionId: record.id, ...paths, duration }, created ? 201 : 200);
  });

  app.get('/:id', async (c) => {
    const record = await revisions.get(c.req.param('id'));
    c.header('cache-control', 'no-store');
    return c.json(record);
  });

  return app;
}
