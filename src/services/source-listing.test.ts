import { describe, expect, it } from 'vitest';
import { pickSources } from './source-listing.js';

describe('pickSources', () => {
  it.each([
    ['a recording', ['talk.mp4'], [{ key: 'talk.mp4', kind: 'media' }]],
    [
      'upper-case extensions',
      ['CLIP.MOV', 'Logo.PNG'],
      [
        { key: 'CLIP.MOV', kind: 'media' },
        { key: 'Logo.PNG', kind: 'image' },
      ],
    ],
    ['anything else left out', ['notes.txt', 'README', 'a.mp4.part', 'x.'], []],
    [
      "a chunked recording's chunks left out, its manifest kept",
      ['hls/chunk-000.ts', 'hls/chunk-001.ts', 'hls/recording.m3u8', 'dash/init-0.webm', 'dash/recording.mpd'],
      [
        { key: 'hls/recording.m3u8', kind: 'media' },
        { key: 'dash/recording.mpd', kind: 'media' },
      ],
    ],
    [
      'files beside a manifest only in its own folder',
      ['hls/recording.m3u8', 'hls/cover.png', 'hls/takes/take.mp4', 'clip.ts'],
      [
        { key: 'hls/recording.m3u8', kind: 'media' },
        { key: 'hls/cover.png', kind: 'image' },
        { key: 'hls/takes/take.mp4', kind: 'media' },
        { key: 'clip.ts', kind: 'media' },
      ],
    ],
  ] as const)('%s', (_name, keys, expected) => {
    expect(pickSources(keys, 100)).toEqual({ sources: expected, truncated: false });
  });

  it('stops at the limit and says there were more', () => {
    const keys = Array.from({ length: 10 }, (_, i) => `r${i}.mp4`);
    expect(pickSources(keys, 3)).toEqual({
      sources: ['r0.mp4', 'r1.mp4', 'r2.mp4'].map((key) => ({ key, kind: 'media' })),
      truncated: true,
    });
    expect(pickSources(keys.slice(0, 3), 3).truncated).toBe(false);
  });
});
