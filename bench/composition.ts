/**
 * Composition figures (`npm run bench:composition`, also part of `npm run bench`): what a camera composed over
 * the screen costs a cold segment, against the same segment of the screen alone. The screen is the 1-minute 1080p
 * bench recording, the camera a 720p30 VP8 WebM (a browser's camera), both generated once. The origin runs as its
 * own process, without lookahead; each run uses new revisions, alternating which layout goes first.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { OriginProcess } from '../test/helpers/origin-process.js';
import { benchSource, cacheDir, fetchOk, idle, percentile, withOrigin } from './lib.js';

const RUNS = Number(process.env.BENCH_COMPOSITION_RUNS ?? 5);
const LAYOUTS = {
  screen: undefined,
  bubble: [{ at: 0, layout: 'bubble' }],
  'bubble, rounded with a border': [
    { at: 0, layout: 'bubble', shape: 'rounded', border: { width: 0.01, color: '#ffffff' } },
  ],
  split: [{ at: 0, layout: 'split' }],
  camera: [{ at: 0, layout: 'camera' }],
} as const;
type Name = keyof typeof LAYOUTS;

/** A 720p30 camera recording (VP8 + Opus in WebM, as a browser records it), generated once. */
function cameraSource(seconds: number): string {
  const name = `camera-720p30-${seconds}s.webm`;
  const file = join(cacheDir, name);
  if (!existsSync(file)) {
    console.error(`generating ${name} (once)…`);
    execFileSync('ffmpeg', [
      ...['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc=size=1280x720:rate=30:duration=${seconds}`],
      ...['-f', 'lavfi', '-i', `sine=frequency=880:sample_rate=48000:duration=${seconds}`],
      ...['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '1500k', '-g', '60'],
      ...['-c:a', 'libopus', '-b:a', '64k', file],
    ]);
  }
  return name;
}

let nonce = 0;
/** Cold segment 4 (a full-length one) of 720p of a new revision with `layouts`: its wall time. */
async function coldSegment(node: OriginProcess, screen: string, camera: string, name: Name): Promise<number> {
  const start = ++nonce / 1000;
  const layouts = LAYOUTS[name]?.map((l) => ({ ...l, at: start }));
  const clip = { source: screen, start, ...(layouts ? { camera: { source: camera }, layouts } : {}) };
  const { hls } = await node.mint({ clips: [clip] } as never);
  const ms = await fetchOk(node, hls.replace('master.m3u8', '720p/4.m4s'));
  await idle(node);
  return ms;
}

export async function compositionBench() {
  const screen = benchSource(60);
  const camera = cameraSource(60);
  const names = Object.keys(LAYOUTS) as Name[];
  const times = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<Name, number[]>;
  await withOrigin(
    {
      MEDIA_ROOT: cacheDir,
      REVISION_SECRET: 'bench-secret-0123456789',
      LOOKAHEAD_SEGMENTS: '0',
      PREWARM_ON_MINT: 'false',
    },
    async (node) => {
      for (let i = 0; i < RUNS; i++) {
        const order = i % 2 === 0 ? names : [...names].reverse();
        for (const name of order) times[name].push(await coldSegment(node, screen, camera, name));
      }
    },
  );
  const plain = percentile(times.screen, 50);
  return {
    runs: RUNS,
    rows: names.map((name) => ({
      layout: name,
      p50: percentile(times[name], 50),
      ratio: percentile(times[name], 50) / plain,
    })),
  };
}

export function printComposition(r: Awaited<ReturnType<typeof compositionBench>>): void {
  console.log(
    `Composition: a cold 720p segment (4.27 s) of the 1-minute 1080p screen with a 720p30 VP8 camera, p50 of ${r.runs}:`,
  );
  for (const row of r.rows)
    console.log(
      `  ${row.layout.padEnd(30)} ${`${row.p50.toFixed(0)} ms`.padStart(8)}   ${row.ratio.toFixed(2)}× the screen alone`,
    );
}

if (import.meta.url === `file://${process.argv[1]}`) printComposition(await compositionBench());
