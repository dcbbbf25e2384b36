import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeChromium, getBrowser } from '../helpers/browser-launch.js';
import { startOrigin, TEST_TOKEN, type RunningOrigin } from '../helpers/origin-server.js';

/**
 * The playground in Chromium, driven as a person would: enter the API token, pick the speech fixture,
 * trim it to 1–4 s, add a caption, the logo and a drawing, turn noise suppression on, mint, and watch the edit
 * play to the end beside the original, with hls.js and then with Shaka Player (DASH), hovering and clicking
 * the scrub bar under it after each; then open the revision by its id. A screenshot of the page, the
 * storyboard's preview showing, goes to .tmp/playground.png (the README's docs/playground.png is a
 * palette copy of it).
 */
const SHOT = fileURLToPath(new URL('../../.tmp/playground.png', import.meta.url));

let server: RunningOrigin;
let page: Page;

beforeAll(async () => {
  // Prewarm on, as `npm start` runs: the playground's mints start their first segments at once.
  server = await startOrigin({ PLAYGROUND: 'true', PREWARM_ON_MINT: 'true' });
  page = await (await getBrowser()).newPage({ viewport: { width: 1280, height: 900 } });
});

afterAll(async () => {
  await page?.close();
  await closeChromium();
  await server?.close();
});

const text = (selector: string) => page.locator(selector).textContent();
/** The page's own error lines: the status of the last action and the players'. */
const pageErrors = () => page.locator('.error').allTextContents();

/** Waits until the edited video has played to its end; returns its duration and where it stopped. */
async function playedToEnd(): Promise<{ duration: number; currentTime: number }> {
  await page.waitForFunction(() => (document.getElementById('edited') as HTMLVideoElement).ended, null, {
    timeout: 45_000,
  });
  return page.evaluate(() => {
    const v = document.getElementById('edited') as HTMLVideoElement;
    return { duration: v.duration, currentTime: v.currentTime };
  });
}

interface Storyboard {
  tile_width: number;
  tile_height: number;
  tiles: Array<{ start: number; end: number; url: string; x: number; y: number }>;
}

/**
 * Hovers the edited video's scrub bar at `fraction` of its width: the preview shows that time and the
 * tile the revision's storyboard JSON names for it (its sheet at the tile's place and size, and the
 * sheet loads); a click there seeks the video to that time. Returns the sheet's URL.
 */
async function scrubAt(fraction: number): Promise<string> {
  const { storyboardJson } = JSON.parse((await text('#revision-json'))!) as { storyboardJson: string };
  const jsonUrl = new URL(storyboardJson, server.baseUrl).href;
  const board = (await (await fetch(jsonUrl)).json()) as Storyboard;
  const duration = await page.evaluate(() => (document.getElementById('edited') as HTMLVideoElement).duration);
  const t = fraction * duration;

  const bar = page.locator('#edited-scrub input');
  const box = (await bar.boundingBox())!;
  const [x, y] = [box.x + box.width * fraction, box.y + box.height / 2];
  const preview = page.locator('#edited-scrub .preview');
  // Moved onto the spot until the preview shows (the storyboard's JSON may still be on its way).
  await expect
    .poll(
      async () => {
        await page.mouse.move(x - 1, y);
        await page.mouse.move(x, y);
        return preview.isVisible();
      },
      { timeout: 10_000 },
    )
    .toBe(true);
  // m:ss.s; the thumb's half-width at the ends moves the time under the pointer by a few hundredths.
  const shown = (await preview.locator('span').textContent())!.split(':').reduce((s, part) => s * 60 + Number(part), 0);
  expect(Math.abs(shown - t), `the preview says ${shown} s at ${t} s`).toBeLessThan(0.1);

  const cue = board.tiles.find((tile) => t >= tile.start && t < tile.end)!;
  const sheet = new URL(cue.url, jsonUrl).href;
  const tile = await preview.locator('.tile').evaluate((el) => {
    const style = getComputedStyle(el);
    return { image: style.backgroundImage, position: style.backgroundPosition, w: style.width, h: style.height };
  });
  expect(tile).toEqual({
    image: `url("${sheet}")`,
    position: `${-cue.x}px ${-cue.y}px`,
    w: `${board.tile_width}px`,
    h: `${board.tile_height}px`,
  });
  const res = await fetch(sheet);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('image/jpeg');

  await page.mouse.click(x, y);
  await page.waitForFunction(() => {
    const v = document.getElementById('edited') as HTMLVideoElement;
    return !v.seeking && v.readyState >= 2;
  });
  const at = await page.evaluate(() => (document.getElementById('edited') as HTMLVideoElement).currentTime);
  expect(Math.abs(at - shown), `the click seeked to ${at} s, the preview said ${shown} s`).toBeLessThan(0.1);
  expect(await bar.getAttribute('aria-valuetext')).toMatch(/^\d+:\d\d\.\d of \d+:\d\d\.\d$/);
  return sheet;
}

