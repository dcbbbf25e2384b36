import { describe, expect, it } from 'vitest';
import {
  artifactName,
  artifactPath,
  dashSegmentTemplate,
  parsePlaybackPath,
  playbackPaths,
  type PlaybackTarget,
} from './playback-urls.js';

const ID = 'AAAAAAAAAAAAAAAAAAAAAA';

/** `'<id>/720p/3.m4s'` → its parts, as the router hands them over. */
const parse = (path: string) => parsePlaybackPath(path.replace('<id>', ID).split('/'));

describe('artifact names and paths', () => {
  it.each([
    [artifactName('master'), 'master.m3u8'],
    [artifactName('manifest'), 'manifest.mpd'],
    [artifactName('playlist', { rendition: '720p' }), '720p.m3u8'],
    [artifactName('init', { rendition: 'audio' }), 'audio/init.mp4'],
    [artifactName('segment', { rendition: '360p', index: 0 }), '360p/0.m4s'],
    [artifactName('segment', { rendition: '360p', index: 12 }), '360p/12.m4s'],
    [artifactPath(ID, 'segment', { rendition: '720p', index: 3 }), `/play/${ID}/720p/3.m4s`],
    [artifactPath(ID, 'init', { rendition: '720p' }), `/play/${ID}/720p/init.mp4`],
  ])('%s', (built, expected) => expect(built).toBe(expected));

  it('gives mint the HLS and DASH entry points', () => {
    expect(playbackPaths(ID)).toEqual({ hls: `/play/${ID}/master.m3u8`, dash: `/play/${ID}/manifest.mpd` });
  });

  it('gives DASH the same names with its template identifiers', () => {
    expect(dashSegmentTemplate).toEqual({
      initialization: '$RepresentationID$/init.mp4',
      media: '$RepresentationID$/$Number$.m4s',
    });
  });

  it.each<[string, PlaybackTarget]>([
    [artifactPath(ID, 'master'), { kind: 'master', revisionId: ID }],
    [artifactPath(ID, 'manifest'), { kind: 'manifest', revisionId: ID }],
    [artifactPath(ID, 'playlist', { rendition: 'audio' }), { kind: 'playlist', revisionId: ID, rendition: 'audio' }],
    [artifactPath(ID, 'init', { rendition: '1080p' }), { kind: 'init', revisionId: ID, rendition: '1080p' }],
    [
      artifactPath(ID, 'segment', { rendition: '240p', index: 999_999_999 }),
      { kind: 'segment', revisionId: ID, rendition: '240p', index: 999_999_999 },
    ],
  ])('parses back %s', (path, target) => expect(parsePlaybackPath(path.split('/').slice(2))).toEqual(target));
});

describe('parsePlaybackPath', () => {
  it.each<[string, PlaybackTarget]>([
    ['<id>/master.m3u8', { kind: 'master', revisionId: ID }],
    ['<id>/manifest.mpd', { kind: 'manifest', revisionId: ID }],
    ['<id>/720p.m3u8', { kind: 'playlist', revisionId: ID, rendition: '720p' }],
    ['<id>/audio.m3u8', { kind: 'playlist', revisionId: ID, rendition: 'audio' }],
    // A rendition the revision may not have is the service's to refuse.
    ['<id>/manifest.m3u8', { kind: 'playlist', revisionId: ID, rendition: 'manifest' }],
    ['<id>/999p/init.mp4', { kind: 'init', revisionId: ID, rendition: '999p' }],
    ['<id>/720p/0.m4s', { kind: 'segment', revisionId: ID, rendition: '720p', index: 0 }],
    ['<id>/720p/10.m4s', { kind: 'segment', revisionId: ID, rendition: '720p', index: 10 }],
    ['<id>/720p/999999999.m4s', { kind: 'segment', revisionId: ID, rendition: '720p', index: 999_999_999 }],
  ])('%s names an artifact', (path, target) => expect(parse(path)).toEqual(target));

  const badIndex = (file: string) => ({
    error: 'bad_path',
    message: `${JSON.stringify(file)} is not a segment name like 0.m4s`,
  });

  it.each([
    ['012.m4s'],
    ['00.m4s'],
    ['1e3.m4s'],
    ['-1.m4s'],
    ['+1.m4s'],
    ['0x1.m4s'],
    ['1.5.m4s'],
    ['1_000.m4s'],
    [' 1.m4s'],
    ['1.m4s '],
    ['１.m4s'],
    ['abc.m4s'],
    ['.m4s'],
    ['1000000000.m4s'],
    ['99999999999999999999999.m4s'],
    ['0.M4S'],
    ['0.ts'],
    ['0'],
    ['master.m3u8'],
    ['..'],
  ])('%s in a rendition is not a canonical segment name (400)', (file) =>
    expect(parse(`<id>/720p/${file}`)).toEqual(badIndex(file)),
  );

  it.each([
    ['<id>/720P.m3u8', '720P'],
    ['<id>/a b.m3u8', 'a b'],
    ['<id>/abcdefghijklmnopq.m3u8', 'abcdefghijklmnopq'],
    ['<id>/720P/0.m4s', '720P'],
    ['<id>/../0.m4s', '..'],
    ['<id>/%2e%2e/init.mp4', '%2e%2e'],
    // The rendition is checked before the file, as a directory is before what is in it.
    ['<id>/AUDIO/012.m4s', 'AUDIO'],
  ])('%s names no rendition (404)', (path, rendition) =>
    expect(parse(path)).toEqual({ error: 'not_found', message: `no rendition ${JSON.stringify(rendition)}` }),
  );

  it.each([
    ['<id>/index.html', '"index.html"'],
    ['<id>/.m3u8', '".m3u8"'],
    ['<id>/MASTER.M3U8', '"MASTER.M3U8"'],
    ['<id>/init.mp4', '"init.mp4"'],
    ['<id>/0.m4s', '"0.m4s"'],
    ['<id>/', '""'],
    ['<id>//init.mp4', '""'],
    ['<id>', '""'],
    ['', '""'],
    ['<id>/720p/0/1.m4s', '"720p/0/1.m4s"'],
  ])('%s names no file (404)', (path, name) =>
    expect(parse(path)).toEqual({ error: 'not_found', message: `no file ${name}` }),
  );

  it.each([
    ['..'],
    ['%2e%2e'],
    [''],
    ['AAAAAAAAAAAAAAAAAAAAA'],
    ['AAAAAAAAAAAAAAAAAAAAAAA'],
    ['AAAAAAAAAAAAAAAAAAAAA!'],
  ])('refuses the malformed revision id %j as an unknown one (404), after the file', (id) => {
    expect(parsePlaybackPath([id, '720p', '0.m4s'])).toEqual({
      error: 'revision_not_found',
      message: `no revision ${JSON.stringify(id)}`,
    });
    expect(parsePlaybackPath([id, '720p', '012.m4s'])).toEqual(badIndex('012.m4s'));
  });
});
