import { Hono } from 'hono';
import { ErrorCode, OriginError } from '../../errors.js';
import { LIMITS } from '../../core/limits.js';
import { playbackPaths } from '../../core/playback-urls.js';
import { isRevisionId } from '../../core/revision.js';
import { readBody } from '../read-body.js';
import { mintRevision, type MintDeps } from '../../services/mint-service.js';
import type { RevisionStore } from '../../stores/revision-store.js';

/** The mint API the main application calls after every edit. */
export function revisionRoutes(
  deps: MintDeps & { store: RevisionStore },
  onMinted?: (revisionId: string) => void,
): Hono {
  const app = new Hono();

  app.post('/', async (c) => {
    const text = await readBody(c.req.raw, LIMITS.mintBodyBytes);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new OriginError(ErrorCode.BadJson, 'the body must be a JSON object');
    }
    const { created, record, duration } = await mintRevision(deps, body);
    onMinted?.(record.id);
    const paths = playbackPaths(record.id);
    c.header('cache-control', 'no-store');
    c.header('location', `/v1/revisions/${record.id}`);
    return c.json({ revisionId: record.id, hls: paths.hls, dash: paths.dash, duration }, created ? 201 : 200);
  });

  app.get('/:id', async (c) => {
    const id = c.req.param('id');
    const record = isRevisionId(id) ? await deps.store.getRevision(id) : undefined;
    if (!record) throw new OriginError(ErrorCode.RevisionNotFound, `no revision ${JSON.stringify(id)}`);
    c.header('cache-control', 'no-store');
    return c.json(record);
  });

  return app;
}
