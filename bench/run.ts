/**
 * `npm run bench`: the figures in the README and issue notes, printed as a table and written to
 * bench/results/latest.json. Sources (1- and 10-minute 1080p30 recordings with audio) are generated
 * once into bench/.cache and reused. BENCH_RUNS sets the cold runs per source (default 7).
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { piecesOf } from '../src/core/timeline/timeline.js';
import { videoSegmentArgs } from '../src/media/video/video-args.js';
import { startOrigin, TEST_TOKEN, type RunningOrigin } from '../test/helpers/origin-server.js';
import { spawnOrigin } from '../test/helpers/origin-process.js';
import { audioBench, printAudio } from './audio.js';
import { overlaysBench, printOverlays } from './overlays.js';
import { printStills, stillsBench } from './stills.js';
import { compositionBench, printComposition } from './composition.js';
import { capacityBench } from './capacity.js';
import { viewersBench } from './viewers.js';
import { benchSource, cacheDir, here, percentile, timeCommand, timed, variantIds } from './lib.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const env = { MEDIA_ROOT: cacheDir };
const ms = (n: number) => `${n.toFixed(0)} ms`;

async function get(origin: { fetch(path: string): Promise<Response> }, path: string): Promise<Buffer> {
  const res = await origin.fetch(path);
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return Buffer.from(await res.arrayBuffer());
}

/** Cold: a fresh origin per run, so nothing (probe, plan, audio, segments) is cached. */
async function coldFirstSegment(file: string) {
  const samples: Array<{ total: number; mint: number; segments: number }> = [];
  let start = '';
  for (let i = 0; i < RUNS; i++) {
    // As in production: the first segments start at mint.
    const origin = await startOrigin({
      ...env,
      REVISION_SECRET: `bench-secret-${i}-${Date.now()}`,
      PREWARM_ON_MINT: 'true',
    });
    // An origin that has finished starting (its RNNoise workers compile their WebAssembly once, at start).
    await new Promise((r) => setTimeout(r, 1500));
    try {
      const t0 = performance.now();
      const minted = await origin.mint({ clips: [{ source: file }] });
      const t1 = performance.now();
      start = variantIds((await get(origin, minted.hls)).toString())[0]!;
      const base = minted.hls.replace('/master.m3u8', '');
      await get(origin, `${base}/${start}.m3u8`);
      const t2 = performance.now();
      // A player fetches these together.
      await Promise.all(
        [`${start}/init.mp4`, `${start}/0.m4s`, 'audio/init.mp4', 'audio/0.m4s'].map((p) =>
          get(origin, `${base}/${p}`),
        ),
      );
      samples.push({ total: performance.now() - t0, mint: t1 - t0, segments: performance.now() - t2 });
    } finally {
      await origin.close();
    }
  }
  const totals = samples.map((s) => s.total);
  return {
    file,
    startRendition: start,
    runs: RUNS,
    p50: percentile(totals, 50),
    p95: percentile(totals, 95),
    mintP50: percentile(
      samples.map((s) => s.mint),
      50,
    ),
    segmentsP50: percentile(
      samples.map((s) => s.segments),
      50,
    ),
  };
}

/**
 * Each rendition's full-length segments, cold, one job at a time, against the identical ffmpeg
 * command run by hand: three segments each, alternating which goes first, median of the ratios.
 */
async function perRendition(file: string) {
  const origin = await startOrigin({ ...env, JOB_CONCURRENCY: '1', LOOKAHEAD_SEGMENTS: '0' });
  try {
    const minted = await origin.mint({ clips: [{ source: file }] });
    const base = minted.hls.replace('/master.m3u8', '');
    const plan = await origin.origin.revisions.plan(minted.revisionId);
    const durations = plan.grid.segments.map((s) => s.duration);
    const first = durations.indexOf(Math.max(...durations.slice(0, -1)));
    const rows = [];
    for (const rendition of plan.video) {
      const walls: number[] = [];
      const byHand: number[] = [];
      let bytes = 0;
      for (const [n, index] of [first, first + 1, first + 2].entries()) {
        const segment = plan.grid.segments[index]!;
        const pieces = piecesOf(plan.spans, segment.startFrame, segment.frameCount).map((p) => ({
          ...p,
          input: join(cacheDir, file),
        }));
        const args = videoSegmentArgs({ pieces, segment, rendition, fps: plan.fps, encoder: origin.origin.encoder });
        const viaOrigin = async () => {
          const [body, wall] = await timed(() => get(origin, `${base}/${rendition.id}/${index}.m4s`));
          bytes = body.length;
          walls.push(wall);
        };
        const viaHand = async () => void byHand.push(await timeCommand('ffmpeg', args)); // identical arguments; stdout discarded
        if (n % 2 === 0) await viaOrigin().then(viaHand);
        else await viaHand().then(viaOrigin);
      }
      const seconds = plan.grid.segments[first]!.duration;
      const wall = percentile(walls, 50);
      rows.push({
        rendition: rendition.id,
        seconds,
        ms: wall,
        realtime: seconds / (wall / 1000),
        kbytes: bytes / 1024,
        byHandMs: percentile(byHand, 50),
        overhead: percentile(
          walls.map((w, i) => w / byHand[i]! - 1),
          50,
        ),
      });
    }
    return { segmentIndex: first, rows };
  } finally {
    await origin.close();
  }
}

