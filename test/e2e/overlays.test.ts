import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, link, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSeamlessHls } from '../helpers/decode-checks.js';
import { downloader, parsePlaylist } from '../helpers/hls-download.js';
import type { Overlays } from '../helpers/origin-client.js';
import { FIXTURES, startOrigin, type RunningOrigin } from '../helpers/origin-server.js';
import { boundingBox, colourAt, compare, differenceMask, overlap, rgbFrames, type Box } from '../helpers/rgb-frames.js';

const run = promisify(execFile);

/**
 * Overlays, decoded: every rendition of a revision with a caption, a logo and a drawing is compared
 * frame by frame with the same edits minted without them (the fixture is 1280×720 at 30 fps, 4 s, of
 * colour bars; SEGMENT_DURATION=1 gives segments of 32 frames, so segment 0 has no overlay at all). Boxes are the
 * overlays' places in fractions of
 * the canvas, a little wider than what they draw (padding, anti-aliasing, round caps).
 */
const FPS = 30;
const CLIP = { source: 'landscape.mp4' };
const CAPTION = 'Quarterly review';
const OVERLAYS: Overlays = [
  {
    kind: 'text',
    text: CAPTION,
    x: 0.05,
    y: 0.72,
    size: 0.08,
    color: '#ffffff',
    background: '#000000',
    start: 1.5,
    end: 3.5,
  },
  // 240×120: opaque magenta, a transparent stripe at columns 100–139, half transparent from row 100.
  { kind: 'image', source: 'brand/logo.png', x: 0.62, y: 0.08, width: 0.3, start: 2 },
  {
    kind: 'drawing',
    strokes: [
      {
        points: [
          [0.1, 0.4],
          [0.5, 0.4],
          [0.5, 0.55],
        ],
        color: '#00ff00',
        width: 0.03,
      },
    ],
    start: 1.1,
    end: 3,
  },
];
/** Per overlay: the output frames it is on, where it certainly draws, and a box around all it may touch. */
const EXPECTED: Array<{ first: number; end: number; core: Box; around: Box }> = [
  { first: 45, end: 105, core: [0.05, 0.72, 0.3, 0.8], around: [0.03, 0.69, 0.62, 0.86] },
  { first: 60, end: 120, core: [0.62, 0.08, 0.72, 0.2], around: [0.61, 0.07, 0.93, 0.36] },
  { first: 33, end: 90, core: [0.12, 0.39, 0.48, 0.41], around: [0.08, 0.37, 0.52, 0.58] },
];
const AROUND = EXPECTED.map((e) => e.around);
/** Each overlay's first and last frame and the frames either side, and one frame with nothing. */
const FRAMES = [0, 31, 32, 33, 44, 45, 59, 60, 75, 89, 90, 104, 105, 119];
/** Logo pixel (column, row) → canvas fractions (the logo is 0.3 of the width, so 0.2667 of the height). */
const onLogo = (column: number, row: number): [number, number] => [
  0.62 + (column / 240) * 0.3,
  0.08 + (row / 120) * (0.3 * (1280 / 720) * 0.5),
];

/**
 * Where no overlay is drawn the two encodes differ only by codec noise: measured (ffmpeg 5.1, x264) at
 * 34.8 dB or more, over boxes and whole frames, at every rendition. Where one is drawn they differ by a
 * mean of 51 or more per sample (PSNR under 10 dB).
 */
const SAME_PSNR = 30;
const DIFFERENT_MAD = 20;

let server: RunningOrigin;
let work: string;
type Rendition = { id: string; width: number; height: number; file: string; segments: string[] };
let withOverlays: Rendition[];
let without: Map<string, Rendition>;

