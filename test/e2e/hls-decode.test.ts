import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSeamlessHls } from '../helpers/decode-checks.js';
import { downloader, parsePlaylist } from '../helpers/hls-download.js';
import { startOrigin, type RunningOrigin } from '../helpers/origin-server.js';

/**
 * End to end, for every fixture: mint → master → every rendition's playlist, init and segments →
 * concatenate and decode. Short segments (SEGMENT_DURATION=1) put several joins in seconds-long media; the
 * production grid (a ramp of 2.13 s start-up segments) is decoded the same way in composition.test.ts.
 */
const FIXTURES: Array<{
  file: string;
  fps: number;
  audio: boolean;
  top: [number, number];
}> = [
  { file: 'landscape.mp4', fps: 30, audio: true, top: [1280, 720] },
  { file: 'recorder.webm', fps: 30, audio: true, top: [640, 480] },
  { file: 'portrait.mp4', fps: 30, audio: true, top: [360, 640] },
  { file: 'portrait-rotated.mp4', fps: 25, audio: true, top: [360, 640] },
  { file: 'silent.mp4', fps: 25, audio: false, top: [640, 360] },
  { file: 'odd.mp4', fps: 24, audio: true, top: [638, 360] },
];

let server: RunningOrigin;
let work: string;

beforeAll(async () => {
  server = await startOrigin({ SEGMENT_DURATION: '1' });
  work = await mkdtemp(join(tmpdir(), 'avserver-e2e-'));
});

afterAll(async () => {
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe.each(FIXTURES)('$file', ({ file, fps, audio, top }) => {
  it('plays as HLS whose segments join exactly', { timeout: 120_000 }, async () => {
    const minted = await server.mint({ clips: [{ source: file }] });
    const master = parsePlaylist(await downloader(server).text(minted.hls));
    const dir = await mkdtemp(join(work, file));

    expect(master.playlists!.length).toBeGreaterThanOrEqual(1);
    const audioUri = master.mediaGroups?.AUDIO?.audio?.Main?.uri;
    expect(audioUri !== undefined).toBe(audio);
    expect(
      [...master.playlists!]
        .map((p) => p.attributes.RESOLUTION)
        .some((r) => r!.width === top[0] && r!.height === top[1]),
    ).toBe(true);

    await expectSeamlessHls(server, minted, { fps, audio, dir });
  });
});
