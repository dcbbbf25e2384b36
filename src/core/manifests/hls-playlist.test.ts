import { parsePlaylist } from '../../../test/helpers/hls-download.js';
import { describe, expect, it } from 'vitest';
import { renderIFramePlaylist, renderMasterPlaylist, renderMediaPlaylist } from './hls-playlist.js';
import { planRevision, peakBandwidth } from '../plan.js';
import type { RevisionRecord, SourceInfo } from '../types.js';
import { revisionRecord, sourceInfo, STEREO_AAC } from '../../../test/helpers/records.js';

const source = (video: Partial<SourceInfo['video']> = {}, audio = true, duration = 10) =>
  sourceInfo({ width: 1920, height: 1080, duration, audio: audio ? STEREO_AAC : null, video });

const record = (info: SourceInfo) => revisionRecord([info]);

describe('renderMasterPlaylist', () => {
  const plan = planRevision(record(source()), { segmentDuration: 4 });
  const text = renderMasterPlaylist(plan);
  const manifest = parsePlaylist(text);

  it('lists the start rendition first, then every other one', () => {
    expect(manifest.playlists!.map((p) => p.uri)).toEqual(['480p.m3u8', '1080p.m3u8', '720p.m3u8', '360p.m3u8']);
  });

  it('gives each variant resolution, codecs, frame rate and audio group', () => {
    const first = manifest.playlists![0]!.attributes;
    expect(first.RESOLUTION).toEqual({ width: 854, height: 480 });
    expect(first.CODECS).toBe('avc1.64001F,mp4a.40.2');
    expect(first['FRAME-RATE']).toBe(30);
    expect(first.AUDIO).toBe('audio');
    expect(manifest.mediaGroups!.AUDIO!.audio!.Main!.uri).toBe('audio.m3u8');
    expect(text).toContain('#EXT-X-INDEPENDENT-SEGMENTS');
  });

  it('declares a peak bandwidth at or above the VBV bound of the shortest segment', () => {
    for (const p of manifest.playlists!) {
      const rendition = plan.video.find((r) => `${r.id}.m3u8` === p.uri)!;
      expect(p.attributes.BANDWIDTH).toBeGreaterThanOrEqual(peakBandwidth(rendition, plan.grid));
      expect(Number(p.attributes['AVERAGE-BANDWIDTH'])).toBeLessThan(p.attributes.BANDWIDTH!);
    }
  });

  it('offers an I-frame playlist for every video rendition, after the variants', () => {
    const iframes = text.split('\n').filter((l) => l.startsWith('#EXT-X-I-FRAME-STREAM-INF:'));
    expect(iframes.map((l) => /URI="([^"]+)"/.exec(l)![1])).toEqual([
      '480p.iframes.m3u8',
      '1080p.iframes.m3u8',
      '720p.iframes.m3u8',
      '360p.iframes.m3u8',
    ]);
    expect(iframes[0]).toMatch(/^#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=\d+,CODECS="avc1.64001F",RESOLUTION=854x480,/);
    expect(text.lastIndexOf('#EXT-X-STREAM-INF')).toBeLessThan(text.indexOf('#EXT-X-I-FRAME-STREAM-INF'));
    // The variants players choose from are unchanged.
    expect(manifest.playlists).toHaveLength(4);
  });

  it('has no audio group when the source has no audio', () => {
    const silent = renderMasterPlaylist(planRevision(record(source({}, false)), { segmentDuration: 4 }));
    expect(silent).not.toContain('EXT-X-MEDIA');
    expect(silent).not.toContain('AUDIO=');
    expect(silent).toContain('CODECS="avc1.64001F"');
  });
});

describe('renderIFramePlaylist', () => {
  it("lists the I-frame segment of every segment, each lasting until the next, over the rendition's init", () => {
    const plan = planRevision(record(source({}, true, 10)), { segmentDuration: 4 });
    const text = renderIFramePlaylist(plan, '720p');
    expect(text).toContain('\n#EXT-X-I-FRAMES-ONLY\n');
    const m = parsePlaylist(text);
    expect(m.playlistType).toBe('VOD');
    expect(m.endList).toBe(true);
    expect(m.segments.map((s) => s.uri)).toEqual(['720p/0.iframe.m4s', '720p/1.iframe.m4s', '720p/2.iframe.m4s']);
    expect(m.segments.map((s) => s.duration)).toEqual([2.133333, 2.133333, 5.733333]);
    expect(m.segments[0]!.map!.uri).toBe('720p/init.mp4');
  });
});

