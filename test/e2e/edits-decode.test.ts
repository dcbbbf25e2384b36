import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileTimeline } from '../../src/core/timeline/timeline.js';
import type { Clip } from '../../src/core/types.js';
import { expectSeamlessHls } from '../helpers/decode-checks.js';
import { bestMatch, tinyFrames } from '../helpers/frame-match.js';
import { FIXTURES, startOrigin, type RunningOrigin } from '../helpers/origin-server.js';

/**
 * Trims and cuts, end to end: the revision decodes as seamless HLS (the core decode checks), its
 * duration is the timeline's, and at every cut and trim boundary the frame on screen is the source
 * frame the timeline says (the fixtures carry a burnt-in frame counter), to within one frame.
 */
let server: RunningOrigin;
let work: string;

beforeAll(async () => {
  // 1 s segments: segments straddle the cuts, so multi-piece jobs are exercised.
  server = await startOrigin({ SEGMENT_DURATION: '1' });
  work = await mkdtemp(join(tmpdir(), 'avserver-edits-'));
});

afterAll(async () => {
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const CASES: Array<{ name: string; clips: Clip[]; duration: number; fps?: number }> = [
  { name: 'a trim', clips: [{ source: 'landscape.mp4', start: 1, end: 3 }], duration: 2 },
  {
    name: 'two cuts',
    clips: [
      {
        source: 'landscape.mp4',
        cuts: [
          [0.5, 1.1],
          [2.0, 2.5],
        ],
      },
    ],
    duration: 4 - 0.6 - 0.5,
  },
  {
    name: 'a trim with a cut off frame edges',
    clips: [{ source: 'landscape.mp4', start: 0.52, end: 3.71, cuts: [[1.49, 2.03]] }],
    duration: 2.63,
  },
  {
    name: 'cuts on a variable-frame-rate recording',
    clips: [{ source: 'recorder.webm', cuts: [[1.0, 1.6]] }],
    duration: 0,
  },
  {
    // Portrait 30 fps stereo intro, a landscape 25 fps clip with no audio, an odd-sized 24 fps clip with
    // mono 44.1 kHz audio: one canvas (the intro's), one rate, one audio format, silence where none.
    name: 'intro + silent recording + outro of different sizes and rates',
    clips: [{ source: 'portrait.mp4' }, { source: 'silent.mp4', end: 2 }, { source: 'odd.mp4', start: 0.5 }],
    duration: 3 + 2 + 2.5,
  },
  // Chunked recordings as sources, read back independently: the HLS one by ffmpeg's HLS demuxer, the DASH
  // one as MSE reads it — its video init and chunks appended (ffmpeg 5.1's DASH demuxer drops a chunk).
  {
    name: 'a DASH MPD of WebM chunks (separate video and audio), cut',
    clips: [{ source: 'dash/recording.mpd', cuts: [[2.5, 3]] }],
    duration: 3.5,
  },
  {
    name: 'an HLS playlist of TS chunks, cut',
    clips: [{ source: 'hls/recording.m3u8', cuts: [[1.5, 2.2]] }],
    duration: 3.3,
    fps: 25,
  },
];

/** A file an independent reader decodes for `key`: the DASH video track is its init + chunks appended. */
async function readable(key: string): Promise<string> {
  if (!key.endsWith('.mpd')) return join(FIXTURES, key);
  const dir = join(FIXTURES, 'dash');
  const chunks = (await readdir(dir)).filter((f) => f.startsWith('chunk-0-')).sort();
  const file = join(work, 'dash-video.webm');
  await writeFile(
    file,
    Buffer.concat(await Promise.all(['init-0.webm', ...chunks].map((f) => readFile(join(dir, f))))),
  );
  return file;
}

describe.each(CASES)('$name', ({ clips, duration, fps = 30 }) => {
  it('plays seamlessly and shows the right frames at every boundary', { timeout: 120_000 }, async () => {
    const minted = await server.mint({ clips });
    const record = await server.api.getRevision(minted.revisionId);
    const spans = compileTimeline(clips, new Map(Object.entries(record.sources)), fps);
    const frameCount = spans.reduce((n, s) => n + s.frameCount, 0);
    expect(minted.duration).toBeCloseTo(frameCount / fps, 6);
    if (duration > 0) expect(minted.duration).toBeCloseTo(duration, 1);

    const dir = await mkdtemp(join(work, 'case-'));
    const { files } = await expectSeamlessHls(server, minted, { fps, audio: true, dir });

    // Content: output frames around each span boundary (and the first and last) against their source.
    const [top] = Object.keys(files).sort((a, b) => Number.parseInt(b, 10) - Number.parseInt(a, 10));
    const output = await tinyFrames(files[top!]!);
    const [width, height] = [spans[0]!.source.video.displayWidth, spans[0]!.source.video.displayHeight];
    const sourceFrames = new Map<string, Buffer[]>();
    const framesOf = async (source: (typeof spans)[number]['source']) => {
      if (!sourceFrames.has(source.key)) {
        // The source on the output's grid (frame i shows at i/fps after its first frame), fitted into
        // the canvas the way the origin fits it, so pictures compare like for like.
        const fit = `scale=${width}:${height}:force_original_aspect_ratio=decrease:force_divisible_by=2,pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2`;
        sourceFrames.set(source.key, await tinyFrames(await readable(source.key), { fps }, fit));
      }
      return sourceFrames.get(source.key)!;
    };
    const checks = new Set<number>([0, frameCount - 1]);
    for (const span of spans) for (const k of [span.outputFrame, span.outputFrame + span.frameCount - 1]) checks.add(k);
    for (const k of checks) {
      const span = spans.find((s) => k >= s.outputFrame && k < s.outputFrame + s.frameCount)!;
      const sourceTime = span.sourceStart - span.source.video.startTime + (k - span.outputFrame) / fps;
      const expected = Math.round(sourceTime * fps);
      const found = bestMatch(output[k]!, await framesOf(span.source), expected);
      expect(
        Math.abs(found - expected),
        `output frame ${k} (${span.source.key}) shows source frame ${found}, expected ${expected}`,
      ).toBeLessThanOrEqual(1);
    }
  });
});
