/**
 * Audio figures (`npm run bench:audio`, also part of `npm run bench`): random access, cost, and noise
 * suppression quality. The origin runs as its own process (`node --import tsx src/main.ts`); CPU is what that
 * process and its ffmpeg children used, read from /proc. Sources: the 1- and 10-minute bench
 * recordings (a tone, the same in both channels) and a 1-minute talk in a noisy room (speech with
 * independent noise in each channel, so RNNoise runs on both).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bestLag, decodeAudio, rmsDb, siSdr } from '../test/helpers/audio-analysis.js';
import { makeSpeechFixture, SPEECH_LEAD_SECONDS } from '../test/helpers/audio-fixtures.js';
import { fetchAudioRendition } from '../test/helpers/audio-rendition.js';
import { spawnOrigin, type OriginProcess } from '../test/helpers/origin-process.js';
import { benchSource, cacheDir, fetchOk, freshRevision, idle, percentile, withOrigin } from './lib.js';

const RUNS = Number(process.env.BENCH_AUDIO_RUNS ?? 5);

/** A 1-minute stereo talk in a noisy room, made once from the speech fixture. */
async function noisyTalk(): Promise<string> {
  const name = 'talk-60s.mp4';
  const file = join(cacheDir, name);
  if (!existsSync(file)) {
    const dir = await mkdtemp(join(tmpdir(), 'avserver-talk-'));
    const { file: speech } = await makeSpeechFixture(dir);
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-stream_loop', '4', '-i', speech, '-t', '60', '-c', 'copy', file]);
    await rm(dir, { recursive: true, force: true });
  }
  return name;
}

const fresh = (node: OriginProcess, source: string, noiseSuppression: boolean) =>
  freshRevision(node, source, { noiseSuppression });
const audioPath = (hls: string, index: number) => hls.replace('master.m3u8', `audio/${index}.m4s`);
const segmentCount = async (node: OriginProcess, hls: string) =>
  (await (await node.fetch(hls.replace('master.m3u8', 'audio.m3u8'))).text())
    .split('\n')
    .filter((l) => l.endsWith('.m4s')).length;

/** Cold audio segment at 0:00 and at 9:00 of the 10-minute source, each on a fresh revision of an idle origin. */
async function randomAccess(node: OriginProcess, tenMinutes: string) {
  const rows = [];
  for (const noiseSuppression of [false, true]) {
    const first: number[] = [];
    const far: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      first.push(await fetchOk(node, audioPath((await fresh(node, tenMinutes, noiseSuppression)).hls, 0)));
      await idle(node);
      // Segment 127 starts at 8:59.7 (2.13 s, then 4.27 s each).
      far.push(await fetchOk(node, audioPath((await fresh(node, tenMinutes, noiseSuppression)).hls, 127)));
      await idle(node);
    }
    rows.push({
      noiseSuppression,
      firstP50: percentile(first, 50),
      farP50: percentile(far, 50),
      farP95: percentile(far, 95),
    });
  }
  return rows;
}

/** CPU seconds the origin spends per minute of audio, made segment by segment (no lookahead). */
async function cpuPerMinute(node: OriginProcess, source: string, noiseSuppression: boolean): Promise<number> {
  const { hls, duration } = await fresh(node, source, noiseSuppression);
  const count = await segmentCount(node, hls);
  await idle(node);
  const before = node.cpuSeconds();
  for (let i = 0; i < count; i++) await fetchOk(node, audioPath(hls, i));
  return ((node.cpuSeconds() - before) / duration) * 60;
}

/** A viewer who watches the first 30 s (with the origin's lookahead) against the whole track, in CPU seconds. */
async function firstThirtySeconds(node: OriginProcess, tenMinutes: string, noiseSuppression: boolean) {
  const { hls } = await fresh(node, tenMinutes, noiseSuppression);
  await idle(node);
  let before = node.cpuSeconds();
  // Segments 0–7 cover 0–32 s.
  for (let i = 0; i < 8; i++) await fetchOk(node, audioPath(hls, i));
  await idle(node);
  const viewer = node.cpuSeconds() - before;
  const whole = await fresh(node, tenMinutes, noiseSuppression);
  const count = await segmentCount(node, whole.hls);
  before = node.cpuSeconds();
  for (let i = 0; i < count; i++) await fetchOk(node, audioPath(whole.hls, i));
  await idle(node);
  const track = node.cpuSeconds() - before;
  return { noiseSuppression, viewer, track, share: viewer / track };
}

