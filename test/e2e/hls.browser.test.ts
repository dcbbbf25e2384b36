import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeBrowser, playHls } from '../helpers/browser-player.js';
import { startOrigin, type RunningOrigin } from '../helpers/origin-server.js';

/**
 * hls.js in headless Chromium plays a fixture's master playlist to the end — with no hls.js error and
 * no stall — while it is made to switch renditions every second, so segments of several renditions
 * are joined in one media buffer.
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

describe('hls.js in Chromium', () => {
  it.each(['landscape.mp4', 'recorder.webm'])('plays %s to the end while switching renditions', { timeout: 90_000 }, async (file) => {
    const minted = await server.mint({ clips: [{ source: file }] });
    // A short forward buffer, or hls.js fetches a few-second clip whole before the first switch.
    const hlsConfig = { maxBufferLength: 1, maxMaxBufferLength: 1 };
    const result = await playHls(`${server.baseUrl}${minted.hls}`, { switchEveryMs: 1000, timeoutMs: 60_000, hlsConfig });
    // A forced switch makes hls.js cancel its own in-flight load and report it as the non-fatal
    // `networkError/aborted`; that one is ours, not the origin's. Every other error counts.
    const errors = result.errors.filter((e) => e !== 'networkError/aborted');
    expect(errors, result.log.join('\n')).toEqual([]);
    expect(result.stalls).toBe(0);
    expect(result.ended).toBe(true);
    expect(result.duration).toBeCloseTo(minted.duration, 1);
    expect(result.levelsPlayed.length).toBeGreaterThanOrEqual(2);
  });
});
