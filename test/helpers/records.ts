import type { Clip, RevisionRecord, SourceInfo } from '../../src/core/types.js';

/** Stereo AAC at 48 kHz from the start: what most sources carry. */
export const STEREO_AAC: NonNullable<SourceInfo['audio']> = {
  codec: 'aac',
  sampleRate: 48000,
  channels: 2,
  startTime: 0,
};

export interface SourceOptions {
  key?: string;
  duration?: number;
  width?: number;
  height?: number;
  frameRate?: number;
  /** The video's first timestamp. */
  startTime?: number;
  /** The audio stream; null for a source without one. */
  audio?: SourceInfo['audio'] | null;
  /** Anything else of the video stream (a rotation, a display size of its own). */
  video?: Partial<SourceInfo['video']>;
}

/** Probe data of a source for pure tests: 1280×720 H.264 at 30 fps, 10 s, stereo AAC, unless told otherwise. */
export function sourceInfo({
  key = 'a.mp4',
  duration = 10,
  width = 1280,
  height = 720,
  frameRate = 30,
  startTime = 0,
  audio = STEREO_AAC,
  video,
}: SourceOptions = {}): SourceInfo {
  return {
    key,
    etag: 'e',
    size: 1,
    format: 'mov,mp4',
    duration,
    video: {
      codec: 'h264',
      width,
      height,
      displayWidth: width,
      displayHeight: height,
      rotation: 0,
      frameRate,
      startTime,
      ...video,
    },
    ...(audio ? { audio } : {}),
  };
}

/** A stored revision of `sources` (each its own clip, in order, unless `clips` says otherwise). */
export function revisionRecord(
  sources: SourceInfo[],
  {
    id = 'AAAAAAAAAAAAAAAAAAAAAA',
    clips,
    noiseSuppression = false,
  }: { id?: string; clips?: Clip[]; noiseSuppression?: boolean } = {},
): RevisionRecord {
  return {
    id,
    version: 1,
    createdAt: '2026-01-01T00:00:00Z',
    edits: { clips: clips ?? sources.map((s) => ({ source: s.key })), noiseSuppression, overlays: [] },
    sources: Object.fromEntries(sources.map((s) => [s.key, s])),
  };
}
