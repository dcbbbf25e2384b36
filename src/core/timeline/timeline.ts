import { AUDIO_SAMPLE_RATE } from './media-units.js';
import { ErrorCode, OriginError, fieldErrors, problemsOf, type FieldProblem } from '../../errors.js';
import type { Clip, SourceInfo } from '../types.js';
import {
  DEFAULT_SCENE,
  SCREEN_SCENE,
  sameScene,
  sceneOf,
  showsCamera,
  type ClipAudio,
  type Scene,
} from '../edits/layouts.js';

/** From output frame `frame` on (until the next), how screen and camera share the canvas. */
export interface SceneChange {
  frame: number;
  scene: Scene;
}

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
  /**
   * The clip's camera, when a scene of the span shows it: its source and its own clock at the span's first frame
   * (it advances with the span's, a second per second).
   */
  camera?: { source: SourceInfo; sourceStart: number };
  /** With `camera`: the scenes, in order, the first at `outputFrame`. Absent: the screen alone. */
  scenes?: SceneChange[];
  /** Whose sound plays, for a clip with a camera; the screen's when absent. */
  audio?: ClipAudio;
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
    const camera = clip.camera && sources.get(clip.camera.source);
    if (clip.camera && !camera) throw new Error(`no probe data for ${clip.camera.source}`);
    const layoutProblems = checkLayoutTimes(clip, kept, field);
    if (layoutProblems.length > 0) {
      problems.push(...layoutProblems);
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
        ...(camera ? composition(clip, source, camera, { from, frameCount, outputFrame, fps }) : {}),
      });
      outputFrame += frameCount;
      clipFrames += frameCount;
    }
    if (clipFrames === 0) problems.push({ field, message: 'is cut to nothing (shorter than one frame)' });
  });
  if (problems.length > 0) throw fieldErrors(ErrorCode.InvalidEdit, problems);
  return spans;
}

/** Output frames of one span with one scene. */
export interface SpanPiece {
  span: Span;
  startFrame: number;
  frameCount: number;
  /** What the frames show, with the span's camera; absent: the screen alone. */
  scene?: Scene;
}

/** The pieces of the spans that output frames [first, first + count) come from, in order, one per scene. */
export function piecesOf(spans: readonly Span[], first: number, count: number): SpanPiece[] {
  const pieces: SpanPiece[] = [];
  for (const span of spans) {
    const scenes = span.scenes ?? [{ frame: span.outputFrame, scene: SCREEN_SCENE }];
    scenes.forEach(({ frame, scene }, k) => {
      const sceneEnd = scenes[k + 1]?.frame ?? span.outputFrame + span.frameCount;
      const from = Math.max(first, frame);
      const to = Math.min(first + count, sceneEnd);
      if (to <= from) return;
      pieces.push({ span, startFrame: from, frameCount: to - from, ...(showsCamera(scene) ? { scene } : {}) });
    });
  }
  return pieces;
}

/** `at` of every layout within the clip: from its start to its end (the last kept second). */
function checkLayoutTimes(clip: Clip, kept: Array<[number, number]>, field: string): FieldProblem[] {
  if (!clip.layouts || kept.length === 0) return [];
  const start = clip.start ?? 0;
  const end = kept[kept.length - 1]![1];
  return clip.layouts.flatMap((entry, j) =>
    entry.at < start - 1e-6 || entry.at >= end
      ? [{ field: `${field}.layouts[${j}].at`, message: `must lie within the clip (${start}–${end.toFixed(3)} s)` }]
      : [],
  );
}

/**
 * What a span of a clip with a camera shows: its scenes, from the clip's layouts (anchored to source time, each
 * change on the output frame its time rounds to, as a cut's edge is) and where the camera has frames (none before
 * its first or after its last: the screen alone there, never a frozen frame); and whose sound plays. A span whose
 * scenes never show the camera is the screen alone, with no camera to read.
 */