describe('the playground page', () => {
  it(
    'picks a source, trims it, adds text, mints, and plays the edit to the end (HLS, then DASH)',
    { timeout: 120_000 },
    async () => {
      await page.goto(`${server.baseUrl}/`);
      await page.locator('#token').fill(TEST_TOKEN);
      await page.locator('#token').blur();

      // Only recordings are offered as sources: a chunked recording's chunks are not.
      await page.locator('input[data-key="speech.mp4"]').check();
      expect(await page.locator('input[data-key="hls/chunk-000.ts"]').count()).toBe(0);
      // The timeline appears once the source's duration is known (its original revision was minted).
      await page.locator('input[data-field="start"]').fill('1');
      await page.locator('input[data-field="end"]').fill('4');
      await page.locator('#caption-on').check();
      await page.locator('#caption-text').fill('Can you hear me?');
      await page.locator('#logo-on').check();
      await page.locator('#logo-source').selectOption('brand/logo.png');
      // A stroke across the drawing pad, as a mouse draws it.
      const pad = (await page.locator('#pad').boundingBox())!;
      await page.mouse.move(pad.x + pad.width * 0.1, pad.y + pad.height * 0.5);
      await page.mouse.down();
      for (const f of [0.3, 0.5, 0.7, 0.9])
        await page.mouse.move(pad.x + pad.width * f, pad.y + pad.height * (1.1 - f));
      await page.mouse.up();
      await page.locator('#noise').check();
      await page.locator('#mint').click();

      await expect.poll(() => text('#edited-id'), { timeout: 20_000 }).toMatch(/^[A-Za-z0-9_-]{22}$/);
      const id = (await text('#edited-id'))!;
      expect(await text('#status')).toBe(`Revision ${id}, 3 s`);
      expect(new URL(page.url()).searchParams.get('revision')).toBe(id);
      expect(await text('#original-id')).not.toBe(id);
      // The revision's poster shows until it plays.
      const poster = await page.evaluate(() => (document.getElementById('edited') as HTMLVideoElement).poster);
      expect(poster).toBe(`${server.baseUrl}/play/${id}/poster.jpg`);
      expect((await fetch(poster)).headers.get('content-type')).toBe('image/jpeg');

      const hls = await playedToEnd();
      expect(hls.duration).toBeCloseTo(3, 1);
      expect(hls.currentTime).toBeCloseTo(3, 1);
      expect(await pageErrors()).toEqual([]);

      // What the page shows is what the origin stored, and the curl line mints the same body.
      const record = JSON.parse((await text('#revision-json'))!);
      expect(record.id).toBe(id);
      expect(record.edits).toMatchObject({
        clips: [{ source: 'speech.mp4', start: 1, end: 4 }],
        noiseSuppression: true,
        overlays: [
          { kind: 'text', text: 'Can you hear me?' },
          { kind: 'image', source: 'brand/logo.png' },
          { kind: 'drawing', strokes: [{ color: '#ff3b30' }] },
        ],
      });
      const curl = (await text('#curl'))!;
      // The stroke went left to right, upwards, as drawn: points are fractions of the picture.
      const points = record.edits.overlays[2].strokes[0].points as Array<[number, number]>;
      expect(points.length).toBeGreaterThanOrEqual(4);
      expect(points.at(-1)![0]).toBeGreaterThan(points[0]![0]);
      expect(points.at(-1)![1]).toBeLessThan(points[0]![1]);
      expect(curl).toContain(`${server.baseUrl}/v1/revisions`);
      expect(curl).toContain('Authorization: Bearer $AVSERVER_API_TOKEN');
      const body = JSON.parse(/-d '(.*)'$/s.exec(curl)![1]!);
      expect((await server.mint(body)).revisionId).toBe(id);

      // The scrub bar previews the storyboard: at 2.4 s, the second tile of the 2 s tiles.
      const sheet = await scrubAt(0.8);
      expect(sheet).toBe(`${server.baseUrl}/play/${id}/storyboard/0.jpg`);

      await mkdir(new URL('../../.tmp/', import.meta.url), { recursive: true });
      // The picture without the players' controls, which cover the caption once a video has ended.
      await page.evaluate(() => document.querySelectorAll('video').forEach((v) => (v.controls = false)));
      await page.screenshot({ path: SHOT });
      await page.evaluate(() => document.querySelectorAll('video').forEach((v) => (v.controls = true)));

      await page.locator('#engine').selectOption('dash');
      await page.waitForFunction(() => !(document.getElementById('edited') as HTMLVideoElement).ended);
      const dash = await playedToEnd();
      expect(dash.duration).toBeCloseTo(3, 1);
      // The same preview over Shaka Player: it depends on the revision alone.
      expect(await scrubAt(0.8)).toBe(sheet);
      expect(await pageErrors()).toEqual([]);
    },
  );

  it('opens a revision by id: its edits fill the form and it plays', { timeout: 90_000 }, async () => {
    const minted = await server.mint({
      clips: [{ source: 'landscape.mp4', start: 0.5, end: 2.5, cuts: [[1, 1.5]] }],
      overlays: [{ kind: 'text', text: 'opened by id', x: 0.1, y: 0.1, size: 0.08 }],
    });
    await page.goto(`${server.baseUrl}/?revision=${minted.revisionId}`);
    await expect.poll(() => text('#edited-id'), { timeout: 20_000 }).toBe(minted.revisionId);
    expect(await page.locator('input[data-field="start"]').inputValue()).toBe('0.5');
    expect(await page.locator('input[data-field="from"]').inputValue()).toBe('1');
    expect(await page.locator('#caption-text').inputValue()).toBe('opened by id');
    expect(await page.locator('input[data-key="landscape.mp4"]').isChecked()).toBe(true);
    const played = await playedToEnd();
    expect(played.duration).toBeCloseTo(minted.duration, 1);
    expect(await scrubAt(0.5)).toBe(`${server.baseUrl}/play/${minted.revisionId}/storyboard/0.jpg`);
    expect(await pageErrors()).toEqual([]);

    // Another revision opened in the same page: the scrub bar previews its storyboard, not the last one's.
    const other = await server.mint({ clips: [{ source: 'landscape.mp4', end: 1 }] });
    await page.locator('#open-id').fill(other.revisionId);
    await page.locator('#open button').click();
    await expect.poll(() => text('#edited-id'), { timeout: 20_000 }).toBe(other.revisionId);
    await page.waitForFunction(
      (duration) => Math.abs((document.getElementById('edited') as HTMLVideoElement).duration - duration) < 0.1,
      other.duration,
    );
    expect(await scrubAt(0.5)).toBe(`${server.baseUrl}/play/${other.revisionId}/storyboard/0.jpg`);
    expect(await pageErrors()).toEqual([]);
  });
});
