import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_AUDIO_CHUNK_OPTIONS } from '../../src/core/audio/audio-chunk.js';
import { audioFrameCount } from '../../src/core/timeline/segment-grid.js';
import { RnnoisePool } from '../../src/media/audio/denoise/rnnoise-pool.js';
import type { RunOptions } from '../../src/media/process-runner.js';
import { decodeAudio, joinResidual, rmsDb, subtractTone } from '../helpers/audio-analysis.js';
import { makeSpeechFixture, makeToneFixture, SPEECH_LEAD_SECONDS, TONE_HZ } from '../helpers/audio-fixtures.js';
import {
  chunkedAudio,
  continuousAudio,
  fetchAudioRendition,
  segmentBothWays,
  segmentPcm,
  type DirectAudio,
} from '../helpers/audio-rendition.js';
import { parsePlaylist } from '../helpers/hls-download.js';
import { spawnOrigin } from '../helpers/origin-process.js';
import { FIXTURES, startOrigin, type RunningOrigin } from '../helpers/origin-server.js';

/**
 * Every audio segment is made on its own, from a chunk of the track with preroll. These tests decode
 * whole renditions and look at what a listener hears at the joins, against one continuous run of the
 * same pipeline; and check that a far segment's job reads only near it, and that two processes make
 * the same bytes.
 */
let media: string;
let server: RunningOrigin;
let direct: DirectAudio;
const out = (name: string) => join(media, name);

beforeAll(async () => {
  media = await mkdtemp(join(tmpdir(), 'avserver-audio-'));
  await Promise.all([
    makeToneFixture(media),
    makeSpeechFixture(media),
    ...['landscape.mp4', 'silent.mp4', 'odd.mp4'].map((f) => copyFile(join(FIXTURES, f), join(media, f))),
  ]);
  // 1 s segments: many joins.
  server = await startOrigin({ MEDIA_ROOT: media, SEGMENT_DURATION: '1' });
  direct = { runner: server.origin.runner, denoiser: new RnnoisePool(2), mediaRoot: media };
}, 120_000);

afterAll(async () => {
  await server?.close();
  await direct?.denoiser.close();
  if (media) await rm(media, { recursive: true, force: true });
});

