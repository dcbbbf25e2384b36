/**
 * `npm run bench:capacity` (also part of `npm run bench`): how many cold viewers this machine keeps
 * playing without a stall, against how many it could feed at all, and how fast a viewer starts,
 * against one naive ffmpeg command timed in the same run (machines differ by 2×: only ratios carry).
 *
 * - R, the reference: one ffmpeg command, run by hand, that makes what a player needs to start — the
 *   first 2.13 s of the 1-minute 1080p source at 480p, with its audio.
 * - L, the physical limit: cores ÷ the CPU-seconds per second of a 720p viewer, from standalone ffmpeg
 *   runs of the origin's own arguments (a full 720p segment, and an audio segment, each on its own).
 * - N: the most cold viewers, arriving 3 s apart and watching 40 s at 720p, with no stall, no error
 *   and p95 time to first segment ≤ 1.5 R (the origin as `npm start` runs it, its own process).
 * - One viewer's start, ten revisions minted back to back, a seek in a cold 10-minute recording, CPU
 *   per second of video against the standalone floor, and the CPU of segments nobody fetched.
 *
 * Writes bench/results/capacity.json. BENCH_CAPACITY_QUICK=1 skips the viewer search.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { planAudioChunk } from '../src/core/audio/audio-chunk.js';
import { piecesOf } from '../src/core/timeline/timeline.js';
import { audioSegmentArgs } from '../src/media/audio/audio-args.js';
import { videoSegmentArgs } from '../src/media/video/video-args.js';
import { startOrigin } from '../test/helpers/origin-server.js';
import {
  benchSource,
  cacheDir,
  fetchOk,
  freshRevision,
  here,
  idle,
  percentile,
  variantIds,
  withOrigin,
} from './lib.js';
import { runScenario, type ScenarioResult } from './viewers.js';

const VIEWER_INTERVAL_S = 3;
const WATCH_S = 40;
const TTFS_LIMIT_R = 1.5;
const env = { MEDIA_ROOT: cacheDir, REVISION_SECRET: 'bench-secret-0123456789' };
const ms = (n: number) => `${n.toFixed(0)} ms`;

/** CPU seconds of this process's reaped children so far (proc(5): cutime, cstime). */
function childCpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** Runs ffmpeg to completion, output discarded; its wall ms and CPU seconds. */
function ffmpeg(args: string[]): { wallMs: number; cpu: number } {
  const cpu0 = childCpuSeconds();
  const t0 = performance.now();
  const run = spawnSync('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 24 });
  if (run.status !== 0) throw new Error(`ffmpeg failed: ${run.stderr.toString().slice(-300)}`);
  return { wallMs: performance.now() - t0, cpu: childCpuSeconds() - cpu0 };
}

export function machine(): { cpu: string; cores: number } {
  return { cpu: cpus()[0]?.model.trim() ?? 'unknown', cores: Number(execFileSync('nproc').toString().trim()) };
}

/** R: the naive command's wall time, median of 7, in ms. */
export function reference(source: string): number {
  const args = [
    '-v',
    'error',
    '-y',
    '-i',
    join(cacheDir, source),
    '-t',
    '2.1333',
    '-vf',
    'scale=-2:480',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-c:a',
    'aac',
    '-f',
    'mp4',
    '/dev/null',
  ];
  ffmpeg(args);
  return percentile(
    Array.from({ length: 7 }, () => ffmpeg(args).wallMs),
    50,
  );
}

/**
 * CPU-seconds per second of video of each rendition and of the audio, from standalone runs of the
 * origin's own arguments (decoding on the job's own thread, as beside other jobs), full-length
 * segments at three places in the source: the floor nothing can go below.
 */
export async function floor(source: string): Promise<Record<string, number>> {
  const origin = await startOrigin({ MEDIA_ROOT: cacheDir, LOOKAHEAD_SEGMENTS: '0' });
  try {
    const minted = await origin.mint({ clips: [{ source }] });
    const plan = await origin.origin.revisions.plan(minted.revisionId);
    const input = join(cacheDir, source);
    const full = plan.grid.segments.filter((s) => s.frameCount === plan.grid.segmentFrames).slice(2);
    const picks = [full[0]!, full[Math.floor(full.length / 2)]!, full.at(-2)!];
    const perSecond: Record<string, number> = {};
    for (const rendition of plan.video) {
      let cpu = 0;
      let seconds = 0;
      for (const segment of picks) {
        const pieces = piecesOf(plan.spans, segment.startFrame, segment.frameCount).map((p) => ({ ...p, input }));
        const args = videoSegmentArgs({
          pieces,
          segment,
          rendition,
          fps: plan.fps,
          encoder: origin.origin.encoder,
          decodeThreads: 1,
        });
        cpu += ffmpeg(args).cpu;
        seconds += segment.duration;
      }
      perSecond[rendition.id] = cpu / seconds;
    }
    let cpu = 0;
    let seconds = 0;
    for (const segment of picks) {
      const slice = plan.audio!.slices[segment.index]!;
      const chunk = planAudioChunk(plan, slice);
      const pieces = chunk.pieces.map((piece) => ({ piece, input }));
      const args = audioSegmentArgs({
        pieces,
        range: { from: chunk.encodeFrom, to: chunk.encodeTo },
        bitrate: plan.audio!.bitrate,
      });
      cpu += ffmpeg(args).cpu;
      seconds += slice.duration;
    }
    perSecond.audio = cpu / seconds;
    return perSecond;
  } finally {
    await origin.close();
  }
}

/** Segments the origin made (its debug log) that no viewer fetched, and their CPU by the floor. */
function unfetched(result: ScenarioResult, log: string, costs: Record<string, number>, durations: number[]) {
  const fetched = new Set(result.viewers.flatMap((v, i) => v.fetched.map((p) => `${result.revisions[i]}/${p}`)));
  let cpu = 0;
  let count = 0;
  for (const line of log.split('\n')) {
    if (!line.includes('"segment made"')) continue;
    const key = (JSON.parse(line) as { key: string }).key;
    if (fetched.has(key)) continue;
    const [, rendition, index] = key.split('/');
    cpu += (costs[rendition!] ?? 0) * durations[parseInt(index!, 10)]!;
    count += 1;
  }
  return { count, cpu };
}

/** One viewer's start, cold, on an idle origin: mint → first video and audio segments; 7 fresh revisions. */
async function coldStart(source: string) {
  return withOrigin(env, async (node) => {
    await new Promise((r) => setTimeout(r, 1500));
    const samples: Array<{ mint: number; ttfs: number }> = [];
    for (let i = 0; i < 7; i++) {
      samples.push(await firstSegment(node, source));
      await idle(node);
    }
    return {
      ttfsP50: percentile(
        samples.map((s) => s.ttfs),
        50,
      ),
      mintP50: percentile(
        samples.map((s) => s.mint),
        50,
      ),
    };
  });
}

/** Mint → master → start playlist → its init, segment 0, the audio's: what a player does first. */
async function firstSegment(node: Parameters<typeof fetchOk>[0], source: string) {
  const t0 = performance.now();
  const minted = await freshRevision(node, source);
  const t1 = performance.now();
  const master = await (await node.fetch(minted.hls)).text();
  const start = variantIds(master)[0]!;
  const base = minted.hls.replace('/master.m3u8', '');
  await fetchOk(node, `${base}/${start}.m3u8`);
  await Promise.all(
    [`${start}/init.mp4`, `${start}/0.m4s`, 'audio/init.mp4', 'audio/0.m4s'].map((p) => fetchOk(node, `${base}/${p}`)),
  );
  return { mint: t1 - t0, ttfs: performance.now() - t1 };
}

/** Ten revisions minted one after another, each fetching its first segments and leaving. */
async function backToBack(source: string) {
  return withOrigin(env, async (node) => {
    await new Promise((r) => setTimeout(r, 1500));
    await firstSegment(node, source);
    await idle(node);
    const ttfs: number[] = [];
    for (let i = 0; i < 10; i++) ttfs.push((await firstSegment(node, source)).ttfs);
    await idle(node);
    return { ttfs, lastOverFirst: ttfs.at(-1)! / ttfs[0]!, worstOverFirst: Math.max(...ttfs) / ttfs[0]! };
  });
}

async function viewers(n: number) {
  return runScenario(
    {
      name: `${n} viewer${n > 1 ? 's' : ''}, ${VIEWER_INTERVAL_S} s apart`,
      viewers: n,
      interval: VIEWER_INTERVAL_S,
      source: benchSource(60),
      watchSeconds: WATCH_S,
    },
    { LOG_LEVEL: 'debug' },
  );
}

export async function capacityBench(options: { quick?: boolean } = {}) {
  const oneMinute = benchSource(60);
  const tenMinutes = benchSource(600);
  const host = machine();
  const r = reference(oneMinute);
  console.log(`Machine: ${host.cpu}, ${host.cores} cores. R (the naive command): ${ms(r)}`);
  const costs = await floor(oneMinute);
  const perViewerSecond = costs['720p']! + costs.audio!;
  const limit = host.cores / perViewerSecond;
  console.log(
    `Floor: ${Object.entries(costs)
      .map(([k, v]) => `${k} ${v.toFixed(3)}`)
      .join(', ')} CPU-s per second; L = ${host.cores} / ${perViewerSecond.toFixed(3)} = ${limit.toFixed(2)} viewers`,
  );

  const start = await coldStart(oneMinute);
  console.log(
    `One viewer, cold: first segment p50 ${ms(start.ttfsP50)} (${(start.ttfsP50 / r).toFixed(2)} R) after mint p50 ${ms(start.mintP50)}; mint + first segment ${(
      (start.mintP50 + start.ttfsP50) /
      r
    ).toFixed(2)} R`,
  );
  const b2b = await backToBack(oneMinute);
  console.log(
    `Back to back: ${b2b.ttfs.map((t) => t.toFixed(0)).join(', ')} ms; last ÷ first ${b2b.lastOverFirst.toFixed(2)}, worst ÷ first ${b2b.worstOverFirst.toFixed(2)}`,
  );
  const seek = await runScenario({
    name: 'seek to 80% of a cold 10-minute recording',
    viewers: 1,
    interval: 0,
    source: tenMinutes,
    watchSeconds: 10,
    seek: { viewers: [0], afterSeconds: 3, to: 0.8 },
    repeat: 3,
  });
  const seekP50 = percentile(seek.seekMs, 50);
  console.log(
    `Seek to 80% of a cold 10-minute recording: ${seek.seekMs.map((s) => s.toFixed(0)).join(', ')} ms; p50 ${(seekP50 / r).toFixed(2)} R, stalls ${seek.stalls}`,
  );

  const target = Math.floor(0.75 * limit);
  const runs: Array<ReturnType<typeof summary>> = [];
  const summary = (s: ScenarioResult, durations: number[]) => {
    const fetchedSeconds = s.viewers.reduce((n, v) => n + v.fetchedSeconds, 0);
    const waste = unfetched(s, s.log, costs, durations);
    return {
      viewers: s.viewers.length,
      stalls: s.stalls,
      stallSeconds: s.stallSeconds,
      errors: s.errors,
      ttfsP50: s.ttfsP50,
      ttfsP95: s.ttfsP95,
      mintP50: s.mintP50,
      cpuSeconds: s.cpuSeconds,
      fetchedSeconds,
      cpuPerFetchedSecond: s.cpuSeconds / fetchedSeconds,
      cpuPerWatchedSecond: s.cpuPerViewerSecond,
      unfetchedSegments: waste.count,
      unfetchedCpu: waste.cpu,
      passed: s.stalls === 0 && s.errors === 0 && s.ttfsP95 <= TTFS_LIMIT_R * r,
    };
  };
  let n = 0;
  if (!options.quick) {
    const durations = await withOrigin(env, async (node) => {
      const minted = await node.mint({ clips: [{ source: oneMinute }] });
      const text = await (await node.fetch(minted.hls.replace('master.m3u8', 'audio.m3u8'))).text();
      return text
        .split('\n')
        .filter((l) => l.startsWith('#EXTINF:'))
        .map((l) => Number(l.slice(8).split(',')[0]));
    });
    for (let k = 1; ; k++) {
      const row = summary(await viewers(k), durations);
      runs.push(row);
      console.log(
        `  ${k} viewer${k > 1 ? 's' : ' '}: first segment p50 ${ms(row.ttfsP50)} p95 ${ms(row.ttfsP95)} (${(row.ttfsP95 / r).toFixed(2)} R), stalls ${row.stalls} (${row.stallSeconds.toFixed(1)} s), errors ${row.errors}, CPU ${row.cpuPerFetchedSecond.toFixed(3)} s per second fetched (${(row.cpuPerFetchedSecond / perViewerSecond).toFixed(2)}× floor), unfetched ${row.unfetchedSegments} segments ≈ ${row.unfetchedCpu.toFixed(1)} CPU-s of ${row.cpuSeconds.toFixed(1)}${row.passed ? '' : '  ✗'}`,
      );
      if (!row.passed || k > target + 1) break;
      n = k;
    }
    console.log(
      `Capacity: N = ${n} cold viewers with no stall (target floor(0.75 L) = ${target}); N ÷ L = ${(n / limit).toFixed(2)}`,
    );
  }
  return {
    date: new Date().toISOString(),
    machine: host,
    referenceMs: r,
    floorCpuPerSecond: costs,
    limit,
    target,
    n,
    coldStart: { ...start, ttfsOverR: start.ttfsP50 / r, mintAndTtfsOverR: (start.mintP50 + start.ttfsP50) / r },
    backToBack: b2b,
    seek: { ms: seek.seekMs, p50OverR: seekP50 / r, stalls: seek.stalls },
    viewers: runs,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await capacityBench({ quick: Boolean(process.env.BENCH_CAPACITY_QUICK) });
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'capacity.json'), JSON.stringify(result, null, 2));
  console.log('written: bench/results/capacity.json');
}