function composition(
  clip: Clip,
  screen: SourceInfo,
  camera: SourceInfo,
  at: { from: number; frameCount: number; outputFrame: number; fps: number },
): Pick<Span, 'camera' | 'scenes' | 'audio'> {
  const { from, frameCount: n, outputFrame, fps } = at;
  const offset = clip.camera?.offset ?? 0;
  const frameOf = (seconds: number) => Math.min(n, Math.max(0, Math.round((seconds - from) * fps)));
  // Frames whose camera time (t + offset, from its first frame) falls within the camera's recording.
  const covered = {
    from: Math.min(n, Math.max(0, Math.ceil((-offset - from) * fps - 1e-6))),
    to: Math.min(n, Math.max(0, Math.ceil((camera.duration - offset - from) * fps - 1e-6))),
  };
  const laid: SceneChange[] = [{ frame: 0, scene: DEFAULT_SCENE }];
  for (const entry of clip.layouts ?? []) {
    const frame = frameOf(entry.at);
    if (laid[laid.length - 1]!.frame === frame) laid.pop();
    laid.push({ frame, scene: sceneOf(entry) });
  }
  const scenes: SceneChange[] = [];
  const add = (frame: number, scene: Scene) => {
    if (frame >= n) return;
    const last = scenes[scenes.length - 1];
    if (last?.frame === frame) scenes.pop();
    if (!scenes.length || !sameScene(scenes[scenes.length - 1]!.scene, scene)) scenes.push({ frame, scene });
  };
  laid.forEach(({ frame, scene }, k) => {
    const end = laid[k + 1]?.frame ?? n;
    if (!showsCamera(scene)) return add(frame, scene);
    add(frame, frame < covered.from || frame >= covered.to ? SCREEN_SCENE : scene);
    if (covered.from > frame && covered.from < end) add(covered.from, scene);
    if (covered.to > frame && covered.to < end) add(covered.to, SCREEN_SCENE);
  });
  const audio: ClipAudio = clip.audio ?? (!screen.audio && camera.audio ? 'camera' : 'screen');
  if (!scenes.some((s) => showsCamera(s.scene)))
    return audio === 'screen' ? {} : { audio, camera: cameraAt(camera, from, offset) };
  return {
    camera: cameraAt(camera, from, offset),
    scenes: scenes.map((s) => ({ frame: outputFrame + s.frame, scene: s.scene })),
    audio,
  };
}

/** The camera's own clock at the screen's source second `from`. */
const cameraAt = (camera: SourceInfo, from: number, offset: number) => ({
  source: camera,
  sourceStart: camera.video.startTime + from + offset,
});

/** A span's camera as a span of its own: the same output frames, read from the camera on its own clock. */
export function cameraSpan(span: Span): Span {
  const { camera, scenes: _scenes, ...rest } = span;
  if (!camera) throw new Error('the span has no camera');
  return { ...rest, source: camera.source, sourceStart: camera.sourceStart };
}

/**
 * The sound a span plays, as spans whose source's audio it is (the screen, the camera on its own clock, or both:
 * mixed, the screen's first), each with the output samples of the span it covers (counted from the span's first):
 * a camera's sound only where the camera recorded.
 */
export function soundOf(span: Span): Array<{ track: Span; samples: { from: number; to: number } }> {
  const whole = { from: 0, to: Infinity };
  const screen = span.source.audio && span.audio !== 'camera' ? [{ track: span, samples: whole }] : [];
  if (!span.camera?.source.audio || (span.audio ?? 'screen') === 'screen') return screen;
  const camera = cameraSpan(span);
  const { video, duration, audio } = camera.source;
  const at = (clock: number) => (clock - camera.sourceStart) * AUDIO_SAMPLE_RATE;
  const samples = {
    from: Math.max(0, Math.ceil(at(audio!.startTime))),
    to: Math.floor(at(video.startTime + duration)),
  };
  return samples.to > samples.from ? [...screen, { track: camera, samples }] : screen;
}