describe('renderMediaPlaylist', () => {
  it('is a VOD playlist whose EXTINFs add up to the duration', () => {
    const plan = planRevision(record(source({}, true, 10)), { segmentDuration: 4 });
    const m = parsePlaylist(renderMediaPlaylist(plan, '720p'));
    expect(m.version).toBe(7);
    expect(m.playlistType).toBe('VOD');
    expect(m.endList).toBe(true);
    expect(m.segments.map((s) => s.uri)).toEqual(['720p/0.m4s', '720p/1.m4s', '720p/2.m4s']);
    expect(m.segments.map((s) => s.duration)).toEqual([2.133333, 2.133333, 5.733333]);
    expect(m.segments[0]!.map!.uri).toBe('720p/init.mp4');
    expect(m.segments.reduce((t, s) => t + s.duration, 0)).toBeCloseTo(10, 5);
  });

  it('sets TARGETDURATION to an integer at or above every rounded EXTINF', () => {
    for (const duration of [0.5, 4.2667, 5.9, 10, 61.3]) {
      const plan = planRevision(record(source({}, true, duration)), { segmentDuration: 4 });
      for (const id of ['720p', 'audio']) {
        const m = parsePlaylist(renderMediaPlaylist(plan, id));
        expect(Number.isInteger(m.targetDuration)).toBe(true);
        for (const s of m.segments) expect(Math.round(s.duration)).toBeLessThanOrEqual(m.targetDuration!);
      }
    }
  });

  it('gives audio the same boundaries in whole AAC frames', () => {
    const plan = planRevision(record(source({}, true, 10)), { segmentDuration: 4 });
    const video = parsePlaylist(renderMediaPlaylist(plan, '720p')).segments;
    const audio = parsePlaylist(renderMediaPlaylist(plan, 'audio')).segments;
    expect(audio.length).toBe(video.length);
    expect(audio[0]!.duration).toBeCloseTo(video[0]!.duration, 6);
    expect(audio[1]!.duration).toBeCloseTo(video[1]!.duration, 6);
    expect(audio[2]!.duration).toBeCloseTo((269 * 1024) / 48000, 6);
  });

  it('ladders a rotated phone recording as portrait', () => {
    const plan = planRevision(
      record(source({ width: 1920, height: 1080, displayWidth: 1080, displayHeight: 1920, rotation: 90 })),
      { segmentDuration: 4 },
    );
    expect(plan.video[0]).toMatchObject({ id: '1080p', width: 1080, height: 1920 });
  });
});

describe('a stitched revision', () => {
  const portrait = {
    ...source({ width: 360, height: 640, displayWidth: 360, displayHeight: 640 }, true, 3),
    key: 'intro.mp4',
  };
  const landscape = { ...source({ frameRate: 25 }, false, 4), key: 'main.mp4' };
  const rec: RevisionRecord = {
    ...record(portrait),
    edits: { clips: [{ source: 'intro.mp4' }, { source: 'main.mp4' }], noiseSuppression: false, overlays: [] },
    sources: { 'intro.mp4': portrait, 'main.mp4': landscape },
  };

  it('takes its frame rate and canvas from the first clip, and lasts as long as its clips', () => {
    const plan = planRevision(rec, { segmentDuration: 4 });
    expect(plan.fps).toBe(30);
    expect(plan.video.map((r) => `${r.width}x${r.height}`)).toEqual(['360x640', '240x426']);
    expect(plan.duration).toBeCloseTo(7, 6);
    expect(plan.spans.map((s) => s.frameCount)).toEqual([90, 120]);
  });

  it('has an audio track when any clip has audio, and none when no clip has', () => {
    expect(planRevision(rec, { segmentDuration: 4 }).audio).toBeDefined();
    const mute = { ...rec, sources: { 'intro.mp4': { ...portrait, audio: undefined }, 'main.mp4': landscape } };
    expect(planRevision(mute, { segmentDuration: 4 }).audio).toBeUndefined();
  });
});
