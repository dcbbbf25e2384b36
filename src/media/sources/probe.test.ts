import { describe, expect, it } from 'vitest';
import { OriginError, UnusableSourceError } from '../../errors.js';
import { ProcessError, type ProcessRunner } from '../process-runner.js';
import { probeTarget } from './probe.js';

/** A runner whose ffprobe always fails the given way. */
const failing = (reason: ProcessError['reason']) => ({
  runner: {
    run: () => Promise.reject(new ProcessError(`ffprobe failed: ${reason}`, reason, '')),
  } as unknown as ProcessRunner,
  ffprobePath: 'ffprobe',
  ffmpegPath: 'ffmpeg',
  timeoutMs: 1000,
});

const probe = (reason: ProcessError['reason']) =>
  probeTarget(
    { kind: 'file', input: '/nowhere.mp4', demuxer: 'mov' },
    { key: 'a.mp4', etag: 'e', size: 1 },
    failing(reason),
  ).catch((err: unknown) => err);

describe('a probe that fails', () => {
  it.each([
    ['exit', UnusableSourceError, undefined],
    ['output-limit', UnusableSourceError, undefined],
    ['killed', OriginError, 'unavailable'],
    ['spawn', OriginError, 'unavailable'],
    ['timeout', OriginError, 'timeout'],
  ] as const)('because ffprobe %s: %o', async (reason, type, code) => {
    // Only ffprobe's own refusal says the source is unusable; a probe cut short says nothing about it.
    const err = await probe(reason);
    expect(err).toBeInstanceOf(type);
    if (code) expect((err as OriginError).code).toBe(code);
  });
});

/** ffmpeg's framecrc output: the first frame decoded, and the last packet of the 10 s, read. */
const FRAME = Buffer.from('0,          0,          0,        1,  1382400, 0xfa0688b2\n');
/** The last packet's line, ending where the stream does (ms). */
const last = (stream: Record<string, unknown>) => {
  const end = Math.round((Number(stream.start_time ?? 0) + Number(stream.duration ?? 10)) * 1000);
  return Buffer.from(`#tb 0: 1/1000
0, ${end - 33}, ${end - 33}, 33, 1366, 0x832dafef, F=0x0
`);
};

/**
 * A runner whose ffprobe answers a video stream for an MP4 of 10 s at 30 fps (with `stream`'s fields
 * over it), and whose ffmpeg decodes a frame at its start and reads the packets to its end.
 */
const answering = (stream: Record<string, unknown>) => ({
  runner: {
    run: (command: string) =>
      Promise.resolve({
        stdout:
          command === 'ffmpeg'
            ? FRAME
            : Buffer.from(
                JSON.stringify({
                  format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: '10' },
                  streams: [
                    {
                      codec_type: 'video',
                      codec_name: 'h264',
                      width: 1280,
                      height: 720,
                      r_frame_rate: '30/1',
                      duration: '10',
                      ...stream,
                    },
                  ],
                }),
              ),
        extra: command === 'ffmpeg' ? [last(stream)] : [],
        stderr: '',
      }),
  } as unknown as ProcessRunner,
  ffprobePath: 'ffprobe',
  ffmpegPath: 'ffmpeg',
  timeoutMs: 1000,
});

const probeAnswered = (stream: Record<string, unknown>) =>
  probeTarget(
    { kind: 'file', input: '/nowhere.mp4', demuxer: 'mov' },
    { key: 'a.mp4', etag: 'e', size: 1 },
    answering(stream),
  ).catch((err: unknown) => err);

describe('a picture larger than any job should decode', () => {
  it.each([
    [16000, 16000, false],
    [8192, 8192, false],
    [9000, 100, false],
    [7680, 4320, true],
    [4320, 7680, true],
    [3840, 2160, true],
  ])('%i×%i: accepted %s', async (width, height, accepted) => {
    const result = await probeAnswered({ width, height });
    if (accepted) expect(result).toMatchObject({ video: { width, height } });
    else expect(result).toMatchObject({ message: expect.stringMatching(/larger than 8192 on a side/) });
  });
});

describe('what a container says it holds', () => {
  it.each([
    ['300 frames in 10 s', { nb_frames: '300' }, undefined],
    ['a day at 60 fps', { nb_frames: String(86_400 * 60), duration: '86400' }, undefined],
    ['more than a day at 60 fps', { nb_frames: String(86_400 * 60 + 1), duration: '86400' }, /more than 5184000/],
    ['a million frames in 10 s', { nb_frames: '1000000' }, /more than 240 a second/],
    ['a stream that starts 26 hours in (an MPEG-TS clock near its wrap)', { start_time: '94000' }, undefined],
    ['a stream an edit list starts 63 years in', { start_time: '2000000000' }, /starts its video at 555556 hours/],
    ['a stream an edit list starts 63 years early', { start_time: '-2000000000' }, /starts its video/],
  ])('%s', async (_name, stream, refusal) => {
    const result = await probeAnswered(stream);
    if (!refusal) expect(result).toMatchObject({ video: { width: 1280 } });
    else {
      expect(result).toBeInstanceOf(UnusableSourceError);
      expect((result as Error).message).toMatch(refusal);
    }
  });
});
