/**
 * Simulated viewers against the real origin process (`node --import tsx src/main.ts`, as `npm start` runs it), each
 * on its own cold revision of a hard-linked copy of a bench recording, playing in real time
 * (bench/viewer.ts): time to first segment, stalls, seeks, and the CPU the origin spent (its own, its
 * workers' and its ffmpeg children's). `npm run bench:capacity` runs the viewer scenarios on 1080p
 * recordings; `npm run bench:viewers` (also part of `npm run bench`) the chunked recordings' and writes
 * bench/results/viewers.json. BENCH_VIEWERS_ONLY=<text> runs the scenarios whose name contains it;
 * BENCH_VIEWERS_VERBOSE=1 prints each stall and seek with the origin's Server-Timing for the request
 * waited on.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnOrigin } from '../test/helpers/origin-process.js';
import { cacheDir, here, idle, percentile, testSignal } from './lib.js';
import { watch, type ViewerResult } from './viewer.js';

interface Scenario {
  name: string;
  viewers: number;
  /** Seconds between arrivals. */
  interval: number;
  /** A file or a folder (a chunked recording: its manifest is `recording.mpd`) in bench/.cache. */
  source: string;
  watchSeconds: number;
  rendition?: string;
  /** Which viewers seek, and where. */
  seek?: { viewers: number[]; afterSeconds: number; to: number };
  /** Runs of the scenario, each on a fresh origin, pooled into one result (default 1). */
  repeat?: number;
}

/** A chunked recording like the browser extension's: a DASH MPD of WebM chunks (VP8 + Opus, 720p30, 2 s chunks). */
function chunkedSource(seconds: number): string {
  const name = `dash-${seconds}s`;
  const dir = join(cacheDir, name);
  if (!existsSync(join(dir, 'recording.mpd'))) {
    console.error(`generating ${name} (a DASH/WebM recording of ${seconds} s; once)…`);
    mkdirSync(dir, { recursive: true });
    execFileSync('ffmpeg', [
      ...testSignal('1280x720', seconds),
      '-c:v',
      'libvpx',
      '-b:v',
      '1500k',
      '-deadline',
      'realtime',
      '-cpu-used',
      '8',
      '-g',
      '60',
      '-c:a',
      'libopus',
      '-b:a',
      '64k',
      '-f',
      'dash',
      '-dash_segment_type',
      'webm',
      '-seg_duration',
      '2',
      '-use_template',
      '0',
      '-use_timeline',
      '0',
      '-init_seg_name',
      'init-$RepresentationID$.webm',
      '-media_seg_name',
      'chunk-$RepresentationID$-$Number%05d$.webm',
      join(dir, 'recording.mpd'),
    ]);
  }
  return name;
}

/** A viewer's own copy of the source (hard links: no bytes copied, nothing shared in the origin's caches). */
function copyFor(media: string, source: string, viewer: number): string {
  const from = join(cacheDir, source);
  if (source.endsWith('.mp4')) {
    const key = `v${viewer}-${source}`;
    linkSync(from, join(media, key));
    return key;
  }
  const dir = join(media, `v${viewer}-${source}`);
  mkdirSync(dir);
  for (const f of readdirSync(from)) linkSync(join(from, f), join(dir, f));
  return `v${viewer}-${source}/recording.mpd`;
}

export interface ScenarioResult {
  name: string;
  viewers: Array<ViewerResult & { mintMs: number }>;
  /** Each viewer's revision id. */
  revisions: string[];
  /** What the origin logged (its stdout). */
  log: string;
  mintP50: number;
  ttfsP50: number;
  ttfsP95: number;
  stalls: number;
  stallSeconds: number;
  errors: number;
  seekMs: number[];
  cpuSeconds: number;
  cpuPerViewer: number;
  cpuPerViewerSecond: number;
}

export async function runScenario(s: Scenario, env: Record<string, string> = {}): Promise<ScenarioResult> {
  const runs: ScenarioResult[] = [];
  for (let i = 0; i < (s.repeat ?? 1); i++) runs.push(await runOnce(s, env));
  if (runs.length === 1) return runs[0]!;
  return summarize(
    s,
    runs.flatMap((r) => r.viewers),
    runs.reduce((n, r) => n + r.cpuSeconds, 0),
    runs.flatMap((r) => r.revisions),
    runs.map((r) => r.log).join(''),
  );
}

function summarize(
  s: Scenario,
  viewers: ScenarioResult['viewers'],
  cpuSeconds: number,
  revisions: string[],
  log: string,
): ScenarioResult {
  const ttfs = viewers.map((v) => v.ttfsMs);
  const watched = viewers.reduce((n, v) => n + v.watched, 0);
  return {
    name: s.name,
    viewers,
    revisions,
    log,
    mintP50: percentile(
      viewers.map((v) => v.mintMs),
      50,
    ),
    ttfsP50: percentile(ttfs, 50),
    ttfsP95: percentile(ttfs, 95),
    stalls: viewers.reduce((n, v) => n + v.stalls, 0),
    stallSeconds: viewers.reduce((n, v) => n + v.stallSeconds, 0),
    errors: viewers.reduce((n, v) => n + v.errors.length, 0),
    seekMs: viewers.flatMap((v) => (v.seekMs === undefined ? [] : [v.seekMs])),
    cpuSeconds,
    cpuPerViewer: cpuSeconds / viewers.length,
    cpuPerViewerSecond: cpuSeconds / watched,
  };
}