/** Fifty concurrent requests for one cold segment: how many ffmpeg runs. */
async function fiftyConcurrent(file: string) {
  const origin: RunningOrigin = await startOrigin({ ...env, LOOKAHEAD_SEGMENTS: '0' });
  try {
    const minted = await origin.mint({ clips: [{ source: file }] });
    let runs = 0;
    const run = origin.origin.runner.run.bind(origin.origin.runner);
    origin.origin.runner.run = (command, args, options) => ((runs += 1), run(command, args, options));
    const path = minted.hls.replace('master.m3u8', '720p/3.m4s');
    const [responses, wall] = await timed(() => Promise.all(Array.from({ length: 50 }, () => get(origin, path))));
    return {
      requests: responses.length,
      ffmpegRuns: runs,
      distinctBodies: new Set(responses.map((b) => b.toString('base64'))).size,
      wallMs: wall,
    };
  } finally {
    await origin.close();
  }
}

/** Warm latency under load with wrk (its own process, written in C: a JS load generator saturates first). */
async function wrk(url: string, connections: number, seconds: number) {
  const out = await new Promise<string>((resolve, reject) =>
    execFile('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url], (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    ),
  );
  const latency = (p: string) => {
    const m = new RegExp(`${p}%\\s+([\\d.]+)(us|ms|s)`).exec(out);
    return m ? Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2] as 'us' | 'ms' | 's'] : NaN;
  };
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  return {
    requestsPerSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]),
    p50: latency('50'),
    p99: latency('99'),
    errors: non2xx,
  };
}

/** Warm latency under load, against the origin as its own process; then its peak RSS. */
async function warmLoad(file: string) {
  const origin = await spawnOrigin({
    ...env,
    AVSERVER_API_TOKEN: TEST_TOKEN,
    REVISION_SECRET: 'bench-secret-0123456789',
  });
  try {
    const { hls } = await origin.mint({ clips: [{ source: file }] });
    const fetcher = { fetch: (p: string) => fetch(origin.baseUrl + p) };
    const start = variantIds((await get(fetcher, hls)).toString())[0]!;
    const base = hls.replace('/master.m3u8', '');
    // Make the start rendition's whole playlist, as a viewer watching to the end would.
    const count = (await get(fetcher, `${base}/${start}.m3u8`))
      .toString()
      .split('\n')
      .filter((l) => l.endsWith('.m4s')).length;
    for (let i = 0; i < count; i++) await get(fetcher, `${base}/${start}/${i}.m4s`);
    const loads = [];
    for (const [path, connections] of [
      [`${base}/${start}/3.m4s`, 200],
      [`${base}/${start}/3.m4s`, 10],
      [`${base}/${start}.m3u8`, 200],
    ] as const) {
      loads.push({ path, connections, ...(await wrk(origin.baseUrl + path, connections, 8)) });
    }
    const bytes = (await get(fetcher, `${base}/${start}/3.m4s`)).length;
    return { loads, segmentBytes: bytes, peakRssMb: origin.peakRssMb() };
  } finally {
    await origin.stop();
  }
}

