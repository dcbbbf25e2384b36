import type { ImageInfo } from './picture/image-header.js';
import type { Overlay } from './edits/overlays.js';
import type { ClipAudio, ClipCamera, LayoutEntry } from './edits/layouts.js';

/** What a probe learned about a source; stored with the revision so playlists never need ffprobe. */
export interface SourceInfo {
  key: string;
  /** ETag (S3) or mtime+size (files) at probe time. */
  etag: string;
  size: number;
  /** ffprobe's format name, e.g. "mov,mp4,m4a,3gp,3g2,mj2" or "matroska,webm". */
  format: string;
  /** Seconds of video, measured from the first video frame. */
  duration: number;
  /**
   * False for a recording that cannot seek without reading from the start (a browser recorder's
   * WebM: no Cues, no Duration); such a source is indexed once into a local copy.
   */
  seekable?: boolean;
  video: {
    codec: string;
    /** Coded size. */
    width: number;
    height: number;
    /** Size as displayed: sample aspect ratio applied, rotation applied. */
    displayWidth: number;
    displayHeight: number;
    /** Display rotation (0, 90, 180, 270); 90 and 270 swap the displayed axes. */
    rotation: number;
    /** Nominal frame rate as a number (frames per second). */
    frameRate: number;
    /** Presentation time of the first video frame in the source's own clock (seconds). */
    startTime: number;
    /** ffprobe's `color_space` (the YUV matrix: bt709, smpte170m, bt470bg…), when the source says. */
    matrix?: string;
    /** True when the source says its samples use the full range (`color_range` pc). */
    fullRange?: boolean;
  };
  audio?: {
    codec: string;
    sampleRate: number;
    channels: number;
    startTime: number;
  };
}

/** One clip of the revision's edit list, in source seconds. */
export interface Clip {
  source: string;
  start?: number;
  end?: number;
  cuts?: Array<[number, number]>;
  /** Overrides the revision's `noiseSuppression` for this clip (e.g. off for an intro with music). */
  noiseSuppression?: boolean;
  /** A camera recorded beside the source (the screen). */
  camera?: ClipCamera;
  /** How screen and camera share the canvas, from moments of the clip's source time on (a camera's bubble when absent). */
  layouts?: LayoutEntry[];
  /** Whose sound plays; the screen's by default, or the camera's when the screen has none. */
  audio?: ClipAudio;
}

/** The validated, canonical edit list a revision id is derived from. */
export interface Edits {
  clips: Clip[];
  /** RNNoise on every clip's audio, unless the clip says otherwise. */
  noiseSuppression: boolean;
  /** Drawn in order, later ones on top. */
  overlays: Overlay[];
  /** Output seconds of the poster's frame; the revision's middle when absent. */
  posterTime?: number;
}

/** What the revision store keeps under a revision id. */
export interface RevisionRecord {
  id: string;
  /** Schema version of this record, so later builds can read older ones. */
  version: 1;
  createdAt: string;
  edits: Edits;
  /** Probe results per source key, captured at mint time. */
  sources: Record<string, SourceInfo>;
  /** Image overlays' pictures by key, checked at mint time (absent without image overlays). */
  images?: Record<string, ImageInfo>;
}
