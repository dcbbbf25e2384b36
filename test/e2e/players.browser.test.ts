import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeBrowser, originErrors, playDash, playHls } from '../helpers/browser-player.js';
import { parsePlaylist as parse } from '../helpers/hls-download.js';
import type { Clips, Overlays } from '../helpers/origin-client.js';
import { startOrigin, type RunningOrigin } from '../helpers/origin-server.js';

/**
 * hls.js in headless Chromium. Two questions, asked apart:
 * - do segments of different renditions join in one media buffer? The player is forced to switch
 *   every second, with a 1 s forward buffer so each switch lands on segments it has not fetched;
 *   the origin makes every segment first, so the browser's own CPU use on this 2-core machine
 *   cannot turn a media test into a race;
 * - does the JIT origin keep ahead of a player starting cold? A never-requested revision plays with
 *   hls.js defaults to the end.
 * Both: no hls.js error, no stall.
 */
let server: RunningOrigin;

beforeAll(async () => {
  // 1 s segments: the few-second fixtures have several boundaries to switch at.
  server = await startOrigin({ SEGMENT_DURATION: '1' });
});

afterAll(async () => {
  await closeBrowser();
  await server?.close();
});

/** Requests every playlist, init and segment of a revision through the origin. */
async function makeEverything(hls: string): Promise<void> {
  const base = hls.replace(/\/master\.m3u8$/, '');
  const master = parse(await (await server.fetch(hls)).text());
  const ids = [
    ...master.playlists!.map((p) => p.uri.replace('.m3u8', '')),
    ...(master.mediaGroups?.AUDIO ? ['audio'] : []),
  ];
  for (const id of ids) {
    const playlist = parse(await (await server.fetch(`${base}/${id}.m3u8`)).text());
    for (const path of [`${id}/init.mp4`, ...playlist.segments.map((s) => s.uri)]) {
      const res = await server.fetch(`${base}/${path}`);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
  }
}

/** An intro, then a screen recording with its camera (another codec, size and rate), its layout changing. */
const COMPOSED: Clips = [
  { source: 'landscape.mp4', end: 1 },
  {
    source: 'screen.mp4',
    start: 0.5,
    end: 2.5,
    camera: { source: 'camera.webm', offset: -0.5 },
    layouts: [
      { at: 0.5, layout: 'bubble' },
      { at: 1.5, layout: 'split' },
    ],
  },
];
const STITCHED: Clips = [
  { source: 'portrait.mp4' },
  { source: 'silent.mp4', end: 2 },
  { source: 'odd.mp4', start: 0.5 },
];
/** A caption, a logo and a drawing, each over part of the fixtures' first 4 s. */
const OVERLAYS: Overlays = [
  { kind: 'text', text: 'Quarterly review', x: 0.05, y: 0.8, size: 0.06, background: '#000000b3', start: 0.5, end: 3 },
  { kind: 'image', source: 'brand/logo.png', x: 0.7, y: 0.05, width: 0.25, start: 1 },
  {
    kind: 'drawing',
    strokes: [
      {
        points: [
          [0.1, 0.5],
          [0.6, 0.5],
          [0.6, 0.7],
        ],
        color: '#00ff00',
        width: 0.02,
      },
    ],
    start: 1.5,
    end: 3.5,
  },
];

describe('hls.js in Chromium', () => {
  it.each([
    [
      'a stitched revision with a composed clip (a camera bubble, then split, over a screen recording)',
      { clips: COMPOSED },
    ],
    ['recorder.webm', { clips: [{ source: 'recorder.webm' }] }],
    ['a stitched revision (intro, silent clip, outro of other sizes and rates)', { clips: STITCHED }],
    [
      'landscape.mp4 with a caption, a logo and a drawing',
      { clips: [{ source: 'landscape.mp4' }], overlays: OVERLAYS },
    ],
  ])('plays %s to the end while switching renditions every second', { timeout: 90_000 }, async (_name, edits) => {
    const minted = await server.mint(edits);
    await makeEverything(minted.hls);
    const hlsConfig = { maxBufferLength: 1, maxMaxBufferLength: 1 };
    const result = await playHls(`${server.baseUrl}${minted.hls}`, {
      switchEveryMs: 1000,
      timeoutMs: 60_000,
      hlsConfig,
    });
    expect(originErrors(result.errors), result.log.join('\n')).toEqual([]);
    expect(result.stalls, result.log.join('\n')).toBe(0);
    expect(result.ended).toBe(true);
    expect(result.duration).toBeCloseTo(minted.duration, 1);
    expect(result.levelsPlayed.length).toBeGreaterThanOrEqual(2);
  });

  /**
   * A player started on a revision nobody has requested yet, with its default settings: Shaka Player on
   * a stitched revision whose second clip is composed from a screen and a camera. hls.js and Shaka on a
   * cold revision with overlays are the playground's test (e2e/playground.browser), hls.js switching on
   * a cold one e2e/cold-player.browser's.
   */
  it.each([
    [
      'Shaka Player plays the DASH manifest',
      COMPOSED,
      (o: string, m: { dash: string }) => playDash(o + m.dash, { timeoutMs: 60_000 }),
    ],
  ] as const)(
    '%s of a cold stitched revision with a composed clip to the end',
    { timeout: 90_000 },
    async (_name, clips, play) => {
      const cold = await startOrigin();
      try {
        const minted = await cold.mint({ clips });
        const result = await play(cold.baseUrl, minted);
        expect(result.errors, result.log.join('\n')).toEqual([]);
        expect(result.stalls, result.log.join('\n')).toBe(0);
        expect(result.ended).toBe(true);
        expect(result.duration).toBeCloseTo(minted.duration, 1);
      } finally {
        await cold.close();
      }
    },
  );
});