/** A revision's renditions (those `pick` keeps, by height), downloaded; with `check`, decoded as seamless HLS first. */
async function renditions(
  minted: { hls: string; duration: number },
  dir: string,
  check: boolean,
  pick: (heights: number[]) => number[] = (h) => h,
): Promise<Rendition[]> {
  await mkdir(dir, { recursive: true });
  const { text, download } = downloader(server);
  const base = minted.hls.replace(/\/master\.m3u8$/, '');
  if (check) await expectSeamlessHls(server, minted, { fps: FPS, audio: true, dir });
  const variants = parsePlaylist(await text(minted.hls)).playlists!;
  const kept = pick(variants.map((v) => v.attributes.RESOLUTION!.height));
  return Promise.all(
    variants
      .filter((v) => kept.includes(v.attributes.RESOLUTION!.height))
      .map(async (variant) => {
        const id = variant.uri.replace(/\.m3u8$/, '');
        const { whole, playlist } = await download(base, id, dir);
        return {
          id,
          ...variant.attributes.RESOLUTION!,
          file: whole,
          segments: playlist.segments.map((s) => `${base}/${s.uri}`),
        };
      }),
  );
}

const frames = (
  r: Rendition,
  indexes: readonly number[] | 'all' = FRAMES,
  filter?: string,
  size = { width: r.width, height: r.height },
) => rgbFrames(r.file, indexes, size, filter);

async function ocr(file: string, frame: number, box: Box, dir: string): Promise<string> {
  const [l, t, r, b] = box;
  const png = join(dir, `ocr-${frame}-${Math.random().toString(36).slice(2)}.png`);
  await run('ffmpeg', [
    '-v',
    'error',
    '-i',
    file,
    '-vf',
    `select='eq(n\\,${frame})',crop=iw*${r - l}:ih*${b - t}:iw*${l}:ih*${t}`,
    '-frames:v',
    '1',
    png,
  ]);
  const { stdout } = await run('tesseract', [png, '-', '--psm', '6'], {
    env: { ...process.env, OMP_THREAD_LIMIT: '1' },
  });
  return stdout.replace(/\s+/g, ' ').trim();
}

beforeAll(async () => {
  server = await startOrigin({ SEGMENT_DURATION: '1' });
  work = await mkdtemp(join(tmpdir(), 'avserver-overlays-'));
  const plain = await server.mint({ clips: [CLIP] });
  const minted = await server.mint({ clips: [CLIP], overlays: OVERLAYS });
  without = new Map((await renditions(plain, join(work, 'plain'), false)).map((r) => [r.id, r]));
  withOverlays = await renditions(minted, join(work, 'overlays'), true);
}, 180_000);

