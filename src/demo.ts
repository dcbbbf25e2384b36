import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Hono } from 'hono';

/**
 * The embedded default's demo page: `/` plays a revision with hls.js (served from node_modules), so a
 * newcomer sees video in any browser. Returns undefined when hls.js is not installed.
 */
export async function demoRoutes(masterPath: () => string | undefined): Promise<Hono | undefined> {
  let hlsJs: Buffer;
  try {
    hlsJs = await readFile(createRequire(import.meta.url).resolve('hls.js/dist/hls.min.js'));
  } catch {
    return undefined;
  }
  const app = new Hono();
  app.get('/demo/hls.min.js', (c) =>
    c.body(new Uint8Array(hlsJs), 200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' }),
  );
  app.get('/', (c) => {
    const src = masterPath();
    if (!src) return c.text('no demo revision', 404);
    return c.html(`<!doctype html><meta charset="utf-8"><title>avserver demo</title>
<body style="font-family:sans-serif;background:#111;color:#eee">
<h1>avserver</h1><p>Playing <code>${src}</code>, generated just in time.</p>
<video id="v" controls autoplay muted style="max-width:100%;width:960px"></video>
<script src="/demo/hls.min.js"></script>
<script>
const v = document.getElementById('v'), src = ${JSON.stringify(src)};
if (v.canPlayType('application/vnd.apple.mpegurl')) v.src = src;
else { const hls = new Hls(); hls.loadSource(src); hls.attachMedia(v); }
</script>`);
  });
  return app;
}
