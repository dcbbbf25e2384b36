import { Hono } from 'hono';
import { ErrorCode, OriginError } from '../../errors.js';
import type { SourceList } from '../../services/source-listing.js';
import { requireToken } from '../middleware/require-token.js';
import type { PlaygroundAsset } from './playground-assets.js';

export interface PlaygroundOptions {
  /** The page and player builds (loadPlaygroundAssets). */
  assets: ReadonlyMap<string, PlaygroundAsset>;
  /** Media and images under MEDIA_ROOT or in the bucket, bounded. */
  listSources: () => Promise<SourceList>;
  /** The API's token: the source list asks for it as `/v1/*` does. */
  apiToken?: string;
}

const NO_STORE = { 'cache-control': 'no-store' };

/**
 * The playground: a page at `/` that lists the sources, builds an edit, mints it through the real
 * API (`POST /v1/revisions`) and plays it beside the original; `/?revision=<id>` opens a revision.
 * Only mounted when `PLAYGROUND` is on. Its files are never cached: they change with the build.
 */
export function playgroundRoutes(options: PlaygroundOptions): Hono {
  const app = new Hono();
  const send = (name: string) => {
    const asset = options.assets.get(name);
    if (!asset) throw new OriginError(ErrorCode.NotFound, `no playground file ${JSON.stringify(name)}`);
    return new Response(asset.body, { headers: { 'content-type': asset.type, ...NO_STORE } });
  };

  app.get('/', () => send('index.html'));
  app.get('/playground/config', (c) =>
    c.json(
      {
        tokenRequired: options.apiToken !== undefined,
        players: { hls: options.assets.has('hls.min.js'), dash: options.assets.has('shaka-player.compiled.js') },
      },
      200,
      NO_STORE,
    ),
  );
  app.get('/playground/sources', requireToken(options.apiToken), async (c) =>
    c.json(await options.listSources(), 200, NO_STORE),
  );
  app.get('/playground/:file', (c) => send(c.req.param('file')));
  return app;
}
