/**
 * The caps on what the origin accepts, in one place (the README's "Limits" lists them). Anything past
 * one is refused with a 4xx naming what was too large, before it can cost memory or time.
 */
export const LIMITS = {
  /** Bytes of a mint request body (room for drawings: a stroke of 10,000 points is about 200 KB of JSON). */
  mintBodyBytes: 1024 * 1024,
  /** Clips one revision may stitch. */
  clips: 20,
  /** Cuts in one clip. */
  cutsPerClip: 100,
  /** Overlays in one revision. */
  overlays: 50,
  /** Characters (code points) of one text overlay. */
  overlayTextCharacters: 500,
  /** Strokes in one drawing overlay. */
  strokesPerDrawing: 1000,
  /** Points in one stroke. */
  pointsPerStroke: 10_000,
  /** Points in all the drawings of one revision. */
  pointsPerRevision: 100_000,
  /** Bytes of an image overlay's file. */
  imageBytes: 32 * 1024 * 1024,
  /** Pixels on either side of an image overlay's picture (checked from its header before it is decoded). */
  imageSide: 8192,
  /** Pixels on either side of a source's picture (its header, at probe): 8K. */
  sourceSide: 8192,
  /**
   * Pixels of a source's picture: 8K UHD (8192 × 4320). Every job decodes the source's full picture; an
   * 8192 × 8192 recording cost about 1 GB a job, and no rendition (2160p at most) needs more.
   */
  sourcePixels: 8192 * 4320,
  /** Seconds of any source, and of a clip's start/end/cuts. */
  sourceSeconds: 24 * 3600,
  /** Video frames of a source, as its container states them or a packet scan counts them: 24 h at 60 fps. */
  sourceFrames: 24 * 3600 * 60,
  /**
   * Video frames a second of a source's duration, on average (the highest output rate is 60; VFR
   * recordings burst above it).
   */
  sourceFrameRate: 240,
  /**
   * Audio samples of a source's track as its container states them (PCM in a MOV counts each sample; AAC
   * or Opus count frames): 24 h at 192 kHz.
   */
  sourceAudioSamples: 24 * 3600 * 192_000,
  /**
   * Where a source's stream may start on its own clock, either side of zero (an edit list or a first time
   * stamp sets it): the range of the MPEG-TS clock (2^33 ticks of 90 kHz, 26.5 hours), which a timestamp
   * wrap may legitimately reach.
   */
  sourceStartSeconds: 2 ** 33 / 90_000,
  /** Streams (tracks) of one source: a recording of 100 audio tracks plays. */
  sourceStreams: 256,
  /** Bytes of a chunked recording's manifest (a DASH MPD or an HLS playlist). */
  manifestBytes: 1024 * 1024,
  /** Chunks in one track of a chunked recording (5.5 hours of 1 s chunks). */
  manifestChunks: 20_000,
  /** Bytes of one chunk or init segment of a chunked recording. */
  chunkBytes: 256 * 1024 * 1024,
  /** Bytes of a chunked recording assembled into one file (when its chunks may not start with keyframes). */
  assembledBytes: 16 * 1024 * 1024 * 1024,
} as const;
