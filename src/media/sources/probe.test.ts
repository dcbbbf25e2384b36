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
