import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { chunkDemuxer, chunkKey, isManifestKey, manifestTracks } from './manifest-source.js';

const media = (path: string) => readFile(fileURLToPath(new URL(`../../fixtures/media/${path}`, import.meta.url)), 'utf8');

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
  ])('refuses %s', (_name, manifest, uri) => expect(() => chunkKey(manifest, uri)).toThrow(/points outside the bucket/));
});

describe('manifestTracks', () => {
  it('reads a DASH MPD of WebM chunks: the video and the separate audio track, in order', async () => {
    const tracks = manifestTracks('dash/recording.mpd', await media('dash/recording.mpd'));
    expect(tracks).toHaveLength(2);
    expect(tracks[0]).toEqual({ init: 'dash/init-0.webm', chunks: ['dash/chunk-0-00001.webm', 'dash/chunk-0-00002.webm', 'dash/chunk-0-00003.webm', 'dash/chunk-0-00004.webm'] });
    expect(tracks[1]!.init).toBe('dash/init-1.webm');
  });

  it('reads an HLS media playlist of TS chunks', async () => {
    const tracks = manifestTracks('hls/recording.m3u8', await media('hls/recording.m3u8'));
    expect(tracks).toEqual([{ init: undefined, chunks: ['hls/chunk-000.ts', 'hls/chunk-001.ts', 'hls/chunk-002.ts', 'hls/chunk-003.ts'] }]);
  });

  it('refuses a multivariant playlist, an empty one, and a chunk of an unknown kind', () => {
    expect(() => manifestTracks('a.m3u8', '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv.m3u8\n')).toThrow(/multivariant/);
    expect(() => manifestTracks('a.m3u8', '#EXTM3U\n#EXT-X-ENDLIST\n')).toThrow(/no media chunks/);
    expect(() => chunkDemuxer('a/chunk.m3u8')).toThrow(/unsupported kind/);
    expect(chunkDemuxer('a/chunk.webm')).toBe('matroska');
    expect(isManifestKey('a/b.MPD')).toBe(true);
    expect(isManifestKey('a/b.mp4')).toBe(false);
  });
});
