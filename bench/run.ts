/**
 * `npm run bench`: figures for the README and issue notes, printed as a table and written to
 * bench/results/latest.json. Sources are generated once into bench/.cache and reused.
 *
 * - cold time to first segment: a fresh origin each run (no probe, plan, audio or segment cached):
 *   mint → master → start playlist → init + segment 0 of the start rendition, audio init + segment 0;
 * - per-segment generation time for each rendition (the first full-length segment, cold), in wall
 *   time and × real time.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startOrigin } from '../test/helpers/origin-server.js';

const here = dirname(fileURLToPath(import.meta.url));
const cache = join(here, '.cache');
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

function source(name: string, seconds: number): string {
  mkdirSync(cache, { recursive: true });
  const file = join(cache, name);
  if (!existsSync(file)) {
    console.error(`generating ${name} (${seconds} s of 1080p30 with audio)…`);
    execFileSync('ffmpeg', [
      '-v', 'error', '-y',
      '-f', 'lavfi', '-i', `testsrc2=size=1920x1080:rate=30:duration=${seconds}`,
      '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
      '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-g', '60', '-pix_fmt', 'yuv420p',
      '-c:a', 'aac', '-b:a', '128k', '-movflags', '+faststart', file,
    ]);
  }
  return file;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const ms = (n: number) => `${n.toFixed(0)} ms`;

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const result = await work();
  return [result, performance.now() - t0];
}

async function get(origin: Awaited<ReturnType<typeof startOrigin>>, path: string): Promise<Buffer> {
  const res = await origin.fetch(path);
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return Buffer.from(await res.arrayBuffer());
}

async function coldFirstSegment(mediaRoot: string, file: string) {
  const samples: Array<{ total: number; mint: number; playlists: number; segments: number }> = [];
  let start = '';
  for (let i = 0; i < RUNS; i++) {
    const origin = await startOrigin({ MEDIA_ROOT: mediaRoot, REVISION_SECRET: `bench-secret-${i}-${Date.now()}` });
    try {
      const t0 = performance.now();
      const minted = await origin.mint({ clips: [{ source: file }] });
      const t1 = performance.now();
      const master = (await get(origin, minted.hls)).toString();
      start = master.split('\n').find((l) => l.endsWith('.m3u8') && !l.startsWith('#'))!.replace('.m3u8', '');
      const base = minted.hls.replace('/master.m3u8', '');
      await get(origin, `${base}/${start}.m3u8`);
      const t2 = performance.now();
      // A player fetches these together.
      await Promise.all([`${start}/init.mp4`, `${start}/0.m4s`, 'audio/init.mp4', 'audio/0.m4s'].map((p) => get(origin, `${base}/${p}`)));
      const t3 = performance.now();
      samples.push({ total: t3 - t0, mint: t1 - t0, playlists: t2 - t1, segments: t3 - t2 });
    } finally {
      await origin.close();
    }
  }
  const totals = samples.map((s) => s.total);
  return {
    startRendition: start,
    runs: RUNS,
    p50: percentile(totals, 50),
    p95: percentile(totals, 95),
    mintP50: percentile(samples.map((s) => s.mint), 50),
    playlistsP50: percentile(samples.map((s) => s.playlists), 50),
    segmentsP50: percentile(samples.map((s) => s.segments), 50),
  };
}

async function perRendition(mediaRoot: string, file: string) {
  const origin = await startOrigin({ MEDIA_ROOT: mediaRoot, JOB_CONCURRENCY: '1' });
  try {
    const minted = await origin.mint({ clips: [{ source: file }] });
    const base = minted.hls.replace('/master.m3u8', '');
    const master = (await get(origin, minted.hls)).toString();
    const renditions = master.split('\n').filter((l) => l.endsWith('.m3u8') && !l.startsWith('#') && l !== 'audio.m3u8').map((l) => l.replace('.m3u8', ''));
    const playlist = (await get(origin, `${base}/${renditions[0]}.m3u8`)).toString();
    // The first full-length segment (after the start-up ramp).
    const extinfs = [...playlist.matchAll(/#EXTINF:([\d.]+),/g)].map((m) => Number(m[1]));
    const full = extinfs.indexOf(Math.max(...extinfs.slice(0, -1)));
    const seconds = extinfs[full]!;
    const rows = [];
    for (const r of renditions) {
      const [bytes, took] = await timed(() => get(origin, `${base}/${r}/${full}.m4s`));
      rows.push({ rendition: r, segmentSeconds: seconds, ms: took, realtime: seconds / (took / 1000), kbytes: bytes.length / 1024 });
    }
    const [, audioTrack] = await timed(() => get(origin, `${base}/audio/${full}.m4s`));
    const [, audioSlice] = await timed(() => get(origin, `${base}/audio/${full + 1}.m4s`));
    return { rows, audioTrackMs: audioTrack, audioSliceMs: audioSlice, durationSeconds: minted.duration };
  } finally {
    await origin.close();
  }
}

const oneMinute = source('1080p30-60s.mp4', 60);
const cold = await coldFirstSegment(cache, '1080p30-60s.mp4');
const segments = await perRendition(cache, '1080p30-60s.mp4');

console.log(`\navserver bench — ${new Date().toISOString()} — ${execFileSync('nproc').toString().trim()} cores, ffmpeg ${execFileSync('ffmpeg', ['-version']).toString().split(' ')[2]}`);
console.log(`source: ${oneMinute.replace(`${here}/`, 'bench/')} (60 s, 1920x1080, 30 fps, H.264 + AAC)\n`);
console.log(`Cold time to first segment (${cold.runs} runs, fresh origin each, start rendition ${cold.startRendition}):`);
console.log(`  p50 ${ms(cold.p50)}   p95 ${ms(cold.p95)}   (p50 parts: mint+probe ${ms(cold.mintP50)}, playlists ${ms(cold.playlistsP50)}, init+segment+audio ${ms(cold.segmentsP50)})\n`);
console.log('Per-segment generation, first full-length segment, cold, one job at a time:');
console.log('  rendition   seconds    wall   × real time    size');
for (const r of segments.rows) {
  console.log(`  ${r.rendition.padEnd(10)} ${r.segmentSeconds.toFixed(3).padStart(7)} ${ms(r.ms).padStart(8)} ${r.realtime.toFixed(1).padStart(10)}× ${r.kbytes.toFixed(0).padStart(7)} KB`);
}
console.log(`  first audio segment request (starts the ${segments.durationSeconds} s track): ${ms(segments.audioTrackMs)}; the next audio segment: ${ms(segments.audioSliceMs)}\n`);

mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'latest.json'), JSON.stringify({ date: new Date().toISOString(), cold, segments }, null, 2));
console.log('written: bench/results/latest.json');
