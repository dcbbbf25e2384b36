import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audioFrameCount } from '../../src/core/timeline/segment-grid.js';
import { compileTimeline } from '../../src/core/timeline/timeline.js';
import type { Clip, SourceInfo } from '../../src/core/types.js';
import { decodeAudio, joinResidual, subtractTone } from '../helpers/audio-analysis.js';
import { makeToneFixture, TONE_HZ } from '../helpers/audio-fixtures.js';
import { fetchAudioRendition } from '../helpers/audio-rendition.js';
import { bestMatch, tinyFrames } from '../helpers/frame-match.js';
import { FIXTURES, startOrigin, type RunningOrigin } from '../helpers/origin-server.js';

const run = promisify(execFile);

/**
 * Downloads, end to end: the whole edited revision as one MP4 (and M4A) file, read back by ffmpeg as
 * any player would: it decodes without an error, lasts as long as the revision, shows the source frames
 * the timeline puts at chosen times, and its audio joins are as seamless as the HLS audio's.
 */
let server: RunningOrigin;
let media: string;

beforeAll(async () => {
  media = await mkdtemp(join(tmpdir(), 'avserver-downloads-'));
  await Promise.all([
    makeToneFixture(media, 6),
    ...['landscape.mp4', 'odd.mp4'].map((f) => copyFile(join(FIXTURES, f), join(media, f))),
  ]);
  // 1 s segments: many joins in a short file.
  server = await startOrigin({ MEDIA_ROOT: media, SEGMENT_DURATION: '1' });
}, 120_000);

afterAll(async () => {
  await server?.close();
  if (media) await rm(media, { recursive: true, force: true });
});

interface Minted {
  revisionId: string;
  hls: string;
  duration: number;
  mp4: string;
  m4a: string;
}

async function download(path: string, name: string) {
  const res = await server.fetch(path);
  expect(res.status, path).toBe(200);
  const file = join(media, name);
  await writeFile(file, Buffer.from(await res.arrayBuffer()));
  // Decoded whole, as a player would: not one error.
  const { stderr } = await run('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-']);
  expect(stderr).toBe('');
  const { stdout } = await run('ffprobe', [
    ...['-v', 'error', '-show_entries', 'format=duration:stream=codec_name,width,height,duration'],
    ...['-of', 'json', file],
  ]);
  const probe = JSON.parse(stdout) as {
    format: { duration: string };
    streams: Array<{ codec_name: string; width?: number; height?: number }>;
  };
  return { res, file, probe };
}

describe('MP4 download', () => {
  it(
    'is the edited revision: its length, and the source frame the timeline puts at each chosen time',
    { timeout: 90_000 },
    async () => {
      const clips: Clip[] = [
        { source: 'landscape.mp4', start: 0.5, cuts: [[1.5, 2.2]] },
        { source: 'odd.mp4', start: 0.5 },
      ];
      const minted = (await server.mint({ clips })) as unknown as Minted;
      const { res, file, probe } = await download(minted.mp4, 'stitched.mp4');
      expect(res.headers.get('content-type')).toBe('video/mp4');
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${minted.revisionId}-720p.mp4"`);
      expect(res.headers.get('cache-control')).toMatch(/immutable/);
      expect(probe.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
      expect(probe.streams.find((s) => s.codec_name === 'h264')).toMatchObject({ width: 1280, height: 720 });
      expect(Math.abs(Number(probe.format.duration) - minted.duration)).toBeLessThanOrEqual(1 / 30 + 1e-3);

      const record = (await (await server.fetch(`/v1/revisions/${minted.revisionId}`, { api: true })).json()) as {
        sources: Record<string, SourceInfo>;
      };
      const spans = compileTimeline(clips, new Map(Object.entries(record.sources)), 30);
      const output = await tinyFrames(file, { fps: 30 });
      expect(output.length).toBe(spans.reduce((n, s) => n + s.frameCount, 0));
      const fit =
        'scale=1280:720:force_original_aspect_ratio=decrease:force_divisible_by=2,pad=1280:720:(ow-iw)/2:(oh-ih)/2';
      const sources = new Map<string, Buffer[]>();
      for (const k of [5, spans[1]!.outputFrame, spans[2]!.outputFrame + 3, output.length - 1]) {
        const span = spans.find((s) => k >= s.outputFrame && k < s.outputFrame + s.frameCount)!;
        if (!sources.has(span.source.key))
          sources.set(span.source.key, await tinyFrames(join(media, span.source.key), { fps: 30 }, fit));
        const expected = Math.round(
          (span.sourceStart - span.source.video.startTime + (k - span.outputFrame) / 30) * 30,
        );
        const found = bestMatch(output[k]!, sources.get(span.source.key)!, expected, 30);
        expect(
          Math.abs(found - expected),
          `output frame ${k} shows source frame ${found}, not ${expected}`,
        ).toBeLessThanOrEqual(1);
      }
    },
  );

  it('joins its audio as seamlessly as the HLS audio, and its M4A is the same sound', { timeout: 90_000 }, async () => {
    const minted = (await server.mint({ clips: [{ source: 'tone.mp4' }] })) as unknown as Minted;
    const plan = await server.origin.revisions.plan(minted.revisionId);
    const { joins } = await fetchAudioRendition(server, minted.hls, join(media, 'tone-hls.mp4'));
    const { file } = await download(minted.mp4, 'tone.mp4.mp4');
    const [left] = await decodeAudio(file);
    expect(left!.length).toBe(audioFrameCount(plan.grid) * 1024);
    const residual = joinResidual(subtractTone(left!, TONE_HZ), joins);
    expect(residual.atJoins.length).toBeGreaterThanOrEqual(3);
    const codec = Math.max(...residual.elsewhere);
    for (const at of residual.atJoins) expect(at).toBeLessThanOrEqual(codec + 3);

    const m4a = await download(minted.m4a, 'tone.m4a');
    expect(m4a.res.headers.get('content-disposition')).toBe(`attachment; filename="${minted.revisionId}.m4a"`);
    expect(m4a.probe.streams.map((s) => s.codec_name)).toEqual(['aac']);
    const [sound] = await decodeAudio(m4a.file);
    expect(Buffer.compare(Buffer.from(sound!.buffer), Buffer.from(left!.buffer))).toBe(0);
  });

  it(
    'comes in any rendition, answers HEAD and a conditional GET without making it, and refuses what is not there',
    { timeout: 60_000 },
    async () => {
      const minted = (await server.mint({ clips: [{ source: 'landscape.mp4', end: 2 }] })) as unknown as Minted;
      const small = await download(`/play/${minted.revisionId}/download/360p.mp4`, 'small.mp4');
      expect(small.probe.streams.find((s) => s.codec_name === 'h264')).toMatchObject({ width: 640, height: 360 });
      const etag = small.res.headers.get('etag')!;
      const head = await server.fetch(minted.mp4, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('accept-ranges')).toBe('none');
      const again = await server.fetch(`/play/${minted.revisionId}/download/360p.mp4`, {
        headers: { 'if-none-match': etag },
      });
      expect(again.status).toBe(304);
      const missing = await server.fetch(`/play/${minted.revisionId}/download/2160p.mp4`);
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
    },
  );
});
