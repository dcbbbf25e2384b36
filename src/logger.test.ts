import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { OriginError } from './errors.js';
import { pinoLogger, prettyDestination, prettyLine } from './logger.js';
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

describe('pretty lines (a terminal)', () => {
  const at = '2026-01-02T03:04:05.678Z';
  const clock = new Date(at).toTimeString().slice(0, 8);

  it('shows time, level, message and fields, a request as method, path, status and time', () => {
    const banner = JSON.stringify({
      level: 'info',
      time: at,
      message: 'avserver listening',
      url: 'http://127.0.0.1:8080',
    });
    expect(prettyLine(banner, false)).toBe(`${clock} INFO  avserver listening url=http://127.0.0.1:8080`);
    const request = JSON.stringify({
      level: 'info',
      time: at,
      message: 'request',
      req: 'r1',
      method: 'GET',
      path: '/play/x/master.m3u8',
      status: 503,
      ms: 1.5,
      error: 'overloaded',
      reason: 'the job queue is full',
      timing: { total: 1.5 },
    });
    expect(prettyLine(request, false)).toBe(
      `${clock} INFO  GET /play/x/master.m3u8 503 1.5 ms req=r1 error=overloaded reason=the job queue is full timing={"total":1.5}`,
    );
  });

  it("puts an error's stack under its line, and colours only when asked", () => {
    const line = JSON.stringify({
      level: 'error',
      time: at,
      message: 'job failed',
      err: { stack: 'Error: boom\n    at x' },
    });
    expect(prettyLine(line, false)).toBe(`${clock} ERROR job failed\n    Error: boom\n        at x`);
    expect(prettyLine(line, true)).toContain('\x1b[31mERROR\x1b[0m');
  });

  it("writes pino's lines through the pretty destination", () => {
    let out = '';
    const logger = pinoLogger('info', prettyDestination({ write: (s: string) => (out += s) }));
    logger.info('avserver stopped', { signal: 'SIGTERM' });
    expect(out).toMatch(/^\d\d:\d\d:\d\d INFO {2}avserver stopped signal=SIGTERM\n$/);
  });
});
