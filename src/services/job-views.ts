import type { VideoRendition } from '../core/picture/ladder.js';
import type { Plan } from '../core/plan.js';
import type { LookaheadPlan } from '../engine/lookahead.js';
import type { JobSize } from '../engine/run-times.js';

/** What the engine's parts need to know of a plan: a segment job's size (RunTimes) and a revision's streams (Lookahead). */

/** A segment's stream: a video rendition, or the audio. */
export type Rendition = VideoRendition | 'audio';
export const renditionName = (r: Rendition) => (r === 'audio' ? 'audio' : r.id);

/**
 * What a segment job's run time is proportional to, with a first guess for a machine like the project's
 * (2.4 GHz, alone; measured: 720p from 1080p 12 ms per frame, 480p 8, audio 0.7 per AAC frame): decoding
 * the source and scaling it, and encoding the rendition.
 */
export function jobSize(plan: Plan, rendition: Rendition, index: number): JobSize {
  if (rendition === 'audio') return { kind: 'audio', units: plan.audio!.slices[index]!.frameCount, seedMsPerUnit: 0.7 };
  const source = plan.spans[0]!.source.video;
  return {
    kind: `video/${rendition.id}`,
    units: plan.grid.segments[index]!.frameCount,
    seedMsPerUnit: 1 + rendition.width * rendition.height * 7e-6 + source.width * source.height * 2e-6,
  };
}

const lookaheadPlans = new WeakMap<Plan, LookaheadPlan>();

/**
 * What lookahead needs of a plan, derived once per plan: it is asked on every request and every
 * 250 ms for each lookahead job (`wanted`), and a 10-hour plan has 8,400 segment starts.
 */
export function lookaheadPlan(plan: Plan): LookaheadPlan {
  let view = lookaheadPlans.get(plan);
  if (!view) {
    view = {
      revisionId: plan.revisionId,
      starts: plan.grid.segments.map((s) => s.start),
      video: plan.video.map((r) => r.id),
      audio: plan.audio?.id,
    };
    lookaheadPlans.set(plan, view);
  }
  return view;
}
