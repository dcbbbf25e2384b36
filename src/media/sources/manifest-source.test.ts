import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { chunkDemuxer, chunkKey, chunksCovering, isManifestKey, readManifest } from './manifest-source.js';

const media = (path: string) =>
  readFile(fileURLToPath(new URL(`../../../fixtures/media/${path}`, import.meta.url)), 'utf8');

describe('chunkKey', () => {
  it.each([
    ['rec/abc/recording.mpd', 'chunk-1.webm', 'rec/abc/chunk-1.webm'],
    ['rec/abc/recording.mpd', 'video/chunk%201.webm', 'rec/abc/video/chunk 1.webm'],
    ['rec/abc/recording.mpd', '../abc/chunk.webm', 'rec/abc/chunk.webm'],
    ['recording.m3u8', 'chunk-000.ts?v=1', 'chunk-000.ts'],
  ])('%s + %s → %s', (manifest, uri, key) => expect(chunkKey(manifest, uri)).toBe(key));

  it.each([
    ['climbing out', 'rec/recording.m3u8', '../../secret.ts'],
    ['an absolute URL', 'rec/recording.m3u8', 'http://169.254.169.254/latest/meta-data'],
    ['another scheme', 'rec/recording.m3u8', 'file:///etc/passwd'],
    ['an absolute path', 'rec/recording.m3u8', '/etc/passwd'],
  ])('refuses %s', (_name, manifest, uri) =>
    expect(() => chunkKey(manifest, uri)).toThrow(/points outside the bucket/),
  );
});

describe('readManifest', () => {
  it('reads a DASH MPD of WebM chunks: the video and the separate audio track, timed, each chunk starting with a keyframe', async () => {
    const { tracks, independent } = readManifest('dash/recording.mpd', await media('dash/recording.mpd'));
    expect(independent).toBe(true);
    expect(tracks.map((t) => t.kind)).toEqual(['video', 'audio']);
    expect(tracks[0]!.init).toBe('dash/init-0.webm');
    expect(tracks[0]!.chunks).toEqual(
      [0, 1, 2, 3].map((i) => ({ key: `dash/chunk-0-0000${i + 1}.webm`, start: i, duration: 1 })),
    );
    expect(tracks[1]!.init).toBe('dash/init-1.webm');
  });

  it('does not take keyframes at chunk starts for granted', async () => {
    const mpd = (await media('dash/recording.mpd')).replaceAll(' startWithSAP="1"', '');
    expect(readManifest('dash/recording.mpd', mpd).independent).toBe(false);
  });

  it('reads an HLS media playlist of TS chunks, independent only when it says so', async () => {
    const text = await media('hls/recording.m3u8');
    const { tracks, independent } = readManifest('hls/recording.m3u8', text);
    expect(independent).toBe(false);
    expect(tracks).toEqual([
      {
        kind: 'muxed',
        init: undefined,
        chunks: [0, 1, 2, 3].map((i) => ({ key: `hls/chunk-00${i}.ts`, start: i, duration: 1 })),
      },
    ]);
    expect(
      readManifest('hls/recording.m3u8', text.replace('#EXTM3U', '#EXTM3U\n#EXT-X-INDEPENDENT-SEGMENTS')).independent,
    ).toBe(true);
  });

  it('refuses a multivariant playlist, an empty one, and a chunk of an unknown kind', () => {
    expect(() => readManifest('a.m3u8', '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv.m3u8\n')).toThrow(/multivariant/);
    expect(() => readManifest('a.m3u8', '#EXTM3U\n#EXT-X-ENDLIST\n')).toThrow(/no media chunks/);
    expect(() => chunkDemuxer('a/chunk.m3u8')).toThrow(/unsupported kind/);
    expect(chunkDemuxer('a/chunk.webm')).toBe('matroska');
    expect(isManifestKey('a/b.MPD')).toBe(true);
    expect(isManifestKey('a/b.mp4')).toBe(false);
  });
});

describe('chunksCovering', () => {
  const track = {
    kind: 'video' as const,
    chunks: [0, 2, 4, 6].map((start) => ({ key: `c${start}`, start, duration: 2 })),
  };
  it.each([
    [0, 1, ['c0']],
    [1.5, 4.5, ['c0', 'c2', 'c4']],
    [2, 4, ['c2']],
    [5, 100, ['c4', 'c6']],
    [-1, 0.5, ['c0']],
    [7.9, 8, ['c6']],
  ])('[%s, %s) → %j', (from, to, keys) => expect(chunksCovering(track, from, to).map((c) => c.key)).toEqual(keys));
});

describe('manifest bounds', () => {
  const mpd = (segments: string, attrs = 'mediaPresentationDuration="PT10S"') =>
    `<?xml version="1.0"?><MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" ${attrs}><Period><AdaptationSet contentType="video" startWithSAP="1"><Representation id="v" bandwidth="1" width="2" height="2" codecs="vp8" mimeType="video/webm">${segments}</Representation></AdaptationSet></Period></MPD>`;
  it.each([
    [
      'a timeline bomb',
      mpd(
        '<SegmentTemplate timescale="1" media="c$Number$.webm" initialization="i.webm"><SegmentTimeline><S t="0" d="1" r="3000000"/></SegmentTimeline></SegmentTemplate>',
      ),
      /more than 20000 chunks/,
    ],
    [
      'a repeat to the end of 10 million seconds',
      mpd(
        '<SegmentTemplate timescale="1" media="c$Number$.webm"><SegmentTimeline><S t="0" d="1" r="-1"/></SegmentTimeline></SegmentTemplate>',
        'mediaPresentationDuration="PT2000H"',
      ),
      /longer than 24 hours/,
    ],
    [
      'a template of tiny chunks',
      mpd(
        '<SegmentTemplate timescale="1000" duration="1" media="c$Number$.webm"/>',
        'mediaPresentationDuration="PT10H"',
      ),
      /more than 20000 chunks/,
    ],
    [
      'a repeat count that is not a number',
      mpd(
        '<SegmentTemplate timescale="1" media="c$Number$.webm"><SegmentTimeline><S t="0" d="1" r="lots"/></SegmentTimeline></SegmentTemplate>',
      ),
      /more than 20000 chunks/,
    ],
  ])('refuses %s before parsing it, at once', (_name, text, error) => {
    const started = performance.now();
    expect(() => readManifest('rec/recording.mpd', text)).toThrow(error);
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('reads a timeline that repeats to the end within the cap', () => {
    const text = mpd(
      '<SegmentTemplate timescale="1" media="c$Number$.webm" initialization="i.webm"><SegmentTimeline><S t="0" d="2" r="-1"/></SegmentTimeline></SegmentTemplate>',
    );
    expect(readManifest('rec/recording.mpd', text).tracks[0]!.chunks).toHaveLength(5);
  });

  it('refuses an HLS playlist of more chunks than the cap, and a bad percent-escape', () => {
    const many = `#EXTM3U\n${'#EXTINF:1,\nc.ts\n'.repeat(20_001)}#EXT-X-ENDLIST\n`;
    expect(() => readManifest('a.m3u8', many)).toThrow(/more than 20000 chunks/);
    expect(() => readManifest('a.m3u8', '#EXTM3U\n#EXTINF:1,\nchunk%zz.ts\n#EXT-X-ENDLIST\n')).toThrow(
      /percent-encoding/,
    );
  });
});
