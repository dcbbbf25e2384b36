import { AAC_LC_CODEC, HIGH_PROFILE_IDC, avcCodecString } from './picture/h264.js';
import { AUDIO_BITRATE, AUDIO_CHANNELS, AUDIO_SAMPLE_RATE } from './timeline/media-units.js';
import { planLadder, type VideoRendition } from './picture/ladder.js';
import {
  outputFrameRate,
  planAudioSlices,
  planSegmentGrid,
  type AudioSlice,
  type SegmentGrid,
} from './timeline/segment-grid.js';
import { overlayFrames, type PlannedOverlay } from './edits/overlays.js';
import { compileTimeline, soundOf, type Span } from './timeline/timeline.js';
import type { RevisionRecord } from './types.js';
import { ErrorCode, OriginError } from '../errors.js';

export type { Span } from './timeline/timeline.js';

export interface AudioRendition {
  id: 'audio';
  bitrate: number;
  channels: number;
  sampleRate: number;
  slices: AudioSlice[];
}

/** Everything needed to answer any request for a revision, computed without running ffmpeg. */
export interface Plan {
  revisionId: string;
  fps: number;
  /** Output seconds: video frames / fps. */
  duration: number;
  grid: SegmentGrid;
  spans: Span[];
  /** Highest first. */
  video: VideoRendition[];
  /** The rendition players should start on (listed first in the master playlist). */
  startRendition: string;
  audio?: AudioRendition;
  /** Drawn in order over every video rendition, each on its output frames. */
  overlays: PlannedOverlay[];
  /** Output seconds of the poster's frame (the edits' `posterTime`, or the middle). */
  posterTime: number;
}

/** The start rendition is the largest at or below this short side: quick to encode, sharp enough. */
const START_SHORT_SIDE = 480;

export interface PlanOptions {
  segmentDuration: number;
}

/**
 * Compiles a revision into its output timeline, segment grid and renditions. Pure. The first clip sets
 * the output format: its frame rate and its display size (the canvas other clips are fitted into).
 */
export function planRevision(record: RevisionRecord, options: PlanOptions): Plan {
  const clip = record.edits.clips[0]!;
  // Own properties only: a source named like a built-in (`constructor`) is just a key.
  const sources = new Map(Object.entries(record.sources));
  const images = new Map(Object.entries(record.images ?? {}));
  const source = sources.get(clip.source);
  if (!source) throw new Error(`revision ${record.id} has no probe data for ${clip.source}`);
  const fps = outputFrameRate(source.video.frameRate);
  const spans = compileTimeline(record.edits.clips, sources, fps, record.edits.noiseSuppression);
  const frameCount = spans.reduce((n, s) => n + s.frameCount, 0);
  const grid = planSegmentGrid(frameCount, fps, options.segmentDuration);
  const video = planLadder(source.video.displayWidth, source.video.displayHeight, fps);
  const start = video.find((r) => Math.min(r.width, r.height) <= START_SHORT_SIDE) ?? video[video.length - 1]!;
  const duration = frameCount / fps;
  const { posterTime = duration / 2 } = record.edits;
  if (posterTime > duration)
    throw new OriginError(
      ErrorCode.InvalidEdit,
      `posterTime: is past the revision's end (${duration.toFixed(3)} s of output)`,
      'posterTime',
    );
  return {
    revisionId: record.id,
    fps,
    duration,
    posterTime,
    grid,
    spans,
    video,
    startRendition: start.id,
    // One clip with sound gives the revision an audio track; clips without it play silence.
    audio: spans.some((s) => soundOf(s).length > 0)
      ? {
          id: 'audio',
          bitrate: AUDIO_BITRATE,
          channels: AUDIO_CHANNELS,
          sampleRate: AUDIO_SAMPLE_RATE,
          slices: planAudioSlices(grid),
        }
      : undefined,
    overlays: record.edits.overlays.map((overlay, index) => ({
      index,
      overlay,
      ...(overlay.kind === 'image' ? { image: images.get(overlay.source) } : {}),
      ...overlayFrames(overlay, fps, frameCount),
    })),
  };
}

/** The codec string the encoder settings produce (High profile, no constraint flags, the rung's level). */
export function videoCodec(rendition: VideoRendition): string {
  return avcCodecString(HIGH_PROFILE_IDC, 0, rendition.levelIdc);
}

export const audioCodec = AAC_LC_CODEC;

/**
 * Peak bits per second of a rendition's segments, bounded by the VBV model: a segment of d seconds
 * holds at most maxrate·d + the initial buffer (x264 starts it 90% full), so the shortest segment sets
 * the peak. 10% margin covers container overhead and VBV rounding.
 */
export function peakBandwidth(rendition: VideoRendition, grid: SegmentGrid): number {
  const shortest = Math.min(...grid.segments.map((s) => s.duration));
  return Math.ceil((rendition.maxBitrate + (0.9 * rendition.bufferBits) / shortest) * 1.1);
}