/** The upfront way: ffmpeg makes the whole 4-rendition ladder before anyone can watch. */
async function upfrontLadder(file: string) {
  const out = mkdtempSync(join(tmpdir(), 'avserver-upfront-'));
  try {
    const ladder = [
      [1920, 1080, '5500k'],
      [1280, 720, '3000k'],
      [854, 480, '1600k'],
      [640, 360, '1000k'],
    ] as const;
    const split = `[0:v]split=4${ladder.map((_, i) => `[v${i}]`).join('')};${ladder.map(([w, h], i) => `[v${i}]scale=${w}:${h}[o${i}]`).join(';')}`;
    const args = ['-v', 'error', '-y', '-i', join(cacheDir, file), '-filter_complex', split];
    ladder.forEach(([, , rate], i) => args.push('-map', `[o${i}]`, `-c:v:${i}`, 'libx264', `-b:v:${i}`, rate));
    ladder.forEach(() => args.push('-map', '0:a:0'));
    args.push(
      '-preset',
      'veryfast',
      '-g',
      '128',
      '-c:a',
      'aac',
      '-b:a',
      '128k',
      '-f',
      'hls',
      '-hls_time',
      '4',
      '-hls_playlist_type',
      'vod',
      '-hls_segment_type',
      'fmp4',
    );
    args.push(
      '-var_stream_map',
      ladder.map((_, i) => `v:${i},a:${i}`).join(' '),
      '-master_pl_name',
      'master.m3u8',
      join(out, 'v%v.m3u8'),
    );
    return { ms: await timeCommand('ffmpeg', args) };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const oneMinute = benchSource(60);
const tenMinutes = benchSource(600);
const cold = await coldFirstSegment(oneMinute);
const coldLong = await coldFirstSegment(tenMinutes);
const segments = await perRendition(oneMinute);
const fifty = await fiftyConcurrent(oneMinute);
const warm = await warmLoad(oneMinute);
const upfront = await upfrontLadder(oneMinute);
const audio = await audioBench();
const overlays = await overlaysBench();
const stills = await stillsBench();
const composition = await compositionBench();
console.log('');
const capacity = await capacityBench();
console.log('');
const viewers = await viewersBench();

const ffmpegVersion = execFileSync('ffmpeg', ['-version']).toString().split(' ')[2];
console.log(
  `\navserver bench — ${new Date().toISOString()} — ${execFileSync('nproc').toString().trim()} cores, Node ${process.version}, ffmpeg ${ffmpegVersion}`,
);
console.log('sources: bench/.cache/1080p30-60s.mp4 and 1080p30-600s.mp4 (1920x1080, 30 fps, H.264 + AAC)\n');
console.log(
  `Cold time to first segment: mint → master → ${cold.startRendition} playlist → init + segment 0 + audio init + segment 0 (${RUNS} runs, fresh origin each)`,
);
for (const c of [cold, coldLong]) {
  console.log(
    `  ${c.file.padEnd(20)} p50 ${ms(c.p50).padStart(7)}   p95 ${ms(c.p95).padStart(7)}   (p50: mint+probe ${ms(c.mintP50)}, segment jobs ${ms(c.segmentsP50)})`,
  );
}
console.log(`  10-minute / 1-minute p50: ${(coldLong.p50 / cold.p50).toFixed(2)}\n`);
console.log(
  `Per-segment generation, full-length segments ${segments.segmentIndex}–${segments.segmentIndex + 2}, cold, one job at a time, vs the identical ffmpeg command by hand (medians):`,
);
console.log('  rendition  seconds     wall  × real time     size    by hand  overhead');
for (const r of segments.rows) {
  console.log(
    `  ${r.rendition.padEnd(9)} ${r.seconds.toFixed(3).padStart(7)} ${ms(r.ms).padStart(8)} ${r.realtime.toFixed(1).padStart(10)}× ${r.kbytes.toFixed(0).padStart(6)} KB ${ms(r.byHandMs).padStart(9)} ${(r.overhead * 100).toFixed(1).padStart(7)}%`,
  );
}
console.log(
  `\nFifty concurrent requests for one cold segment: ${fifty.ffmpegRuns} ffmpeg run(s), ${fifty.distinctBodies} distinct body, ${ms(fifty.wallMs)}`,
);
console.log(
  `\nWarm, 8 s each (wrk), origin in its own process (segment: ${(warm.segmentBytes / 1024).toFixed(0)} KB):`,
);
for (const w of warm.loads) {
  console.log(
    `  ${w.path.replace(/^\/play\/[^/]+\//, '').padEnd(12)} ${String(w.connections).padStart(3)} conn ${w.requestsPerSecond.toFixed(0).padStart(7)} req/s   p50 ${w.p50.toFixed(2)} ms   p99 ${w.p99.toFixed(2)} ms   non-2xx ${w.errors}`,
  );
}
console.log(`  origin peak RSS (after cold segments and load): ${warm.peakRssMb.toFixed(0)} MB`);
console.log(
  `\nUpfront peer: ffmpeg makes the 4-rendition ladder (1080/720/480/360, veryfast) of the 1-minute source: ${(upfront.ms / 1000).toFixed(1)} s`,
);
console.log(`  = ${(upfront.ms / cold.p50).toFixed(0)}× our cold time to first segment\n`);
printAudio(audio);
console.log('');
printOverlays(overlays);
console.log('');
printStills(stills);
console.log('');
printComposition(composition);
console.log('');

mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(
  join(here, 'results', 'latest.json'),
  JSON.stringify(
    {
      date: new Date().toISOString(),
      ffmpeg: ffmpegVersion,
      cold: [cold, coldLong],
      segments,
      fifty,
      warm,
      upfront,
      audio,
      overlays,
      stills,
      composition,
      capacity,
      viewers: viewers.results.map(({ log: _, ...r }) => r),
    },
    null,
    2,
  ),
);
console.log('written: bench/results/latest.json');
