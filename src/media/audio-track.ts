import { randomBytes } from 'node:crypto';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Span } from '../core/plan.js';
import type { AudioSlice } from '../core/segment-grid.js';
import { AAC_FRAME_SAMPLES } from '../core/segment-grid.js';
import { parseAdtsFrames, type AdtsConfig } from './adts.js';
import { audioTrackArgs } from './ffmpeg-args.js';
import { aacInitSegment, aacMediaSegment } from './mp4/aac-track.js';
import type { FfmpegContext } from './video-segment.js';

/** AAC's encoder delay: ffmpeg's encoder emits one priming frame before the first real one. */
const PRIMING_FRAMES = 1;

interface Waiter {
  frames: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * A revision's whole audio track, rendered once into a file on local disk while it is being read:
 * ffmpeg streams ADTS, whole AAC frames are appended as they arrive, and an audio segment waits only
 * for its own frames. Segments are slices of whole frames chosen by arithmetic, so they join with no
 * gap and no click (DESIGN.md rule 4), and the first one is ready long before the track is done.
 */
export class AudioTrack {
  readonly #offsets: number[] = [];
  readonly #sizes: number[] = [];
  #config?: AdtsConfig;
  #pending: Buffer = Buffer.alloc(0);
  #written = 0;
  #writes: Promise<void> = Promise.resolve();
  #waiters: Waiter[] = [];
  #failure?: unknown;
  #done = false;
  readonly #abort = new AbortController();

  private constructor(
    readonly path: string,
    private readonly file: FileHandle,
    /** Frames of the output (priming excluded). */
    readonly frameCount: number,
    readonly bitrate: number,
  ) {}

  static async create(workDir: string, frameCount: number, bitrate: number): Promise<AudioTrack> {
    const path = join(workDir, `audio-${randomBytes(8).toString('hex')}.aac`);
    return new AudioTrack(path, await open(path, 'w+'), frameCount, bitrate);
  }

  /** True once every frame is on disk. */
  get done(): boolean {
    return this.#done;
  }

  /** Bytes the finished track takes on disk, estimated from the bitrate (for cache accounting). */
  get estimatedSize(): number {
    return Math.ceil((this.frameCount * AAC_FRAME_SAMPLES * this.bitrate) / 48000 / 8);
  }

  /** Aborted when the track is disposed: the render stops. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** Feeds ADTS bytes as the encoder writes them. */
  append(chunk: Buffer): void {
    this.#writes = this.#writes.then(() => this.#appendNow(chunk)).catch((err: unknown) => this.fail(err));
  }

  async #appendNow(chunk: Buffer): Promise<void> {
    if (this.#failure) return;
    const buf = this.#pending.length ? Buffer.concat([this.#pending, chunk]) : chunk;
    const { frames, consumed, config } = parseAdtsFrames(buf);
    this.#config ??= config;
    this.#pending = Buffer.from(buf.subarray(consumed));
    if (frames.length === 0) return;
    const payload = Buffer.concat(frames.map((f) => buf.subarray(f.payload, f.payload + f.size)));
    await this.file.write(payload, 0, payload.length, this.#written);
    for (const f of frames) {
      this.#offsets.push(this.#written);
      this.#sizes.push(f.size);
      this.#written += f.size;
    }
    this.#wake();
  }

  /** The encoder has exited cleanly: checks the track is whole. */
  async finish(): Promise<void> {
    await this.#writes;
    if (this.#failure) throw this.#failure;
    if (this.#pending.length > 0) this.fail(new Error('audio track ends in the middle of a frame'));
    else if (this.#offsets.length < PRIMING_FRAMES + this.frameCount) {
      this.fail(new Error(`audio track has ${this.#offsets.length} frames, expected ${PRIMING_FRAMES + this.frameCount}`));
    } else {
      this.#done = true;
      this.#wake();
    }
    if (this.#failure) throw this.#failure;
  }

  /** The render failed: every waiting and later read fails with `err`. */
  fail(err: unknown): void {
    this.#failure ??= err;
    for (const w of this.#waiters.splice(0)) w.reject(this.#failure);
  }

  #wake(): void {
    this.#waiters = this.#waiters.filter((w) => {
      if (this.#offsets.length < w.frames) return true;
      w.resolve();
      return false;
    });
  }

  #waitFor(frames: number): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#offsets.length >= frames) return Promise.resolve();
    return new Promise((resolve, reject) => this.#waiters.push({ frames, resolve, reject }));
  }

  async initSegment(): Promise<Buffer> {
    await this.#waitFor(1);
    return aacInitSegment({ ...this.#config!, bitrate: this.bitrate });
  }

  /** The media segment for one slice of the grid, as soon as its frames are on disk. */
  async segment(slice: AudioSlice): Promise<Buffer> {
    const first = PRIMING_FRAMES + slice.firstFrame;
    const end = first + slice.frameCount;
    await this.#waitFor(end);
    const from = this.#offsets[first]!;
    const bytes = Buffer.alloc(this.#offsets[end - 1]! + this.#sizes[end - 1]! - from);
    await this.file.read(bytes, 0, bytes.length, from);
    const frames: Buffer[] = [];
    for (let i = first; i < end; i++) frames.push(bytes.subarray(this.#offsets[i]! - from, this.#offsets[i]! - from + this.#sizes[i]!));
    return aacMediaSegment(frames, slice.firstFrame, slice.index + 1);
  }

  /** Stops a render still running, then deletes the file. */
  async dispose(): Promise<void> {
    this.#abort.abort();
    this.fail(new Error('audio track disposed'));
    await this.#writes;
    await this.file.close().catch(() => {});
    await rm(this.path, { force: true });
  }
}

/**
 * Runs the encoder for a revision's audio into `track`: `track.frameCount` frames of AAC-LC 48 kHz
 * stereo (plus the priming frame, skipped by slicing), one input per span. Resolves when the track is
 * complete; on failure the track is failed too, so its readers get the error.
 */
export async function renderAudioTrack(ctx: FfmpegContext, pieces: Array<{ input: string; span: Span }>, fps: number, track: AudioTrack): Promise<void> {
  try {
    const args = audioTrackArgs(pieces, fps, track.frameCount * AAC_FRAME_SAMPLES, track.bitrate);
    await ctx.runner.run(ctx.ffmpegPath, args, { timeoutMs: ctx.timeoutMs, signal: track.signal, onStdout: (chunk) => track.append(chunk) });
    await track.finish();
  } catch (err) {
    track.fail(err);
    throw err;
  }
}
