import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bestLag, decodeAudio, rmsDb, siSdr } from '../helpers/audio-analysis.js';
import { makeSpeechFixture, SPEECH_LEAD_SECONDS } from '../helpers/audio-fixtures.js';
import { fetchAudioRendition } from '../helpers/audio-rendition.js';
import { startOrigin, type RunningOrigin } from '../helpers/origin-server.js';

/**
 * Noise suppression, measured end to end through HLS on speech under loud pink noise and mains hum,
 * against the clean speech the fixture was made from (left channel; each channel has its own noise).
 */
let media: string;
let server: RunningOrigin;
let speech: Awaited<ReturnType<typeof makeSpeechFixture>>;

beforeAll(async () => {
  media = await mkdtemp(join(tmpdir(), 'avserver-denoise-'));
  speech = await makeSpeechFixture(media);
  server = await startOrigin({ MEDIA_ROOT: media });
}, 120_000);

afterAll(async () => {
  await server?.close();
  if (media) await rm(media, { recursive: true, force: true });
});

const left = async (minted: { hls: string; revisionId: string }) =>
  (
    await decodeAudio((await fetchAudioRendition(server, minted.hls, join(media, `${minted.revisionId}.mp4`))).file)
  )[0]!;

describe('noise suppression', () => {
  it(
    'lowers the noise floor ≥ 30 dB and raises SI-SDR ≥ 8 dB, with no lag and the speech level kept',
    {
      timeout: 120_000,
    },
    async () => {
      const noisy = await left(await server.mint({ clips: [{ source: 'speech-noisy.mp4' }] }));
      const clean = await left(await server.mint({ clips: [{ source: 'speech-noisy.mp4' }], noiseSuppression: true }));
      const reference = speech.clean;
      const lead = SPEECH_LEAD_SECONDS * 48000;
      // The noise floor in the speech-free lead-in (away from its edges).
      const floorDrop = rmsDb(noisy, 4800, lead - 4800) - rmsDb(clean, 4800, lead - 4800);
      // SI-SDR as delivered, sample for sample: a delay would count as a loss.
      const sdrGain = siSdr(reference, clean) - siSdr(reference, noisy);
      const levelChange = rmsDb(clean, lead, reference.length) - rmsDb(reference, lead, reference.length);
      const lag = bestLag(reference, clean, 240, lead, reference.length - 48000);
      expect(floorDrop).toBeGreaterThanOrEqual(30);
      expect(sdrGain).toBeGreaterThanOrEqual(8);
      expect(Math.abs(lag)).toBeLessThanOrEqual(48);
      expect(Math.abs(levelChange)).toBeLessThanOrEqual(3);
    },
  );

  it('keeps audio in sync with the timeline across cuts', { timeout: 120_000 }, async () => {
    const cuts: Array<[number, number]> = [
      [4.5, 5.2],
      [8.1, 9.3],
    ];
    const minted = await server.mint({ clips: [{ source: 'speech-noisy.mp4', cuts }], noiseSuppression: true });
    const output = await left(minted);
    // What the timeline says plays when: the clean speech with the same ranges removed.
    const keep = (t: number) => !cuts.some(([from, to]) => t >= from && t < to);
    const expected = speech.clean.filter((_, i) => keep(i / 48000));
    expect(Math.abs(output.length - expected.length)).toBeLessThan(1024 + 1600);
    // Each stretch between cuts lines up with the speech it should carry, within a millisecond.
    const boundaries = [SPEECH_LEAD_SECONDS, 4.5, 4.5 + (8.1 - 5.2), expected.length / 48000 - 1].map((s) =>
      Math.round(s * 48000),
    );
    for (let k = 0; k + 1 < boundaries.length; k++) {
      expect(
        Math.abs(bestLag(expected, output, 240, boundaries[k]! + 2400, boundaries[k + 1]! - 2400)),
        `stretch ${k}`,
      ).toBeLessThanOrEqual(48);
    }
  });
});
