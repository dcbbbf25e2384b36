import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../helpers/audio-analysis.js';
import { expectSeamlessHls } from '../helpers/decode-checks.js';
import { downloader } from '../helpers/hls-download.js';
import type { Clips } from '../helpers/origin-client.js';
import { FIXTURES as FIXTURES_DIR, startOrigin, type RunningOrigin } from '../helpers/origin-server.js';

const run = promisify(execFile);

/**
 * Camera and screen composed just in time, checked on decoded frames of every rendition. The fixtures
 * (fixtures/make-fixtures.sh): screen.mp4, a screen's picture (light, dark lines) at 1280x720 30 fps, 6 s,
 * a 440 Hz tone; camera.webm, VP8 640x480 24 fps, started 0.5 s after the screen and 4.5 s long, one flat
 * pink picture whose brightness says its frame (Y = 40 + 4 × (n mod 40)), an 880 Hz tone.
 */
const CAMERA = { source: 'camera.webm', offset: -0.5 };
const FPS = 30;
/** The camera shows from 0.5 s (frame 15) until its 4.5 s end (frame 149 is its last). */
const CAMERA_FRAMES = { from: 15, to: 150 };

/** The screen from source second 1, the bubble, then from source second 2.5 (output 1.5 s) the camera alone. */
const TRIMMED: Clips = [
  {
    source: 'screen.mp4',
    start: 1,
    camera: CAMERA,
    layouts: [
      { at: 1, layout: 'bubble' },
      { at: 2.5, layout: 'camera' },
    ],
  },
];

let server: RunningOrigin;
let work: string;

beforeAll(async () => {
  server = await startOrigin();
  work = await mkdtemp(join(tmpdir(), 'avserver-composition-'));
});

