import { parse } from 'mpd-parser';
import { describe, expect, it } from 'vitest';
import { renderDashManifest } from './dash-manifest.js';
import { renderMediaPlaylist } from './hls-playlist.js';
import { planRevision } from '../plan.js';
import { revisionRecord, sourceInfo, STEREO_AAC } from '../../../test/helpers/records.js';

const record = (duration: number, audio = true) =>
  revisionRecord([sourceInfo({ duration, audio: audio ? STEREO_AAC : null })]);

const manifestUri = 'https://cdn.example/play/AAAAAAAAAAAAAAAAAAAAAA/manifest.mpd';

describe('renderDashManifest', () => {
  const plan = planRevision(record(30), { segmentDuration: 4 });
  const mpd = renderDashManifest(plan);
  const parsed = parse(mpd, { manifestUri });

  it('describes every rendition over the same segment files as HLS', () => {
    expect(parsed.duration).toBeCloseTo(30, 3);
    expect(parsed.playlists.map((p) => p.attributes.NAME)).toEqual(['720p', '480p', '360p', '240p']);
    const hls = renderMediaPlaylist(plan, '720p')
      .split('\n')
      .filter((l) => l.endsWith('.m4s'));
    const dash = parsed.playlists[0]!.segments;
    expect(dash.map((s) => s.uri)).toEqual(hls);
    expect(dash[0]!.map!.uri).toBe('720p/init.mp4');
    expect(dash[0]!.resolvedUri).toBe('https://cdn.example/play/AAAAAAAAAAAAAAAAAAAAAA/720p/0.m4s');
  });

  it('gives each segment the grid duration and start, in the track timescale', () => {
    const dash = parsed.playlists[0]!.segments;
    plan.grid.segments.forEach((g, i) => {
      expect(dash[i]!.duration).toBeCloseTo(g.duration, 6);
      expect(dash[i]!.presentationTime).toBeCloseTo(g.start, 6);
    });
    // Runs of equal segments collapse into r="…" repeats.
    expect(mpd).toMatch(/<S d="384000" r="\d+"\/>/);
  });

  it('declares codecs, sizes and a bandwidth per representation', () => {
    expect(parsed.playlists[0]!.attributes).toMatchObject({
      CODECS: 'avc1.64001F',
      RESOLUTION: { width: 1280, height: 720 },
    });
    expect(parsed.playlists[0]!.attributes.BANDWIDTH).toBeGreaterThan(3_000_000);
  });

  it('has an audio AdaptationSet on the same boundaries, in whole AAC frames', () => {
    const audio = Object.values(parsed.mediaGroups.AUDIO)[0]!;
    const segments = Object.values(audio)[0]!.playlists[0]!.segments;
    expect(segments.map((s) => s.uri)).toEqual(plan.audio!.slices.map((_, i) => `audio/${i}.m4s`));
    expect(segments[1]!.presentationTime).toBeCloseTo(plan.grid.segments[1]!.start, 6);
    expect(mpd).toContain('codecs="mp4a.40.2"');
  });

  it('has no audio AdaptationSet when the source has no audio', () => {
    const silent = renderDashManifest(planRevision(record(10, false), { segmentDuration: 4 }));
    expect(silent).not.toContain('contentType="audio"');
    expect(Object.keys(parse(silent, { manifestUri }).mediaGroups.AUDIO)).toHaveLength(0);
  });
});