afterAll(async () => {
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('a caption, a logo and a drawing', () => {
  it('is in every rendition, and the revision still decodes as seamless HLS', () => {
    expect(withOverlays.map((r) => r.height).sort((a, b) => a - b)).toEqual(
      [...without.values()].map((r) => r.height).sort((a, b) => a - b),
    );
    expect(withOverlays.length).toBeGreaterThanOrEqual(2);
  });

  it('makes a segment with no overlay in its time exactly as without overlays', async () => {
    const { bytes } = downloader(server);
    for (const r of withOverlays) {
      const plain = without.get(r.id)!;
      expect((await bytes(r.segments[0]!)).equals(await bytes(plain.segments[0]!)), r.id).toBe(true);
      expect((await bytes(r.segments[1]!)).equals(await bytes(plain.segments[1]!)), r.id).toBe(false);
    }
  });

  it('draws each overlay in its box on exactly its frames, and nothing elsewhere', { timeout: 60_000 }, async () => {
    for (const r of withOverlays) {
      const [a, b] = await Promise.all([frames(r), frames(without.get(r.id)!)]);
      for (const n of FRAMES) {
        const at = `${r.id} frame ${n}`;
        for (const [i, e] of EXPECTED.entries()) {
          const inBox = compare(a.get(n)!, b.get(n)!, { within: e.core });
          if (n >= e.first && n < e.end) expect(inBox.mad, `${at}: overlay ${i} drawn`).toBeGreaterThan(DIFFERENT_MAD);
          else expect(inBox.psnr, `${at}: overlay ${i} not drawn`).toBeGreaterThan(SAME_PSNR);
        }
        expect(compare(a.get(n)!, b.get(n)!, { outside: AROUND }).psnr, `${at}: outside the overlays`).toBeGreaterThan(
          SAME_PSNR,
        );
      }
    }
  });

  it('shows an opaque image and stroke in their colours, and the video through transparent pixels', async () => {
    for (const r of withOverlays) {
      const [a, b] = await Promise.all([frames(r, [75]), frames(without.get(r.id)!, [75])]);
      const shown = a.get(75)!;
      const plain = b.get(75)!;
      const near = (actual: number[], expected: number[], tolerance: number, what: string) => {
        for (let c = 0; c < 3; c++)
          expect(
            Math.abs(actual[c]! - expected[c]!),
            `${r.id} ${what}: ${actual.map(Math.round)} vs ${expected}`,
          ).toBeLessThan(tolerance);
      };
      // Over the blue bar, so magenta is the logo's.
      near(colourAt(shown, ...onLogo(20, 50)), [255, 0, 255], 30, 'opaque logo');
      near(colourAt(shown, 0.3, 0.4), [0, 255, 0], 30, 'stroke');
      near(colourAt(shown, ...onLogo(120, 50)), colourAt(plain, ...onLogo(120, 50)), 20, 'transparent stripe');
      const half = colourAt(plain, ...onLogo(20, 112)).map((c, i) => (c + [255, 0, 255][i]!) / 2);
      near(colourAt(shown, ...onLogo(20, 112)), half, 30, 'half-transparent band');
    }
  });

  it(
    'looks the same in every rendition: what it changes, scaled to the smallest, is the same',
    {
      timeout: 60_000,
    },
    async () => {
      // Each rendition and its plain twin scaled to the smallest size; the pixels the overlays change
      // must be the same ones (geometry in pixels rather than fractions would move and resize them).
      const smallest = withOverlays.reduce((s, r) => (r.height < s.height ? r : s));
      const size = { width: smallest.width, height: smallest.height };
      const scaled = async (r: Rendition) =>
        (await frames(r, [75], `scale=${size.width}:${size.height}:flags=area`, size)).get(75)!;
      const changed = async (r: Rendition) => differenceMask(await scaled(r), await scaled(without.get(r.id)!), 48);
      const reference = await changed(smallest);
      for (const r of withOverlays) {
        if (r !== smallest) expect(overlap(await changed(r), reference), r.id).toBeGreaterThan(0.8);
      }
    },
  );

  it('has a caption OCR reads at 720p', async () => {
    const top = withOverlays.find((r) => r.height === 720)!;
    expect(await ocr(top.file, 75, EXPECTED[0]!.around, work)).toContain(CAPTION);
  });
});

describe('text drawn literally', () => {
  // Each string, with a word OCR must find in it: nothing in it may reach a filter graph, a shell or the SVG.
  const HOSTILE: Array<[string, string]> = [
    ['quotes\' and "colons": a\\b', 'colons'],
    ['%{localtime} %{pts} %{eif\\:1\\:d}', 'localtime'],
    ["',drawtext=textfile=/etc/passwd:x=0", 'passwd'],
    ['[in]drawbox=0:0:99:99:red@1:t=fill[out];', 'drawbox'],
    ['first line\nsecond line', 'second'],
    ['$(touch /tmp/avserver-pwned) `touch /tmp/avserver-pwned`', 'touch'],
    ['</text><image href="file:///etc/passwd"/><text>', 'image'],
    ['Ωmega Жук \u0007bell \u202Eright', 'bell'],
  ];

  /**
   * All of them in one revision, one below the other (a row of 0.12 of the height each), each judged in its
   * row: its box where x and y say, the words OCR reads, and the rest of the frame the plain video.
   */
  it('draws each string in its row, as written', { timeout: 60_000 }, async () => {
    const size = 0.045;
    const rowY = (i: number) => 0.02 + 0.12 * i;
    const plainRevision = await server.mint({ clips: [{ ...CLIP, end: 1 }] });
    const [p] = await renditions(plainRevision, join(work, 'hostile-plain'), false, () => [720]);
    const plain = (await frames(p!, [15])).get(15)!;
    const minted = await server.mint({
      clips: [{ ...CLIP, end: 1 }],
      overlays: HOSTILE.map(([text], i) => ({ kind: 'text', text, x: 0.05, y: rowY(i), size, background: '#000000' })),
    });
    const dir = join(work, 'hostile');
    const [r] = await renditions(minted, dir, false, () => [720]);
    const shown = (await frames(r!, [15])).get(15)!;
    const changed = differenceMask(shown, plain, 48);
    const boxes: Box[] = [];
    for (const [i, [text, word]] of HOSTILE.entries()) {
      // The text's box (from its background) starts where x and y say, less the padding.
      const row = changed.map((v, k) => {
        const y = Math.floor(k / shown.width) / shown.height;
        return y >= rowY(i) - 0.2 * size - 0.005 && y < rowY(i + 1) - 0.2 * size - 0.005 ? v : 0;
      });
      const box = boundingBox(row, shown.width)!;
      expect(box[0], text).toBeCloseTo(0.05 - 0.2 * size * (9 / 16), 2);
      expect(box[1], text).toBeCloseTo(rowY(i) - 0.2 * size, 2);
      expect(await ocr(r!.file, 15, box, dir), text).toContain(word);
      boxes.push(box);
    }
    expect(compare(shown, plain, { outside: boxes }).psnr).toBeGreaterThan(SAME_PSNR);
    expect(existsSync('/tmp/avserver-pwned')).toBe(false);
  });
});

describe('output time across edits', () => {
  it('shows an overlay over a cut and a clip boundary on exactly its output frames', { timeout: 60_000 }, async () => {
    // 0–1 s and 2–3 s of the landscape clip, then the portrait one (pillarboxed): cuts at 1 s and 2 s.
    const bar: Overlays[number] = {
      kind: 'drawing',
      strokes: [
        {
          points: [
            [0, 0.5],
            [1, 0.5],
          ],
          color: '#00ff00',
          width: 0.1,
        },
      ],
      start: 0.5,
      end: 2.5,
    };
    const minted = await server.mint({
      clips: [{ source: 'landscape.mp4', end: 3, cuts: [[1, 2]] }, { source: 'portrait.mp4' }],
      overlays: [bar],
    });
    expect(minted.duration).toBeCloseTo(5, 2);
    const [r] = await renditions(minted, join(work, 'stitched'), false, (heights) => [Math.min(...heights)]);
    const tiny = await frames(r!, 'all', 'scale=64:36:flags=area', { width: 64, height: 36 });
    const all = [...tiny.keys()];
    expect(all.length).toBe(5 * FPS);
    const green = all.filter((n) => {
      const [red, g, blue] = colourAt(tiny.get(n)!, 0.5, 0.5, 0);
      return g > 200 && red < 60 && blue < 60;
    });
    expect(green).toEqual(all.slice(15, 75));
  });
});

describe('an image replaced after mint', () => {
  it('is a 409 source_changed, not a segment showing the new picture', { timeout: 60_000 }, async () => {
    const root = join(work, 'media');
    await mkdir(join(root, 'brand'), { recursive: true });
    await link(join(FIXTURES, 'landscape.mp4'), join(root, 'landscape.mp4'));
    await copyFile(join(FIXTURES, 'brand/logo.png'), join(root, 'brand/logo.png'));
    const origin = await startOrigin({ MEDIA_ROOT: root, SEGMENT_DURATION: '1' });
    try {
      const minted = await origin.mint({
        clips: [CLIP],
        overlays: [{ kind: 'image', source: 'brand/logo.png', x: 0, y: 0, width: 0.2 }],
      });
      await copyFile(join(FIXTURES, 'brand/logo.webp'), join(root, 'brand/logo.png'));
      const base = minted.hls.replace(/\/master\.m3u8$/, '');
      const variant = parsePlaylist(await (await origin.fetch(minted.hls)).text()).playlists![0]!.uri;
      const segment = parsePlaylist(await (await origin.fetch(`${base}/${variant}`)).text()).segments[0]!.uri;
      const res = await origin.fetch(`${base}/${segment}`);
      expect(res.status).toBe(409);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('source_changed');
    } finally {
      await origin.close();
    }
  });
});