describe('audio segments made one by one', () => {
  it(
    'join a tone with no click: the residual at joins is the codec’s own, and a join without preroll is caught',
    {
      timeout: 120_000,
    },
    async () => {
      const minted = await server.mint({ clips: [{ source: 'tone.mp4' }] });
      const plan = await server.origin.revisions.plan(minted.revisionId);
      const { file, joins } = await fetchAudioRendition(server, minted.hls, out('tone-http.mp4'));
      const [left] = await decodeAudio(file);
      // Exact length: whole AAC frames covering the video, no gap, nothing extra.
      expect(left!.length).toBe(audioFrameCount(plan.grid) * 1024);

      const residual = (pcm: Float32Array) => joinResidual(subtractTone(pcm, TONE_HZ), joins);
      const chunked = residual(left!);
      const broken = residual(
        (
          await decodeAudio(
            await chunkedAudio(
              direct,
              plan,
              { ...DEFAULT_AUDIO_CHUNK_OPTIONS, prerollFrames: 0 },
              out('tone-broken.mp4'),
            ),
          )
        )[0]!,
      );
      const codec = Math.max(...chunked.elsewhere);
      expect(chunked.atJoins.length).toBeGreaterThanOrEqual(6);
      for (const join of chunked.atJoins) expect(join).toBeLessThanOrEqual(codec + 3);
      // The same measure sees the click of a join made without preroll.
      expect(Math.max(...broken.atJoins)).toBeGreaterThan(Math.max(...broken.elsewhere) + 15);
    },
  );

  it(
    'with noise suppression, match one continuous run of the same pipeline: the same denoised input, the codec’s own noise at joins',
    {
      timeout: 180_000,
    },
    async () => {
      const minted = await server.mint({ clips: [{ source: 'speech-noisy.mp4' }], noiseSuppression: true });
      const plan = await server.origin.revisions.plan(minted.revisionId);
      const continuous = await continuousAudio(direct, plan, out('speech-continuous.mp4'));
      // What each segment's encoder hears is what the continuous run's encoder hears at the same samples.
      for (const slice of plan.audio!.slices) {
        const { pcm, from } = await segmentPcm(direct, plan, slice.index);
        const difference = pcm.map((v, i) => v - continuous.pcm[from * 2 + i]!);
        expect(rmsDb(difference) - rmsDb(pcm), `segment ${slice.index}`).toBeLessThan(-60);
      }
      // So around every join, the chunked output differs from the continuous one only by the two encodes' own noise.
      const { file, joins } = await fetchAudioRendition(server, minted.hls, out('speech-http.mp4'));
      const [chunked] = await decodeAudio(file);
      const [reference] = await decodeAudio(continuous.file);
      const input = continuous.pcm.filter((_, i) => i % 2 === 0);
      const around = (x: ArrayLike<number>, t: number) => rmsDb(x, t - 1024, t + 1024);
      for (const j of joins.filter((t) => t > SPEECH_LEAD_SECONDS * 48000)) {
        const difference = chunked!.map((v, i) => v - reference![i]!);
        const codecNoise = Math.max(
          around(
            chunked!.map((v, i) => v - input[i]!),
            j,
          ),
          around(
            reference!.map((v, i) => v - input[i]!),
            j,
          ),
        );
        // Two independent codec errors add up to twice the larger one at most (+6 dB).
        expect(around(difference, j), `join at ${j}`).toBeLessThanOrEqual(codecNoise + 6.1);
      }
    },
  );

  it(
    'are the same bytes made in one ffmpeg run as through PCM, across cuts, silent clips and the end',
    {
      timeout: 60_000,
    },
    async () => {
      const minted = await server.mint({
        clips: [
          { source: 'landscape.mp4', cuts: [[1.1, 1.5]] },
          { source: 'silent.mp4', end: 1.2 },
          { source: 'odd.mp4', end: 1.6 },
        ],
      });
      const plan = await server.origin.revisions.plan(minted.revisionId);
      for (const slice of plan.audio!.slices) {
        const [oneRun, twoRuns] = await segmentBothWays(direct, plan, slice.index);
        expect(oneRun.equals(twoRuns), `segment ${slice.index}`).toBe(true);
      }
    },
  );

  it(
    'read only near themselves: a far segment seeks near it and decodes its chunk, preroll and warm-up',
    {
      timeout: 60_000,
    },
    async () => {
      // A revision nothing has asked for yet.
      const minted = await server.mint({
        clips: [{ source: 'speech-noisy.mp4', start: 0.25 }],
        noiseSuppression: true,
      });
      const plan = await server.origin.revisions.plan(minted.revisionId);
      // Lookahead of the tests before may still be running: start from an idle pool.
      const { scheduler } = server.origin;
      while (scheduler.active + scheduler.queued + scheduler.paused > 0) await new Promise((r) => setTimeout(r, 50));
      const runs: Array<{ args: readonly string[]; bytes: number }> = [];
      const runner = server.origin.runner;
      const run = runner.run.bind(runner);
      runner.run = async (command: string, args: readonly string[], options: RunOptions) => {
        const result = await run(command, args, options);
        runs.push({ args, bytes: result.stdout.length });
        return result;
      };
      try {
        const index = plan.audio!.slices.length - 3;
        const slice = plan.audio!.slices[index]!;
        const res = await server.fetch(minted.hls.replace('master.m3u8', `audio/${index}.m4s`));
        expect(res.status).toBe(200);
        // Lookahead makes the segments after it meanwhile, and a run is recorded when it ends: the
        // requested segment's decode is the one that starts earliest in the source.
        const seekOf = (r: { args: readonly string[] }) => Number(r.args[r.args.indexOf('-ss') + 1]);
        const decode = runs
          .filter((r) => r.args.includes('pcm_f32le'))
          .reduce((a, b) => (seekOf(b) < seekOf(a) ? b : a));
        const seek = seekOf(decode);
        // RNNoise warm-up (1 s), its crossfade and handover (0.35 s), the AAC preroll and the seek margin (0.25 s).
        expect(seek).toBeGreaterThan(slice.start - 1.8);
        expect(seek).toBeLessThan(slice.start);
        expect(decode.bytes / 8 / 48000).toBeLessThan(slice.duration + 1.7);
      } finally {
        runner.run = run;
      }
    },
  );

  it(
    'keep every sample of a recording whose clock starts late (MPEG-TS starts at 1.4 s)',
    { timeout: 60_000 },
    async () => {
      // ffmpeg adds a file's start time to an input seek: a seek on the source's own clock landed 1.4 s
      // late, and each segment after the first began with up to a second of silence. The same tone
      // remuxed into MPEG-TS must sound as it does from the MP4.
      await promisify(execFile)('ffmpeg', [
        '-v',
        'error',
        '-y',
        '-i',
        out('tone.mp4'),
        '-c',
        'copy',
        '-f',
        'mpegts',
        out('tone.ts'),
      ]);
      const quietWindows = async (source: string) => {
        const minted = await server.mint({ clips: [{ source, start: 2 }] });
        const { file } = await fetchAudioRendition(server, minted.hls, out(`${source}-http.mp4`));
        const [left] = await decodeAudio(file);
        const quiet: number[] = [];
        for (let at = 0; at + 480 <= left!.length; at += 480)
          if (rmsDb(left!, at, at + 480) < -40) quiet.push(at / 48000);
        return { samples: left!.length, quiet };
      };
      const mp4 = await quietWindows('tone.mp4');
      const ts = await quietWindows('tone.ts');
      expect(mp4.quiet.length).toBeLessThan(3);
      expect(ts).toEqual(mp4);
    },
  );

  it('are the same bytes from two origin processes', { timeout: 60_000 }, async () => {
    const env = { MEDIA_ROOT: media, SEGMENT_DURATION: '1', REVISION_SECRET: 'determinism-secret-0123456789' };
    const nodes = await Promise.all([spawnOrigin(env), spawnOrigin(env)]);
    try {
      const bodies = await Promise.all(
        nodes.map(async (node) => {
          const minted = await node.mint({
            clips: [{ source: 'speech-noisy.mp4', start: 0.5 }],
            noiseSuppression: true,
          });
          const base = minted.hls.replace('/master.m3u8', '');
          const video = parsePlaylist(await (await node.fetch(minted.hls)).text()).playlists![0]!.uri.replace(
            '.m3u8',
            '',
          );
          return Promise.all(
            ['audio/5.m4s', 'audio/0.m4s', `${video}/2.m4s`].map(async (path) =>
              Buffer.from(await (await node.fetch(`${base}/${path}`)).arrayBuffer()),
            ),
          );
        }),
      );
      for (const [i, body] of bodies[0]!.entries()) {
        expect(body.length).toBeGreaterThan(1000);
        expect(body.equals(bodies[1]![i]!)).toBe(true);
      }
    } finally {
      await Promise.all(nodes.map((n) => n.stop()));
    }
  });
});
