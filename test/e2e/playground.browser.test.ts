import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeChromium, getBrowser } from '../helpers/browser-launch.js';
import { startOrigin, TEST_TOKEN, type RunningOrigin } from '../helpers/origin-server.js';

/**
 * The playground in Chromium, driven as a person would: enter the API token, pick the speech fixture,
 * trim it to 1–4 s, add a caption, the logo and a drawing, turn noise suppression on, mint, and watch the edit
 * play to the end beside the original, with hls.js and then with Shaka Player (DASH); then open the
 * revision by its id. A screenshot of the page at the end goes to .tmp/playground.png (the README's
 * docs/playground.png is a palette copy of it).
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

      await mkdir(new URL('../../.tmp/', import.meta.url), { recursive: true });
      // The picture without the players' controls, which cover the caption once a video has ended.
      await page.evaluate(() => document.querySelectorAll('video').forEach((v) => (v.controls = false)));
      await page.screenshot({ path: SHOT });
      await page.evaluate(() => document.querySelectorAll('video').forEach((v) => (v.controls = true)));

      await page.locator('#engine').selectOption('dash');
      await page.waitForFunction(() => !(document.getElementById('edited') as HTMLVideoElement).ended);
      const dash = await playedToEnd();
      expect(dash.duration).toBeCloseTo(3, 1);
      expect(await pageErrors()).toEqual([]);
    },
  );

  it('opens a revision by id: its edits fill the form and it plays', { timeout: 60_000 }, async () => {
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
    expect(await pageErrors()).toEqual([]);
  });
});
