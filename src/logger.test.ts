import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { OriginError } from './errors.js';
import { pinoLogger } from './logger.js';
import { failed } from './services/job-context.js';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
}

describe('pino logger', () => {
  it('writes JSON lines with level, time and message, and drops what is below LOG_LEVEL', () => {
    const { lines, stream } = capture();
    const logger = pinoLogger('warn', stream);
    logger.info('quiet', { a: 1 });
    logger.warn('loud', { a: 2 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', message: 'loud', a: 2 });
    expect(typeof lines[0]!.time).toBe('string');
  });

  it('logs a failed job once, with its stack, and hands waiters an internal error', () => {
    const { lines, stream } = capture();
    const logger = pinoLogger('info', stream);
    const boom = new Error('ffmpeg exited with 1');
    expect(() => failed(logger, 'video segment', 'r/720p/3', boom)).toThrow(OriginError);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'error', message: 'video segment failed', key: 'r/720p/3' });
    expect((lines[0]!.err as { stack: string }).stack).toContain('ffmpeg exited with 1');
  });
});
