/** The caps on what edits and sources may hold (LIMITS, below, adds the body size that follows from them). */
const EDIT_LIMITS = {
  /** Clips one revision may stitch. */
  clips: 20,
  /** Cuts in one clip. */
  cutsPerClip: 100,
  /** Layout changes in one clip. */
  layoutsPerClip: 100,
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
  /** Characters of an object key (UTF-16 units, as S3 and `objectKeyProblem` count them). */
  objectKeyCharacters: 1024,
} as const;

/**
 * The longest mint body that keeps within every other limit at once, as `JSON.stringify` writes it (compact): the
 * body limit follows from the edit limits, so each of them can be reached, all together (a fixed 1 MB once made
 * the 100,000-point drawing limit unreachable). An upper bound, member by member: numbers as their longest
 * shortest-round-trip form (`-1.2345678901234567e-300`, 24 bytes), a text character as its longest stringified
 * form (a control character, `\u0007`: 6 bytes), a key character as 3 bytes (UTF-8 of a BMP character; keys hold
 * no control characters); drawings as 2-point strokes, which carry the most bytes per point.
 */
export function mintBodyBytes(limits: typeof EDIT_LIMITS): number {
  const NUMBER = 24;
  const BOOLEAN = 5;
  const string = (bytes: number) => 2 + bytes;
  const key = string(3 * limits.objectKeyCharacters);
  const colour = string(9);
  /** `"name":value,` */
  const member = (name: string, value: number) => name.length + 4 + value;
  /** `{…}` of members, or `[…]` of items each followed by a comma. */
  const object = (...members: number[]) => 2 + members.reduce((a, b) => a + b, 0);
  const list = (count: number, item: number) => 2 + count * (item + 1);

  const layout = object(
    member('at', NUMBER),
    member('layout', string(6)),
    member('corner', string(12)),
    3 * member('margin', NUMBER),
    member('border', object(member('width', NUMBER), member('color', colour))),
    member('mirror', BOOLEAN),
  );
  const clip = object(
    member('source', key),
    member('start', NUMBER),
    member('end', NUMBER),
    member('cuts', list(limits.cutsPerClip, list(2, NUMBER))),
    member('noiseSuppression', BOOLEAN),
    member('camera', object(member('source', key), member('offset', NUMBER))),
    member('layouts', list(limits.layoutsPerClip, layout)),
    member('audio', string(6)),
  );
  const times = member('start', NUMBER) + member('end', NUMBER);
  const kind = member('kind', string(7));
  const text = object(
    kind,
    member('text', string(6 * limits.overlayTextCharacters)),
    3 * member('size', NUMBER),
    member('color', colour),
    member('background', colour),
    times,
  );
  const image = object(kind, member('source', key), 4 * member('opacity', NUMBER), times);
  const drawing = object(kind, member('strokes', 2), times);
  const stroke = object(member('points', 2), member('color', colour), member('width', NUMBER)) + 1;
  const point = list(2, NUMBER) + 1;
  const strokes = Math.min(limits.overlays * limits.strokesPerDrawing, Math.floor(limits.pointsPerRevision / 2));
  const overlays =
    list(limits.overlays, Math.max(text, image, drawing)) + strokes * stroke + limits.pointsPerRevision * point;
  return object(
    member('clips', list(limits.clips, clip)),
    member('noiseSuppression', BOOLEAN),
    member('overlays', overlays),
  );
}

/**
 * The caps on what the origin accepts, in one place (the README's "Limits" lists them). Anything past
 * one is refused with a 4xx naming what was too large, before it can cost memory or time.
 */
export const LIMITS = {
  ...EDIT_LIMITS,
  /** Bytes of a mint request body: what a body at every other limit at once takes (`mintBodyBytes`). */
  mintBodyBytes: mintBodyBytes(EDIT_LIMITS),
} as const;
