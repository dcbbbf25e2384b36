import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSeamlessHls } from '../helpers/decode-checks.js';
import { downloader, parsePlaylist } from '../helpers/hls-download.js';
import { startOrigin, type RunningOrigin } from '../helpers/origin-server.js';

/**
 * End to end, for every fixture: mint → master → every rendition's playlist, init and segments →
 * concatenate and decode. Short segments (SEGMENT_DURATION=1) put several joins in seconds-long media.
 */
const FIXTURES: Array<{
  file: string;
  fps: number;
  audio: boolean;
  top: [number, number];
  segments?: 'default' | '1 s';
}> = [
  { file: 'landscape.mp4', fps: 30, audio: true, top: [1280, 720] },
  // The production grid: a ramp of short start-up segments, then the target duration.
  { file: 'landscape.mp4', fps: 30, audio: true, top: [1280, 720], segments: 'default' },
  { file: 'recorder.webm', fps: 30, audio: true, top: [640, 480] },
  { file: 'portrait.mp4', fps: 30, audio: true, top: [360, 640] },
  { file: 'portrait-rotated.mp4', fps: 25, audio: true, top: [360, 640] },
  { file: 'silent.mp4', fps: 25, audio: false, top: [640, 360] },
  { file: 'odd.mp4', fps: 24, audio: true, top: [638, 360] },
];

let server: RunningOrigin;
let shortSegments: RunningOrigin;
let defaultSegments: RunningOrigin;
let work: string;

beforeAll(async () => {
  shortSegments = await startOrigin({ SEGMENT_DURATION: '1' });
  defaultSegments = await startOrigin();
  work = await mkdtemp(join(tmpdir(), 'avserver-e2e-'));
});

afterAll(async () => {
  await shortSegments?.close();
  await defaultSegments?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe.each(FIXTURES)('$file, $segments segments', ({ file, fps, audio, top, segments }) => {
  it('plays as HLS whose segments join exactly', { timeout: 120_000 }, async () => {
    server = segments === 'default' ? defaultSegments : shortSegments;
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