async function runOnce(s: Scenario, env: Record<string, string>): Promise<ScenarioResult> {
  const media = await mkdtemp(join(tmpdir(), 'avserver-viewers-'));
  const keys = Array.from({ length: s.viewers }, (_, k) => copyFor(media, s.source, k));
  const node = await spawnOrigin(
    { MEDIA_ROOT: media, REVISION_SECRET: 'bench-secret-0123456789', ...env },
    { captureOutput: true },
  );
  const revisions: string[] = [];
  try {
    const before = node.cpuSeconds();
    const viewers = await Promise.all(
      keys.map(async (key, k) => {
        await new Promise((r) => setTimeout(r, k * s.interval * 1000));
        const t0 = performance.now();
        // The main application mints before anyone watches.
        const minted = await node.mint({ clips: [{ source: key }] });
        const mintMs = performance.now() - t0;
        revisions[k] = minted.revisionId;
        const seek = s.seek?.viewers.includes(k) ? { afterSeconds: s.seek.afterSeconds, to: s.seek.to } : undefined;
        const result = await watch({
          baseUrl: node.baseUrl,
          hls: minted.hls,
          rendition: s.rendition ?? '720p',
          watchSeconds: s.watchSeconds,
          seek,
        });
        return { ...result, mintMs };
      }),
    );
    await idle(node);
    return summarize(s, viewers, node.cpuSeconds() - before, revisions, node.output());
  } finally {
    await node.stop();
    await rm(media, { recursive: true, force: true });
  }
}

/** Chunked recordings like the browser extension's: a DASH MPD of WebM chunks, short and long, and a seek. */
export function scenarios(): Scenario[] {
  const short = chunkedSource(24);
  const long = chunkedSource(300);
  return [
    {
      name: 'chunked recording (DASH/WebM), 24 s',
      viewers: 1,
      interval: 0,
      source: short,
      watchSeconds: 15,
      repeat: 3,
    },
    {
      name: 'chunked recording (DASH/WebM), 5 min',
      viewers: 1,
      interval: 0,
      source: long,
      watchSeconds: 15,
      repeat: 3,
    },
    {
      name: 'chunked recording, 5 min, seek to 4:16',
      viewers: 1,
      interval: 0,
      source: long,
      watchSeconds: 10,
      seek: { viewers: [0], afterSeconds: 3, to: 256 / 300 },
      repeat: 3,
    },
  ];
}

export function printScenario(r: ScenarioResult): void {
  const seek = r.seekMs.length ? `  seek ${r.seekMs.map((m) => `${m.toFixed(0)} ms`).join(', ')}` : '';
  const errors = r.viewers.flatMap((v) => v.errors);
  console.log(
    `  ${r.name.padEnd(44)} mint p50 ${r.mintP50.toFixed(0).padStart(4)} ms, mint + first segment p50 ${percentile(
      r.viewers.map((v) => v.mintMs + v.ttfsMs),
      50,
    )
      .toFixed(0)
      .padStart(
        5,
      )} ms  TTFS p50 ${r.ttfsP50.toFixed(0).padStart(5)} p95 ${r.ttfsP95.toFixed(0).padStart(5)} ms  stalls ${String(r.stalls).padStart(2)} (${r.stallSeconds.toFixed(1)} s)  errors ${r.errors}  CPU ${r.cpuPerViewer.toFixed(1)} s/viewer, ${r.cpuPerViewerSecond.toFixed(3)} s/s${seek}`,
  );
  if (errors.length) console.log(`    errors: ${errors.slice(0, 5).join('; ')}`);
  if (process.env.BENCH_VIEWERS_VERBOSE)
    for (const [k, v] of r.viewers.entries())
      for (const line of v.stallLog) console.log(`    viewer ${k} stalled ${line}`);
}

/** Every scenario, or those whose name contains `only`. */
export async function viewersBench(options: { only?: string } = {}) {
  const chosen = scenarios().filter((s) => !options.only || s.name.includes(options.only));
  const results = [];
  console.log('Chunked recordings (simulated viewers, real time):');
  for (const s of chosen) {
    const r = await runScenario(s);
    printScenario(r);
    results.push(r);
  }
  return { results };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await viewersBench({ only: process.env.BENCH_VIEWERS_ONLY });
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(
    join(here, 'results', 'viewers.json'),
    // The origin's log is for the caller to read, not to keep.
    JSON.stringify({ date: new Date().toISOString(), results: result.results.map(({ log: _, ...r }) => r) }, null, 2),
  );
}
