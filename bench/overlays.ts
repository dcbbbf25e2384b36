/**
 * Overlay figures (`npm run bench:overlays`, also part of `npm run bench`): what a caption, a logo and
 * a freehand drawing add to a cold segment, and to the first segment of a freshly minted revision.
 * The origin runs as its own process (`node --import tsx src/main.ts`) on the 1-minute 1080p bench recording. Each
 * run uses new revisions and slightly moved overlays, so nothing (segments, plans, rasters) is cached.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OriginProcess } from '../test/helpers/origin-process.js';
import { benchSource, cacheDir, fetchOk, freshRevision, idle, percentile, variantIds, withOrigin } from './lib.js';

const RUNS = Number(process.env.BENCH_OVERLAY_RUNS ?? 7);
const LOGO = fileURLToPath(new URL('../fixtures/media/brand/logo.png', import.meta.url));

/** A caption with a box, a logo and a 200-point pen stroke, all visible throughout; `n` moves them a hair. */
function threeOverlays(n: number) {
  const shift = n * 1e-4;
  const pen = Array.from(
    { length: 200 },
    (_, i) => [0.1 + (0.5 * i) / 199, 0.45 + 0.05 * Math.sin(i / 10) + shift] as [number, number],
  );
  return [
    {
      kind: 'text',
      text: `Quarterly review ${n}`,
      x: 0.05,
      y: 0.8,
      size: 0.06,
      color: '#ffffff',
      background: '#000000b3',
    },
    { kind: 'image', source: 'brand/logo.png', x: 0.7 + shift, y: 0.05, width: 0.25 },
    { kind: 'drawing', strokes: [{ points: pen, color: '#00ff00', width: 0.02 }] },
  ];
}

const fresh = (node: OriginProcess, source: string, overlays: unknown[]) => freshRevision(node, source, { overlays });

/** One cold 720p segment (a full-length one), with and without overlays, alternating which goes first. */
async function coldSegment(node: OriginProcess, source: string) {
  const plain: number[] = [];
  const overlaid: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const measure = async (overlays: unknown[], into: number[]) => {
      const { hls } = await fresh(node, source, overlays);
      into.push(await fetchOk(node, hls.replace('master.m3u8', '720p/4.m4s')));
      await idle(node);
    };
    if (i % 2 === 0) await measure([], plain).then(() => measure(threeOverlays(i), overlaid));
    else await measure(threeOverlays(i), overlaid).then(() => measure([], plain));
  }
  return {
    plainP50: percentile(plain, 50),
    overlaysP50: percentile(overlaid, 50),
    extra: percentile(overlaid, 50) / percentile(plain, 50) - 1,
  };
}

/** Mint → master → start playlist → init + segment 0 + audio init + segment 0, as a player, prewarm on. */
async function firstSegment(node: OriginProcess, source: string) {
  const plain: number[] = [];
  const overlaid: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const measure = async (overlays: unknown[], into: number[]) => {
      const t0 = performance.now();
      const { hls } = await fresh(node, source, overlays);
      const start = variantIds(await (await node.fetch(hls)).text())[0]!;
      const base = hls.replace('/master.m3u8', '');
      await fetchOk(node, `${base}/${start}.m3u8`);
      await Promise.all(
        [`${start}/init.mp4`, `${start}/0.m4s`, 'audio/init.mp4', 'audio/0.m4s'].map((p) =>
          fetchOk(node, `${base}/${p}`),
        ),
      );
      into.push(performance.now() - t0);
      await idle(node);
    };
    if (i % 2 === 0) await measure([], plain).then(() => measure(threeOverlays(100 + i), overlaid));
    else await measure(threeOverlays(100 + i), overlaid).then(() => measure([], plain));
  }
  return {
    plainP50: percentile(plain, 50),
    overlaysP50: percentile(overlaid, 50),
    extra: percentile(overlaid, 50) / percentile(plain, 50) - 1,
  };
}

export async function overlaysBench() {
  const source = benchSource(60);
  mkdirSync(join(cacheDir, 'brand'), { recursive: true });
  copyFileSync(LOGO, join(cacheDir, 'brand', 'logo.png'));
  const env = { MEDIA_ROOT: cacheDir, REVISION_SECRET: 'bench-secret-0123456789' };
  const segment = await withOrigin({ ...env, LOOKAHEAD_SEGMENTS: '0', PREWARM_ON_MINT: 'false' }, (quiet) =>
    coldSegment(quiet, source),
  );
  const first = await withOrigin({ ...env, PREWARM_ON_MINT: 'true' }, async (production) => {
    await idle(production);
    return firstSegment(production, source);
  });
  return { runs: RUNS, segment, first };
}

export function printOverlays(r: Awaited<ReturnType<typeof overlaysBench>>): void {
  const ms = (n: number) => `${n.toFixed(0)} ms`;
  const pct = (n: number) => `${n >= 0 ? '+' : ''}${(n * 100).toFixed(1)}%`;
  console.log(
    `Overlays (caption with box, logo, 200-point stroke, all visible), 1-minute 1080p source, p50 of ${r.runs}:`,
  );
  console.log(
    `  cold 720p segment 4 (4 s):          without ${ms(r.segment.plainP50).padStart(7)}   with ${ms(r.segment.overlaysP50).padStart(7)}   ${pct(r.segment.extra)}`,
  );
  console.log(
    `  first segment of a fresh revision:  without ${ms(r.first.plainP50).padStart(7)}   with ${ms(r.first.overlaysP50).padStart(7)}   ${pct(r.first.extra)}`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) printOverlays(await overlaysBench());
