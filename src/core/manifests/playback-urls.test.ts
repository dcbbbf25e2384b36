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
    [artifactName('poster'), 'poster.jpg'],
    [artifactName('thumbnail', { width: 320, time: 12.5 }), 'thumbnail/320w/12.5.jpg'],
    [artifactName('thumbnailWebp', { width: 64, time: 0 }), 'thumbnail/64w/0.webp'],
  ])('%s', (built, expected) => expect(built).toBe(expected));

  it('gives mint the HLS and DASH entry points', () => {
    expect(playbackPaths(ID)).toEqual({
      hls: `/play/${ID}/master.m3u8`,
      dash: `/play/${ID}/manifest.mpd`,
      poster: `/play/${ID}/poster.jpg`,
      thumbnail: `/play/${ID}/thumbnail/{w}w/{t}.jpg`,
      storyboard: `/play/${ID}/storyboard.vtt`,
      storyboardJson: `/play/${ID}/storyboard.json`,
      mp4: `/play/${ID}/download.mp4`,
      m4a: `/play/${ID}/download.m4a`,
    });
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
    ['<id>/720p.iframes.m3u8', { kind: 'iframes', revisionId: ID, rendition: '720p' }],
    ['<id>/720p/3.iframe.m4s', { kind: 'iframe', revisionId: ID, rendition: '720p', index: 3 }],
    ['<id>/storyboard.vtt', { kind: 'storyboard', revisionId: ID }],
    ['<id>/storyboard.json', { kind: 'storyboardJson', revisionId: ID }],
    ['<id>/storyboard/2.jpg', { kind: 'storyboardSheet', revisionId: ID, index: 2 }],
    ['<id>/download.mp4', { kind: 'download', revisionId: ID }],
    ['<id>/download.m4a', { kind: 'downloadAudio', revisionId: ID }],
    ['<id>/download/480p.mp4', { kind: 'downloadRendition', revisionId: ID, rendition: '480p' }],
    ['<id>/poster.jpg', { kind: 'poster', revisionId: ID }],
    ['<id>/poster.webp', { kind: 'posterWebp', revisionId: ID }],
    ['<id>/thumbnail/320w/0.jpg', { kind: 'thumbnail', revisionId: ID, width: 320, time: 0 }],
    ['<id>/thumbnail/1920w/12.04.jpg', { kind: 'thumbnail', revisionId: ID, width: 1920, time: 12.04 }],
    ['<id>/thumbnail/64w/3599.999.webp', { kind: 'thumbnailWebp', revisionId: ID, width: 64, time: 3599.999 }],
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
    ['<id>/720p/03.iframe.m4s', '"03.iframe.m4s" is not a iframe name like 0.iframe.m4s'],
    ['<id>/720p/x.iframe.m4s', '"x.iframe.m4s" is not a iframe name like 0.iframe.m4s'],
    ['<id>/720p/3.iframe.m4', '"3.iframe.m4" is not a segment name like 0.m4s'],
  ])('%s is not a canonical I-frame segment name (400)', (path, message) =>
    expect(parse(path)).toEqual({ error: 'bad_path', message }),
  );

  it.each([
    ['320w/1.50.jpg', '"1.50.jpg" is not a thumbnail name like 12.5.jpg'],
    ['320w/01.jpg', '"01.jpg" is not a thumbnail name like 12.5.jpg'],
    ['320w/1.jpg.jpg', '"1.jpg.jpg" is not a thumbnail name like 12.5.jpg'],
    ['320w/1.0001.jpg', '"1.0001.jpg" is not a thumbnail name like 12.5.jpg'],
    ['320w/1..jpg', '"1..jpg" is not a thumbnail name like 12.5.jpg'],
    ['320w/-1.jpg', '"-1.jpg" is not a thumbnail name like 12.5.jpg'],
    ['320w/1.png', '"1.png" is not a thumbnail name like 12.5.jpg'],
    ['320w/1e3.webp', '"1e3.webp" is not a thumbnailWebp name like 12.5.webp'],
    ['0320w/1.jpg', '"0320w" is not a thumbnail name like 320w'],
    ['320/1.jpg', '"320" is not a thumbnail name like 320w'],
    ['w/1.jpg', '"w" is not a thumbnail name like 320w'],
  ])('thumbnail/%s is not a canonical thumbnail name (400)', (file, message) =>
    expect(parse(`<id>/thumbnail/${file}`)).toEqual({ error: 'bad_path', message }),
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
    ['<id>/720p/0/1.m4s', '"720p"'],
    ['<id>/720p/0/1/2.m4s', '"720p/0/1/2.m4s"'],
    ['<id>/poster.png', '"poster.png"'],
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
