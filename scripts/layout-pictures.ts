/**
 * Draws docs/layouts.png: the README's picture of each layout, made by the origin itself from the fixtures
 * (screen.mp4 and camera.webm) — a thumbnail of one revision at a moment of each layout. Run with
 * `npm run layout-pictures` after changing how layouts are drawn.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/index.js';
import { silentLogger } from '../src/logger.js';
import { createOrigin } from '../src/origin.js';

const fixtures = fileURLToPath(new URL('../fixtures/media', import.meta.url));
const out = fileURLToPath(new URL('../docs/layouts.png', import.meta.url));
const token = 'layout-pictures-token';
const config = loadConfig(
  { MEDIA_ROOT: fixtures, AVSERVER_API_TOKEN: token, PREWARM_ON_MINT: 'false' },
  { fixturesDir: fixtures, randomSecret: () => 'layout-pictures-secret-0123456789' },
);
const origin = await createOrigin(config, silentLogger);
const ask = (path: string, init?: RequestInit) => origin.app.fetch(new Request(`http://origin${path}`, init));

/** Each layout from one second of the screen on, so a thumbnail at that second shows it. */
const LAYOUTS = [
  { at: 0, layout: 'bubble' },
  {
    at: 1,
    layout: 'bubble',
    corner: 'top-right',
    shape: 'rounded',
    size: 0.35,
    border: { width: 0.01, color: '#ffffff' },
  },
  { at: 2, layout: 'split' },
  { at: 3, layout: 'camera' },
  { at: 4, layout: 'screen' },
];
const minted = await ask('/v1/revisions', {
  method: 'POST',
  headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  body: JSON.stringify({
    clips: [{ source: 'screen.mp4', camera: { source: 'camera.webm', offset: -0.5 }, layouts: LAYOUTS }],
  }),
});
if (minted.status !== 201 && minted.status !== 200) throw new Error(`mint: ${minted.status} ${await minted.text()}`);
const { thumbnail } = (await minted.json()) as { thumbnail: string };
const dir = await mkdtemp(join(tmpdir(), 'layouts-'));
try {
  const files: string[] = [];
  for (const [i, { at }] of LAYOUTS.entries()) {
    const res = await ask(thumbnail.replace('{w}', '480').replace('{t}', String(at + 0.6)));
    if (res.status !== 200) throw new Error(`thumbnail at ${at}: ${res.status}`);
    files.push(join(dir, `${i}.jpg`));
    await writeFile(files[i]!, Buffer.from(await res.arrayBuffer()));
  }
  const names = ['bubble (the default)', 'bubble top-right rounded with a border', 'split', 'camera', 'screen'];
  const label = (i: number) =>
    `drawtext=fontfile=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf:text='${names[i]}':x=10:y=10:fontsize=18:fontcolor=white:box=1:boxcolor=black@0.7:boxborderw=6`;
  execFileSync('ffmpeg', [
    ...['-v', 'error', '-y', ...files.flatMap((f) => ['-i', f])],
    '-filter_complex',
    files.map((_, i) => `[${i}:v]${label(i)},pad=iw+8:ih+8:4:4:color=white[t${i}]`).join(';') +
      `;${files.map((_, i) => `[t${i}]`).join('')}xstack=inputs=${files.length}:layout=0_0|w0_0|0_h0|w0_h0|0_h0+h2:fill=white,split[a][b];[b]palettegen=max_colors=128[p];[a][p]paletteuse`,
    '-frames:v',
    '1',
    out,
  ]);
  console.log(`wrote ${out}`);
} finally {
  await rm(dir, { recursive: true, force: true });
  await origin.close();
}
