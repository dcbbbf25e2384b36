import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileTimeline } from '../../src/core/timeline/timeline.js';
import type { Clip, SourceInfo } from '../../src/core/types.js';
import type { EditsInput } from '../../src/core/edits/edits-schema.js';
import { bestMatch, tinyFrames } from '../helpers/frame-match.js';
import { FIXTURES, startOrigin, type RunningOrigin } from '../helpers/origin-server.js';
import { rgbFrames } from '../helpers/rgb-frames.js';

const run = promisify(execFile);

/**
 * Posters and thumbnails, end to end: the picture at output time t of a trimmed, cut and stitched
 * revision is the source frame the timeline puts there (the fixtures carry a burnt-in frame counter:
 * the best match within a second either side is that very frame), overlays visible at t are drawn on
 * it, and the HTTP answers are what a CDN caches.
 */
let server: RunningOrigin;
let work: string;

beforeAll(async () => {
  server = await startOrigin();
  work = await mkdtemp(join(tmpdir(), 'avserver-stills-'));
});

afterAll(async () => {
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const FPS = 30;
const CLIPS: Clip[] = [
  { source: 'landscape.mp4', start: 0.5, cuts: [[1.5, 2.2]] },
  { source: 'odd.mp4', start: 0.5 },
];
/** A thick green line across the middle, on output seconds 3–4. */
const STROKE: NonNullable<EditsInput['overlays']>[number] = {
  kind: 'drawing',
  strokes: [
    {
      points: [
        [0.05, 0.5],
        [0.95, 0.5],
      ],
      color: '#00ff00',
      width: 0.08,
    },
  ],
  start: 3,
  end: 4,
};

interface Minted {
  revisionId: string;
  duration: number;
  poster: string;
  thumbnail: string;
}

async function fetchPicture(path: string, name: string) {
  const res = await server.fetch(path);
  expect(res.status, `${path}: ${res.status}`).toBe(200);
  const file = join(work, name);
  await writeFile(file, Buffer.from(await res.arrayBuffer()));
  return { res, file };
}

async function pictureSize(file: string): Promise<{ codec: string; width: number; height: number }> {
  const { stdout } = await run('ffprobe', [
    ...['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height'],
    ...['-of', 'json', file],
  ]);
  const [s] = (JSON.parse(stdout) as { streams: Array<{ codec_name: string; width: number; height: number }> }).streams;
  return { codec: s!.codec_name, width: s!.width, height: s!.height };
}

describe('thumbnails', () => {
  it(
    'show the source frame the timeline puts at t, across trims, cuts and stitching',
    { timeout: 60_000 },
    async () => {
      const minted = (await server.mint({ clips: CLIPS })) as unknown as Minted;
      const record = (await (await server.fetch(`/v1/revisions/${minted.revisionId}`, { api: true })).json()) as {
        sources: Record<string, SourceInfo>;
      };
      const spans = compileTimeline(CLIPS, new Map(Object.entries(record.sources)), FPS);
      const frameCount = spans.reduce((n, s) => n + s.frameCount, 0);
      const canvas = spans[0]!.source.video;
      const fit = `scale=${canvas.displayWidth}:${canvas.displayHeight}:force_original_aspect_ratio=decrease:force_divisible_by=2,pad=${canvas.displayWidth}:${canvas.displayHeight}:(ow-iw)/2:(oh-ih)/2`;
      const sources = new Map<string, Buffer[]>();
      // Before the cut, just after it, on the second clip's first frame, and the last frame.
      const cutFrame = spans[1]!.outputFrame;
      const secondClip = spans[2]!.outputFrame;
      for (const k of [12, cutFrame, cutFrame + 7, secondClip, frameCount - 1]) {
        const t = Math.round((k / FPS) * 1000) / 1000;
        const url = minted.thumbnail.replace('{w}', '320').replace('{t}', String(t));
        const { res, file } = await fetchPicture(url, `thumb-${k}.jpg`);
        expect(res.headers.get('content-type')).toBe('image/jpeg');
        expect(res.headers.get('cache-control')).toMatch(/immutable/);
        expect(await pictureSize(file)).toEqual({ codec: 'mjpeg', width: 320, height: 180 });

        const span = spans.find((s) => k >= s.outputFrame && k < s.outputFrame + s.frameCount)!;
        if (!sources.has(span.source.key))
          sources.set(span.source.key, await tinyFrames(join(FIXTURES, span.source.key), { fps: FPS }, fit));
        const source = sources.get(span.source.key)!;
        const expected = Math.round(
          (span.sourceStart - span.source.video.startTime + (k - span.outputFrame) / FPS) * FPS,
        );
        const [picture] = await tinyFrames(file);
        const found = bestMatch(picture!, source, expected, FPS);
        expect(found, `the thumbnail at ${t} s (output frame ${k}) shows source frame ${found}, not ${expected}`).toBe(
          expected,
        );
      }
    },
  );

  it('draw the overlays visible at t, and only those', { timeout: 60_000 }, async () => {
    const minted = (await server.mint({ clips: CLIPS, overlays: [STROKE] })) as unknown as Minted;
    const green = async (t: number) => {
      const url = minted.thumbnail.replace('{w}', '640').replace('{t}', String(t));
      const { file } = await fetchPicture(url, `overlay-${t}.jpg`);
      const frames = await rgbFrames(file, [0], { width: 64, height: 36 }, 'scale=64:36:flags=area');
      const { rgb } = frames.get(0)!;
      const at = (18 * 64 + 32) * 3;
      return rgb[at + 1]! > 200 && rgb[at]! < 80 && rgb[at + 2]! < 80;
    };
    expect(await green(3.5)).toBe(true);
    expect(await green(2.5)).toBe(false);
  });

  it.each([
    ['a width that is not a multiple of 16', '/thumbnail/100w/1.jpg', 400, 'bad_path'],
    ['a width past 1920', '/thumbnail/3840w/1.jpg', 400, 'bad_path'],
    ['a time written two ways', '/thumbnail/320w/1.50.jpg', 400, 'bad_path'],
    ['a time past the end', '/thumbnail/320w/60.jpg', 404, 'not_found'],
  ])('refuse %s with a JSON error', { timeout: 30_000 }, async (_name, path, status, error) => {
    const minted = (await server.mint({ clips: CLIPS })) as unknown as Minted;
    const res = await server.fetch(`/play/${minted.revisionId}${path}`);
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(error);
  });
});

describe('I-frame playlists', () => {
  it(
    "list one I-frame per segment that decodes, over the rendition's init, to a keyframe at the segment's start, showing its first frame",
    { timeout: 60_000 },
    async () => {
      const minted = (await server.mint({ clips: CLIPS })) as unknown as Minted & { hls: string };
      const master = await (await server.fetch(minted.hls)).text();
      const uri = /#EXT-X-I-FRAME-STREAM-INF:.*RESOLUTION=640x360,URI="([^"]+)"/.exec(master)?.[1];
      expect(uri).toBe('360p.iframes.m3u8');
      const base = minted.hls.replace(/master\.m3u8$/, '');
      const playlist = await (await server.fetch(base + uri)).text();
      expect(playlist).toContain('#EXT-X-I-FRAMES-ONLY');
      const entries = [...playlist.matchAll(/#EXTINF:([\d.]+),\n(\S+)/g)].map((m) => ({
        duration: Number(m[1]),
        uri: m[2]!,
      }));
      const segments = [...(await (await server.fetch(`${base}360p.m3u8`)).text()).matchAll(/#EXTINF:([\d.]+),/g)].map(
        (m) => Number(m[1]),
      );
      expect(entries.map((e) => e.duration)).toEqual(segments);
      const init = Buffer.from(await (await server.fetch(`${base}360p/init.mp4`)).arrayBuffer());
      let start = 0;
      for (const [i, entry] of entries.entries()) {
        const iframe = Buffer.from(await (await server.fetch(base + entry.uri)).arrayBuffer());
        const file = join(work, `iframe-${i}.mp4`);
        await writeFile(file, Buffer.concat([init, iframe]));
        const { stdout } = await run('ffprobe', [
          ...['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'frame=pts_time,key_frame,pict_type'],
          ...['-of', 'json', file],
        ]);
        const frames = (
          JSON.parse(stdout) as { frames: Array<{ pts_time: string; key_frame: number; pict_type: string }> }
        ).frames;
        expect(frames).toHaveLength(1);
        expect(frames[0]!.key_frame).toBe(1);
        expect(frames[0]!.pict_type).toBe('I');
        expect(Number(frames[0]!.pts_time)).toBeCloseTo(start, 3);
        // The same picture as the segment's first frame.
        const segment = join(work, `segment-${i}.mp4`);
        const media = Buffer.from(await (await server.fetch(`${base}360p/${i}.m4s`)).arrayBuffer());
        await writeFile(segment, Buffer.concat([init, media]));
        const [[a], [b]] = await Promise.all([tinyFrames(file), tinyFrames(segment)]);
        let diff = 0;
        for (let p = 0; p < a!.length; p++) diff += Math.abs(a![p]! - b![p]!);
        expect(diff / a!.length).toBeLessThan(2);
        start += entry.duration;
      }
    },
  );
});

describe('the storyboard', () => {
  /** Every tile of a revision's storyboard, cropped from its sheet as a tiny picture, with its cue and sheet file. */
  async function tiles(minted: Minted & { storyboard: string; storyboardJson: string }) {
    const vtt = await (await server.fetch(minted.storyboard)).text();
    const json = (await (await server.fetch(minted.storyboardJson)).json()) as {
      tile_width: number;
      tile_height: number;
      tiles: Array<{ start: number; end: number; url: string; x: number; y: number }>;
    };
    const cues = [...vtt.matchAll(/^([\d:.]+) --> ([\d:.]+)\n(\S+)#xywh=(\d+),(\d+),(\d+),(\d+)$/gm)].map((m) => ({
      start: seconds(m[1]!),
      end: seconds(m[2]!),
      url: m[3]!,
      x: Number(m[4]),
      y: Number(m[5]),
    }));
    expect(vtt.startsWith('WEBVTT\n')).toBe(true);
    expect(cues.map(({ start, end, url, x, y }) => ({ start, end, url, x, y }))).toEqual(
      json.tiles.map((t) => ({ ...t, start: round(t.start), end: round(t.end) })),
    );
    const base = minted.storyboard.replace(/storyboard\.vtt$/, '');
    const sheets = new Map<string, string>();
    const out = [];
    for (const cue of cues) {
      if (!sheets.has(cue.url)) {
        const { res, file } = await fetchPicture(base + cue.url, `sheet-${minted.revisionId}-${sheets.size}.jpg`);
        expect(res.headers.get('content-type')).toBe('image/jpeg');
        expect(await pictureSize(file)).toEqual({ codec: 'mjpeg', width: 1600, height: 900 });
        sheets.set(cue.url, file);
      }
      const [picture] = await tinyFrames(
        sheets.get(cue.url)!,
        undefined,
        `crop=${json.tile_width}:${json.tile_height}:${cue.x}:${cue.y}`,
      );
      out.push({
        ...cue,
        picture: picture!,
        sheet: sheets.get(cue.url)!,
        width: json.tile_width,
        height: json.tile_height,
      });
    }
    return out;
  }
  const seconds = (vtt: string) => vtt.split(':').reduce((s, part) => s * 60 + Number(part), 0);
  const round = (s: number) => Math.round(s * 1000) / 1000;

  it(
    "covers the revision with back-to-back cues, each tile its cue's first frame (sparse keyframes: drawn exactly)",
    { timeout: 60_000 },
    async () => {
      const minted = (await server.mint({ clips: CLIPS })) as unknown as Minted & {
        storyboard: string;
        storyboardJson: string;
      };
      const record = (await (await server.fetch(`/v1/revisions/${minted.revisionId}`, { api: true })).json()) as {
        sources: Record<string, SourceInfo>;
      };
      const spans = compileTimeline(CLIPS, new Map(Object.entries(record.sources)), FPS);
      const frameCount = spans.reduce((n, s) => n + s.frameCount, 0);
      const list = await tiles(minted);
      expect(list[0]!.start).toBe(0);
      for (let i = 1; i < list.length; i++) expect(list[i]!.start).toBe(list[i - 1]!.end);
      expect(list.at(-1)!.end).toBeCloseTo(frameCount / FPS, 3);
      const canvas = spans[0]!.source.video;
      const fit = `scale=${canvas.displayWidth}:${canvas.displayHeight}:force_original_aspect_ratio=decrease:force_divisible_by=2,pad=${canvas.displayWidth}:${canvas.displayHeight}:(ow-iw)/2:(oh-ih)/2`;
      const sources = new Map<string, Buffer[]>();
      for (const tile of list) {
        const k = Math.round(tile.start * FPS);
        const span = spans.find((s) => k >= s.outputFrame && k < s.outputFrame + s.frameCount)!;
        if (!sources.has(span.source.key))
          sources.set(span.source.key, await tinyFrames(join(FIXTURES, span.source.key), { fps: FPS }, fit));
        const expected = Math.round(
          (span.sourceStart - span.source.video.startTime + (k - span.outputFrame) / FPS) * FPS,
        );
        const found = bestMatch(tile.picture, sources.get(span.source.key)!, expected, FPS);
        expect(
          Math.abs(found - expected),
          `the tile at ${tile.start} s shows source frame ${found}, not ${expected}`,
        ).toBeLessThanOrEqual(1);
      }
    },
  );

  it("draws the overlays visible in a tile's time on it, and only those", { timeout: 60_000 }, async () => {
    // The stroke over output seconds 2–4: exactly the second tile's cue (2 s tiles).
    const overlay = { ...STROKE, start: 2, end: 4 };
    const minted = (await server.mint({ clips: CLIPS, overlays: [overlay] })) as unknown as Minted & {
      storyboard: string;
      storyboardJson: string;
    };
    const list = await tiles(minted);
    const inside = list.filter((tile) => tile.start >= overlay.start && tile.end <= overlay.end);
    const outside = list.filter((tile) => tile.end <= overlay.start || tile.start >= overlay.end);
    expect([inside.length, outside.length]).toEqual([1, list.length - 1]);
    for (const tile of list) {
      const crop = `crop=${tile.width}:${tile.height}:${tile.x}:${tile.y},scale=64:36:flags=area`;
      const frames = await rgbFrames(tile.sheet, [0], { width: 64, height: 36 }, crop);
      const { rgb } = frames.get(0)!;
      const at = (18 * 64 + 32) * 3;
      const green = rgb[at + 1]! > 200 && rgb[at]! < 80 && rgb[at + 2]! < 80;
      expect(green, `the tile at ${tile.start}–${tile.end} s`).toBe(inside.includes(tile));
    }
  });

  it(
    'draws a tile from a keyframe within its cue where keyframes are as close as tiles',
    { timeout: 60_000 },
    async () => {
      // landscape.mp4 with a keyframe every half second, trimmed by a quarter second so no cue starts on one.
      const dense = join(work, 'dense.mp4');
      await run('ffmpeg', [
        ...['-v', 'error', '-y', '-i', join(FIXTURES, 'landscape.mp4'), '-c:v', 'libx264', '-preset', 'ultrafast'],
        ...['-g', '15', '-keyint_min', '15', '-sc_threshold', '0', '-c:a', 'copy', dense],
      ]);
      const local = await startOrigin({ MEDIA_ROOT: work });
      try {
        const minted = (await local.mint({ clips: [{ source: 'dense.mp4', start: 0.25 }] })) as unknown as Minted & {
          storyboard: string;
          storyboardJson: string;
        };
        const list = await (async () => {
          const saved = server;
          server = local;
          try {
            return await tiles(minted);
          } finally {
            server = saved;
          }
        })();
        const source = await tinyFrames(dense, { fps: FPS });
        for (const tile of list) {
          // The frames the tile stands for, in source frames (the trim moves them a quarter second).
          const [from, to] = [Math.round((tile.start + 0.25) * FPS), Math.round((tile.end + 0.25) * FPS)];
          const found = bestMatch(tile.picture, source, Math.round((from + to) / 2), FPS);
          expect(
            found,
            `the tile at ${tile.start} s shows source frame ${found}, outside [${from}, ${to})`,
          ).toBeGreaterThanOrEqual(from);
          expect(found).toBeLessThan(to);
          // A keyframe: every 15th source frame.
          expect(found % 15, `the tile at ${tile.start} s shows frame ${found}, not a keyframe`).toBe(0);
        }
      } finally {
        await local.close();
      }
    },
  );
});

describe('the poster', () => {
  it('is the frame at posterTime, as JPEG and WebP, at most 1280 wide', { timeout: 60_000 }, async () => {
    const minted = (await server.mint({ clips: CLIPS, posterTime: 0.4 })) as unknown as Minted;
    const { file } = await fetchPicture(minted.poster, 'poster.jpg');
    expect(await pictureSize(file)).toEqual({ codec: 'mjpeg', width: 1280, height: 720 });
    const thumb = await fetchPicture(minted.thumbnail.replace('{w}', '1280').replace('{t}', '0.4'), 'same.jpg');
    expect(
      Buffer.compare(
        ...((await Promise.all([file, thumb.file].map((f) => tinyFrames(f)))).map((f) => f[0]!) as [Buffer, Buffer]),
      ),
    ).toBe(0);
    const webp = await fetchPicture(minted.poster.replace(/\.jpg$/, '.webp'), 'poster.webp');
    expect(webp.res.headers.get('content-type')).toBe('image/webp');
    expect(await pictureSize(webp.file)).toEqual({ codec: 'webp', width: 1280, height: 720 });
  });

  it('refuses a posterTime past the end at mint (422 naming the field)', async () => {
    const res = await server.fetch('/v1/revisions', {
      method: 'POST',
      api: true,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clips: CLIPS, posterTime: 100 }),
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { field: string } }).error.field).toBe('posterTime');
  });
});
