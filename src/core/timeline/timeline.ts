import { ErrorCode, OriginError, fieldErrors, problemsOf, type FieldProblem } from '../../errors.js';
import type { Clip, SourceInfo } from '../types.js';

/** A stretch of one source placed on the output timeline. */
export interface Span {
  source: SourceInfo;
  /** Index of the clip the span belongs to (a clip with cuts has several spans). */
  clip: number;
  /** Whether the clip's audio goes through noise suppression. */
  noiseSuppression: boolean;
  /** Source time (its own clock, seconds) shown at output frame `outputFrame`. */
  sourceStart: number;
  outputFrame: number;
  frameCount: number;
}

const invalid = (field: string, problem: string) =>
  new OriginError(ErrorCode.InvalidEdit, `${field}: ${problem}`, field);

/**
 * The source ranges a clip keeps, in seconds from the start of its source: [start, end] minus the
 * cuts. Throws `invalid_edit` naming the field for a start or end past the source's end or a cut past it (and,
 * though the body's schema refuses them first as 400 `invalid_field`, an end before its start, a cut outside the clip
 * or overlapping another).
 */
export function keptRanges(clip: Clip, duration: number, field: string): Array<[number, number]> {
  const start = clip.start ?? 0;
  const end = clip.end ?? duration;
  if (start >= duration) throw invalid(`${field}.start`, `must be before the source's end (${duration.toFixed(3)} s)`);
  if (clip.end !== undefined && end > duration + 1e-6)
    throw invalid(`${field}.end`, `is past the source's end (${duration.toFixed(3)} s)`);
  if (end <= start) throw invalid(`${field}.end`, 'must be after start');
  const cuts = [...(clip.cuts ?? [])].map((c, i) => ({ from: c[0], to: c[1], i })).sort((a, b) => a.from - b.from);
  const kept: Array<[number, number]> = [];
  let at = start;
  for (const cut of cuts) {
    const name = `${field}.cuts[${cut.i}]`;
    if (cut.to <= cut.from) throw invalid(name, 'must end after it starts');
    if (cut.from < start || cut.to > end) throw invalid(name, `must lie within the clip (${start}–${end} s)`);
    if (cut.from < at) throw invalid(name, 'overlaps another cut');
    if (cut.from > at) kept.push([at, cut.from]);
    at = cut.to;
  }
  if (end > at) kept.push([at, end]);
  return kept;
}

/**
 * Compiles clips into spans of whole output frames at `fps`: each kept range shows
 * round(length × fps) frames, so a cut removes exactly the frames whose time falls inside it (to the
 * nearest frame), and output time is continuous. A clip's `noiseSuppression` overrides the
 * revision's. Throws `invalid_edit` (422) for every clip these sources cannot make: a trim or cut past its source's
 * end (`keptRanges`), or nothing left of it.
 */
export function compileTimeline(
  clips: Clip[],
  sources: ReadonlyMap<string, SourceInfo>,
  fps: number,
  noiseSuppression = false,
): Span[] {
  const spans: Span[] = [];
  // Every clip's problem is reported at once (as the body's are): a clip that fails leaves no frames.
  const problems: FieldProblem[] = [];
  let outputFrame = 0;
  clips.forEach((clip, i) => {
    const source = sources.get(clip.source);
    if (!source) throw new Error(`no probe data for ${clip.source}`);
    const field = `clips[${i}]`;
    let kept: Array<[number, number]>;
    try {
      kept = keptRanges(clip, source.duration, field);
    } catch (err) {
      if (!(err instanceof OriginError)) throw err;
      problems.push(...problemsOf(err));
      return;
    }
    let clipFrames = 0;
    for (const [from, to] of kept) {
      const frameCount = Math.round((to - from) * fps);
      if (frameCount === 0) continue;
      spans.push({
        source,
        clip: i,
        noiseSuppression: clip.noiseSuppression ?? noiseSuppression,
        sourceStart: source.video.startTime + from,
        outputFrame,
        frameCount,
      });
      outputFrame += frameCount;
      clipFrames += frameCount;
    }
    if (clipFrames === 0) problems.push({ field, message: 'is cut to nothing (shorter than one frame)' });
  });
  if (problems.length > 0) throw fieldErrors(ErrorCode.InvalidEdit, problems);
  return spans;
}

/** The pieces of the spans that output frames [first, first + count) come from, in order. */
export function piecesOf(
  spans: readonly Span[],
  first: number,
  count: number,
): Array<{ span: Span; startFrame: number; frameCount: number }> {
  const pieces = [];
  for (const span of spans) {
    const from = Math.max(first, span.outputFrame);
    const to = Math.min(first + count, span.outputFrame + span.frameCount);
    if (to > from) pieces.push({ span, startFrame: from, frameCount: to - from });
  }
  return pieces;
}