afterAll(async () => {
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Every frame of a file at 64 × 36, RGB and luma, so each rendition is judged at the same fractions. */
async function smallFrames(file: string): Promise<Array<{ rgb: Buffer; luma: Buffer }>> {
  const decode = async (format: string, bytes: number) => {
    const { stdout } = await run(
      'ffmpeg',
      ['-v', 'error', '-i', file, '-vf', `scale=64:36:flags=area,${format}`, '-f', 'rawvideo', '-'],
      { encoding: 'buffer', maxBuffer: 1 << 28 },
    );
    return Array.from({ length: stdout.length / bytes }, (_, i) => stdout.subarray(i * bytes, (i + 1) * bytes));
  };
  const rgb = await decode('scale=in_color_matrix=bt709:in_range=tv,format=rgb24', 64 * 36 * 3);
  const luma = await decode('format=gray', 64 * 36);
  return rgb.map((frame, i) => ({ rgb: frame, luma: luma[i]! }));
}

/** The colour at a point given in fractions of the picture. */
const at = (frame: { rgb: Buffer }, x: number, y: number) => {
  const i = (Math.floor(y * 36) * 64 + Math.floor(x * 64)) * 3;
  return [frame.rgb[i]!, frame.rgb[i + 1]!, frame.rgb[i + 2]!] as const;
};
/** The camera's pink: red and blue well above green. Neither the screen (greys, white, a blue box) nor the background is. */
const pink = ([r, g, b]: readonly number[]) => r! - g! > 60 && b! - g! > 40;
const lumaAt = (frame: { luma: Buffer }, x: number, y: number) =>
  frame.luma[Math.floor(y * 36) * 64 + Math.floor(x * 64)]!;

/** The default bubble on 16:9: bottom-left, a quarter of the height across, 3% of the height from the edges. */
const BUBBLE = { centre: [(0.03 + 0.125) * (9 / 16), 1 - 0.03 - 0.125], boxCorner: [(0.03 + 0.015) * (9 / 16), 0.735] };

describe('a screen recording with its camera', () => {
  it(
    'shows the bubble, then split, then the camera alone, each from its frame, in every rendition, with the camera frame at t + offset',
    { timeout: 120_000 },
    async () => {
      const clips: Clips = [
        {
          source: 'screen.mp4',
          camera: CAMERA,
          layouts: [
            { at: 0, layout: 'bubble', border: { width: 0.02, color: '#ffffff' } },
            { at: 2.5, layout: 'split' },
            { at: 4, layout: 'camera', mirror: true },
          ],
        },
      ];
      const minted = await server.mint({ clips });
      expect(minted.duration).toBeCloseTo(6, 3);
      const dir = await mkdtemp(join(work, 'layouts-'));
      const { files } = await expectSeamlessHls(server, minted, { fps: FPS, audio: true, dir });
      expect(Object.keys(files).length).toBeGreaterThanOrEqual(3);
      for (const [rendition, file] of Object.entries(files)) {
        const frames = await smallFrames(file);
        expect(frames.length, rendition).toBe(180);
        const camera = (k: number) => k >= CAMERA_FRAMES.from && k < CAMERA_FRAMES.to;
        /** [frame, measured camera brightness, the camera frame it should be] */
        const shown: Array<[number, number]> = [];
        frames.forEach((frame, k) => {
          const where = `${rendition} frame ${k}`;
          const [bx, by] = BUBBLE.centre as [number, number];
          if (k < 75) {
            // The bubble: the camera inside its circle, the screen at its box's corner, nothing of it elsewhere.
            expect(pink(at(frame, bx, by)), where).toBe(camera(k));
            expect(pink(at(frame, BUBBLE.boxCorner[0]!, BUBBLE.boxCorner[1]!)), where).toBe(false);
            expect(pink(at(frame, 0.5, 0.5)), where).toBe(false);
            if (camera(k)) shown.push([k, lumaAt(frame, bx, by)]);
          } else if (k < 120) {
            // Split: the screen in the left half, the camera (4:3) fitted inside the right one, grey above it.
            expect(pink(at(frame, 0.25, 0.5)), where).toBe(false);
            expect(pink(at(frame, 0.75, 0.5)), where).toBe(true);
            const [r, g, b] = at(frame, 0.75, 0.04);
            expect(Math.max(Math.abs(r - 31), Math.abs(g - 31), Math.abs(b - 31)), where).toBeLessThan(12);
            shown.push([k, lumaAt(frame, 0.75, 0.5)]);
          } else {
            // The camera alone, until it has no frames: then the screen alone, not a frozen frame.
            for (const [x, y] of [
              [0.05, 0.05],
              [0.5, 0.5],
              [0.95, 0.95],
            ] as const)
              expect(pink(at(frame, x, y)), where).toBe(camera(k));
            if (camera(k)) shown.push([k, lumaAt(frame, 0.5, 0.5)]);
          }
        });
        // The camera frame shown at t is the one at t + offset: brightness = a + b × (n mod 40), n its frame.
        const n = (k: number) => Math.round((k / FPS + CAMERA.offset) * 24);
        const xs = shown.map(([k]) => n(k) % 40);
        const ys = shown.map(([, y]) => y);
        const { a, b } = fit(xs, ys);
        expect(b, rendition).toBeGreaterThan(3);
        const worst = Math.max(...xs.map((x, i) => Math.abs(ys[i]! - (a + b * x))));
        // One camera frame off anywhere near a wrap (n mod 40 back to 0) would be 40 steps off.
        expect(worst / b, rendition).toBeLessThan(2);
      }
    },
  );

  it('keeps a layout change on its moment after a trim moves it', { timeout: 60_000 }, async () => {
    const minted = await server.mint({ clips: TRIMMED });
    const { download } = downloader(server);
    const { whole } = await download(
      minted.hls.replace(/\/master\.m3u8$/, ''),
      '360p',
      await mkdtemp(join(work, 'trim-')),
    );
    const frames = await smallFrames(whole);
    // Source second 2.5 is output second 1.5: frame 45 is the first with the camera alone.
    expect(pink(at(frames[44]!, 0.95, 0.05))).toBe(false);
    expect(pink(at(frames[45]!, 0.95, 0.05))).toBe(true);
  });

  it('draws it in storyboard tiles and thumbnails, mirrored when asked', { timeout: 60_000 }, async () => {
    const minted = (await server.mint({ clips: TRIMMED })) as unknown as { storyboardJson: string; duration: number };
    const board = (await (await server.fetch(minted.storyboardJson)).json()) as {
      tile_width: number;
      tile_height: number;
      tiles: Array<{ start: number; url: string; x: number; y: number }>;
    };
    const sheet = join(work, 'sheet.jpg');
    const sheetUrl = new URL(board.tiles[0]!.url, `http://origin${minted.storyboardJson}`).pathname;
    await writeFile(sheet, Buffer.from(await (await server.fetch(sheetUrl)).arrayBuffer()));
    const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', sheet, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], {
      encoding: 'buffer',
      maxBuffer: 1 << 26,
    });
    const width = stdout.length / 3 / (10 * board.tile_height);
    const centre = (t: { x: number; y: number }) => {
      const i = ((t.y + board.tile_height / 2) * width + t.x + board.tile_width / 2) * 3;
      return [stdout[i]!, stdout[i + 1]!, stdout[i + 2]!];
    };
    // Output 0 s is source 1 s (the bubble, the screen at the centre); 2 s is source 3 s (the camera alone);
    // 4 s is source 5 s, past the camera's end (the screen).
    expect(board.tiles.map((t) => [t.start, pink(centre(t))])).toEqual([
      [0, false],
      [2, true],
      [4, false],
    ]);

    // The camera alone, mirrored: a thumbnail is the camera's frame flipped (landscape.mp4 as a camera: its
    // frame counter reads backwards).
    const mirrored = (await server.mint({
      clips: [
        {
          source: 'screen.mp4',
          camera: { source: 'landscape.mp4' },
          layouts: [{ at: 0, layout: 'camera', mirror: true }],
        },
      ],
    })) as unknown as { thumbnail: string };
    const thumb = join(work, 'mirrored.jpg');
    const url = mirrored.thumbnail.replace('{w}', '320').replace('{t}', '1');
    await writeFile(thumb, Buffer.from(await (await server.fetch(url)).arrayBuffer()));
    const pixels = async (input: string, filter: string, seek: string[] = []) =>
      (
        await run(
          'ffmpeg',
          [
            '-v',
            'error',
            ...seek,
            '-i',
            input,
            '-frames:v',
            '1',
            '-vf',
            `${filter}scale=320:180,format=gray`,
            '-f',
            'rawvideo',
            '-',
          ],
          { encoding: 'buffer', maxBuffer: 1 << 24 },
        )
      ).stdout;
    const shown = await pixels(thumb, '');
    const source = join(FIXTURES_DIR, 'landscape.mp4');
    const difference = (a: Buffer, b: Buffer) => a.reduce((sum, v, i) => sum + Math.abs(v - b[i]!), 0) / a.length;
    const flipped = difference(shown, await pixels(source, 'hflip,', ['-ss', '1']));
    const unflipped = difference(shown, await pixels(source, '', ['-ss', '1']));
    expect(flipped).toBeLessThan(6);
    expect(unflipped).toBeGreaterThan(3 * flipped);
  });

  it('names a missing camera, one that is not media, and a layout outside its clip', async () => {
    const refused = async (clip: Record<string, unknown>) => {
      const res = await server.fetch('/v1/revisions', {
        method: 'POST',
        api: true,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ clips: [{ source: 'screen.mp4', ...clip }] }),
      });
      const body = (await res.json()) as { error: { code: string; field: string } };
      return [res.status, body.error.code, body.error.field];
    };
    expect(await refused({ camera: { source: 'nope.webm' } })).toEqual([
      422,
      'source_missing',
      'clips[0].camera.source',
    ]);
    expect(await refused({ camera: { source: 'not-media.txt' } })).toEqual([
      422,
      'source_unusable',
      'clips[0].camera.source',
    ]);
    expect(await refused({ end: 3, camera: CAMERA, layouts: [{ at: 3.5, layout: 'split' }] })).toEqual([
      422,
      'invalid_edit',
      'clips[0].layouts[0].at',
    ]);
  });

  it('plays the screen’s sound, the camera’s, or both mixed', { timeout: 60_000 }, async () => {
    const tones = async (audio?: 'camera' | 'both') => {
      const minted = await server.mint({
        clips: [{ source: 'screen.mp4', camera: CAMERA, ...(audio ? { audio } : {}) }],
      });
      const { bytes } = downloader(server);
      const base = minted.hls.replace(/\/master\.m3u8$/, '');
      const file = join(work, `audio-${audio ?? 'screen'}.mp4`);
      await writeFile(file, Buffer.concat([await bytes(`${base}/audio/init.mp4`), await bytes(`${base}/audio/0.m4s`)]));
      const [left] = await decodeAudio(file);
      // 0.8–1.8 s: the camera recorded there.
      const part = left!.subarray(0.8 * 48_000, 1.8 * 48_000);
      return { 440: level(part, 440), 880: level(part, 880) };
    };
    const screen = await tones();
    const camera = await tones('camera');
    const both = await tones('both');
    expect(screen[440]).toBeGreaterThan(10 * screen[880]);
    expect(camera[880]).toBeGreaterThan(10 * camera[440]);
    expect(both[440]).toBeGreaterThan(0.5 * screen[440]);
    expect(both[880]).toBeGreaterThan(0.5 * camera[880]);
  });
});

/** Least-squares line y = a + b·x. */
function fit(xs: number[], ys: number[]): { a: number; b: number } {
  const n = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  const b = xs.reduce((s, x, i) => s + (x - mx) * (ys[i]! - my), 0) / xs.reduce((s, x) => s + (x - mx) ** 2, 0);
  return { a: my - b * mx, b };
}

/** The amplitude of a tone in a signal (a single-bin DFT). */
function level(x: Float32Array, hz: number): number {
  let re = 0;
  let im = 0;
  for (let i = 0; i < x.length; i++) {
    re += x[i]! * Math.cos((2 * Math.PI * hz * i) / 48_000);
    im += x[i]! * Math.sin((2 * Math.PI * hz * i) / 48_000);
  }
  return (2 * Math.hypot(re, im)) / x.length;
}
