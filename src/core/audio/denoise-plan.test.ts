import { describe, expect, it } from 'vitest';
import { AAC_FRAME_SAMPLES } from '../timeline/media-units.js';
import {
  DENOISE_CROSSFADE_SAMPLES,
  DENOISE_FRAME_SAMPLES,
  DENOISE_HANDOVER_BEFORE_JOIN,
  DENOISE_WARMUP_SAMPLES,
  planDenoiseRuns,
  runWeight,
  type DenoiseRun,
} from './denoise-plan.js';
import { planRevision } from '../plan.js';
import type { Clip, SourceInfo } from '../types.js';
import { revisionRecord, sourceInfo, STEREO_AAC } from '../../../test/helpers/records.js';

const source = (key: string, duration: number, channels = 2) =>
  sourceInfo({ key, duration, audio: { ...STEREO_AAC, channels } });

function timeline(clips: Clip[], sources: SourceInfo[]) {
  const plan = planRevision(revisionRecord(sources, { id: 'r', clips, noiseSuppression: true }), {
    segmentDuration: 4,
  });
  const joins = plan.audio!.slices.slice(1).map((s) => s.firstFrame * AAC_FRAME_SAMPLES);
  const total = plan.audio!.slices.reduce((n, s) => n + s.frameCount, 0) * AAC_FRAME_SAMPLES;
  return {
    plan,
    joins,
    total,
    runs: (from: number, to: number) => planDenoiseRuns(plan.spans, 1600, joins, { from, to }),
  };
}

/** The runs that make sample t, as (stateFrom, weight) pairs: what a listener hears there. */
const makers = (runs: DenoiseRun[], t: number) =>
  runs.filter((r) => r.from <= t && t < r.to).map((r) => [r.stateFrom, runWeight(r, t)]);

describe('planDenoiseRuns', () => {
  const { joins, total, runs } = timeline([{ source: 'talk.mp4' }], [source('talk.mp4', 60)]);

  it('starts a fresh run for each segment, warmed up and handing over before the join', () => {
    const [first, second] = joins as [number, number];
    const segment1 = runs(first - 8 * 1024, second + 2 * 1024);
    const handover = second - DENOISE_HANDOVER_BEFORE_JOIN;
    expect(segment1).toHaveLength(2);
    expect(segment1[0]).toMatchObject({
      from: first - 8 * 1024,
      to: handover,
      fadeOut: { from: handover - DENOISE_CROSSFADE_SAMPLES, to: handover },
    });
    expect(segment1[1]).toMatchObject({
      from: handover - DENOISE_CROSSFADE_SAMPLES,
      to: second + 2 * 1024,
      fadeIn: { from: handover - DENOISE_CROSSFADE_SAMPLES, to: handover },
    });
    for (const run of segment1) {
      const warm = (run.fadeIn?.from ?? run.from) - run.stateFrom;
      expect(warm).toBeGreaterThanOrEqual(DENOISE_WARMUP_SAMPLES);
      expect(warm).toBeLessThan(DENOISE_WARMUP_SAMPLES + DENOISE_FRAME_SAMPLES);
      expect(run.stateFrom % DENOISE_FRAME_SAMPLES).toBe(0);
    }
  });

  it('defines every sample the same way whatever stretch is asked for, with weights summing to one', () => {
    const whole = runs(0, total);
    for (const [i, join] of joins.entries()) {
      const stretch = runs(join - 8 * 1024, (joins[i + 1] ?? total) + 2 * 1024);
      for (let t = join - 8 * 1024; t < Math.min(total, (joins[i + 1] ?? total) + 2 * 1024); t += 97) {
        expect(makers(stretch, t)).toEqual(makers(whole, t));
        // The clip is 60 s; the track's last AAC frame runs a little past it, in silence.
        if (t < 60 * 48000) expect(makers(whole, t).reduce((sum, [, w]) => sum + w!, 0)).toBeCloseTo(1, 12);
        else expect(makers(whole, t)).toEqual([]);
      }
    }
  });

  it('keeps each clip to itself: a fresh run at its start, none past its end, none for a clip without suppression', () => {
    const stitched = timeline(
      [{ source: 'a.mp4', end: 5 }, { source: 'b.mp4', noiseSuppression: false, end: 3 }, { source: 'c.mp4' }],
      [source('a.mp4', 10), source('b.mp4', 10), source('c.mp4', 20, 1)],
    );
    const all = stitched.runs(0, stitched.total);
    expect(all.every((r) => r.to <= r.clipEnd && r.stateFrom < r.clipEnd)).toBe(true);
    expect(all.some((r) => r.from < 8 * 48000 && r.to > 5 * 48000)).toBe(false);
    const c = all.filter((r) => r.clipEnd === stitched.total || r.stateFrom >= 8 * 48000);
    expect(c[0]).toMatchObject({ stateFrom: 8 * 48000, from: 8 * 48000, mono: true });
    expect(c[0]!.fadeIn).toBeUndefined();
  });
});
