import { describe, expect, it } from 'vitest';
import { h264Level, avcCodecString, levelName } from './h264.js';
import { planLadder } from './ladder.js';

const sizes = (w: number, h: number, fps = 30) => planLadder(w, h, fps).map((r) => `${r.id}:${r.width}x${r.height}`);

describe('planLadder', () => {
  it.each([
    [1920, 1080, ['1080p:1920x1080', '720p:1280x720', '480p:854x480', '360p:640x360']],
    [3840, 2160, ['2160p:3840x2160', '1440p:2560x1440', '1080p:1920x1080', '720p:1280x720']],
    [1280, 720, ['720p:1280x720', '480p:854x480', '360p:640x360', '240p:426x240']],
    [640, 480, ['480p:640x480', '360p:480x360', '240p:320x240']],
    // Portrait ladders on the short side.
    [1080, 1920, ['1080p:1080x1920', '720p:720x1280', '480p:480x854', '360p:360x640']],
    [360, 640, ['360p:360x640', '240p:240x426']],
    // Odd and slightly-off sizes: never upscale, always even.
    [642, 362, ['360p:638x360', '240p:426x240']],
    [1278, 718, ['720p:1278x718', '480p:854x480', '360p:640x360', '240p:428x240']],
    // Tiny: one rendition at the source's own (even) size.
    [176, 144, ['144p:176x144']],
    [175, 99, ['100p:176x100']],
  ])('%sx%s', (w, h, expected) => expect(sizes(w, h)).toEqual(expected));

  it('is always at least one rendition with even dimensions', () => {
    for (const [w, h] of [
      [2, 2],
      [3, 5],
      [4000, 3],
      [99, 1001],
    ] as const) {
      const ladder = planLadder(w, h, 30);
      expect(ladder.length).toBeGreaterThanOrEqual(1);
      for (const r of ladder) expect([r.width % 2, r.height % 2]).toEqual([0, 0]);
    }
  });

  it('scales bitrate caps with pixels × frame rate', () => {
    const at30 = planLadder(1280, 720, 30)[0]!;
    const at60 = planLadder(1280, 720, 60)[0]!;
    expect(at30.maxBitrate).toBe(3_000_000);
    expect(at60.maxBitrate).toBeGreaterThan(at30.maxBitrate * 1.5);
    const ladder = planLadder(1920, 1080, 30);
    for (let i = 1; i < ladder.length; i++) expect(ladder[i]!.maxBitrate).toBeLessThan(ladder[i - 1]!.maxBitrate);
  });
});

describe('h264Level', () => {
  it.each([
    [640, 360, 30, 30],
    [854, 480, 30, 31],
    [1280, 720, 30, 31],
    [1280, 720, 60, 32],
    [1920, 1080, 30, 40],
    [1920, 1080, 60, 42],
    [3840, 2160, 30, 51],
  ])('%sx%s@%s → %s', (w, h, fps, idc) => expect(h264Level(w, h, fps)).toBe(idc));

  it('names levels and codec strings as x264 and RFC 6381 expect', () => {
    expect(levelName(31)).toBe('3.1');
    expect(avcCodecString(100, 0, 31)).toBe('avc1.64001F');
  });
});