/** Noise suppression on the speech fixture, through HLS, measured as the tests measure it. */
async function quality() {
  const dir = await mkdtemp(join(tmpdir(), 'avserver-quality-'));
  const node = await spawnOrigin({ MEDIA_ROOT: dir, REVISION_SECRET: 'bench-secret-0123456789' });
  try {
    const { clean: reference } = await makeSpeechFixture(dir);
    const left = async (noiseSuppression: boolean) => {
      const minted = await node.mint({ clips: [{ source: 'speech-noisy.mp4' }], noiseSuppression });
      return (
        await decodeAudio((await fetchAudioRendition(node, minted.hls, join(dir, `${noiseSuppression}.mp4`))).file)
      )[0]!;
    };
    const [noisy, clean] = [await left(false), await left(true)];
    const lead = SPEECH_LEAD_SECONDS * 48000;
    return {
      floorBefore: rmsDb(noisy, 4800, lead - 4800),
      floorAfter: rmsDb(clean, 4800, lead - 4800),
      siSdrBefore: siSdr(reference, noisy),
      siSdrAfter: siSdr(reference, clean),
      speechLevelChange: rmsDb(clean, lead, reference.length) - rmsDb(reference, lead, reference.length),
      lagSamples: bestLag(reference, clean, 240, lead, reference.length - 48000),
    };
  } finally {
    await node.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function audioBench() {
  await mkdir(cacheDir, { recursive: true });
  const oneMinute = benchSource(60);
  const tenMinutes = benchSource(600);
  const talk = await noisyTalk();
  const env = { MEDIA_ROOT: cacheDir, REVISION_SECRET: 'bench-secret-0123456789' };
  // No lookahead and no prewarm while timing single requests and per-minute cost: each figure is one job's.
  const { access, cost } = await withOrigin(
    { ...env, LOOKAHEAD_SEGMENTS: '0', PREWARM_ON_MINT: 'false' },
    async (quiet) => {
      const access = await randomAccess(quiet, tenMinutes);
      const cost = [];
      for (const [name, source] of [
        ['tone (same in both channels)', oneMinute],
        ['noisy talk (stereo)', talk],
      ] as const) {
        cost.push({
          source: name,
          plain: await cpuPerMinute(quiet, source, false),
          denoised: await cpuPerMinute(quiet, source, true),
        });
      }
      return { access, cost };
    },
  );
  const viewer = await withOrigin({ ...env, PREWARM_ON_MINT: 'false' }, async (node) => [
    await firstThirtySeconds(node, tenMinutes, false),
    await firstThirtySeconds(node, tenMinutes, true),
  ]);
  return { access, cost, viewer, quality: await quality() };
}

export function printAudio(r: Awaited<ReturnType<typeof audioBench>>): void {
  const ms = (n: number) => `${n.toFixed(0)} ms`;
  console.log(`Audio, cold segment on a fresh revision of an idle origin (p50 of ${RUNS}; 10-minute source):`);
  for (const a of r.access) {
    console.log(
      `  ${a.noiseSuppression ? 'with noise suppression   ' : 'without noise suppression'}  at 0:00 ${ms(a.firstP50).padStart(7)}   at 9:00 ${ms(a.farP50).padStart(7)} (p95 ${ms(a.farP95)})   ratio ${(a.farP50 / a.firstP50).toFixed(2)}`,
    );
  }
  console.log('Audio CPU per minute of audio (origin + ffmpeg + RNNoise workers), made segment by segment:');
  for (const c of r.cost)
    console.log(
      `  ${c.source.padEnd(30)} ${c.plain.toFixed(2)} s without, ${c.denoised.toFixed(2)} s with noise suppression`,
    );
  console.log('A viewer of the first 30 s of the 10-minute recording (with lookahead) against the whole track:');
  for (const v of r.viewer)
    console.log(
      `  ${v.noiseSuppression ? 'with   ' : 'without'} suppression: ${v.viewer.toFixed(2)} s of ${v.track.toFixed(1)} s CPU = ${(v.share * 100).toFixed(1)}%`,
    );
  const q = r.quality;
  console.log('Noise suppression on the speech fixture (left channel, through HLS):');
  console.log(
    `  noise floor ${q.floorBefore.toFixed(1)} → ${q.floorAfter.toFixed(1)} dB (−${(q.floorBefore - q.floorAfter).toFixed(1)} dB); SI-SDR ${q.siSdrBefore.toFixed(1)} → ${q.siSdrAfter.toFixed(1)} dB (+${(q.siSdrAfter - q.siSdrBefore).toFixed(1)}); speech level ${q.speechLevelChange >= 0 ? '+' : ''}${q.speechLevelChange.toFixed(2)} dB; lag ${q.lagSamples} samples (${((q.lagSamples / 48000) * 1000).toFixed(2)} ms)`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) printAudio(await audioBench());
