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

/** A runner whose ffprobe answers `streams` for an MP4 of 10 s at 30 fps. */
const answering = (width: number, height: number) => ({
  runner: {
    run: () =>
      Promise.resolve({
        stdout: Buffer.from(
          JSON.stringify({
            format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: '10' },
            streams: [{ codec_type: 'video', codec_name: 'h264', width, height, r_frame_rate: '30/1', duration: '10' }],
          }),
        ),
        extra: [],
        stderr: '',
      }),
  } as unknown as ProcessRunner,
  ffprobePath: 'ffprobe',
  timeoutMs: 1000,
});

describe('a picture larger than any job should decode', () => {
  it.each([
    [16000, 16000, false],
    [8192, 8192, false],
    [9000, 100, false],
    [7680, 4320, true],
    [4320, 7680, true],
    [3840, 2160, true],
  ])('%i×%i: accepted %s', async (width, height, accepted) => {
    const result = await probeTarget(
      { kind: 'file', input: '/nowhere.mp4', demuxer: 'mov' },
      { key: 'a.mp4', etag: 'e', size: 1 },
      answering(width, height),
    ).catch((err: unknown) => err);
    if (accepted) expect(result).toMatchObject({ video: { width, height } });
    else expect(result).toMatchObject({ message: expect.stringMatching(/larger than 8192 on a side/) });
  });
});
