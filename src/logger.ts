import { pino, stdSerializers, type DestinationStream } from 'pino';

/** The logging port: structured lines, one JSON object each. An `err` field is logged with its stack. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** pino, as JSON lines on stdout: `{"level":"info","time":"…","message":"…",…}`, at `level` (LOG_LEVEL). */
export function pinoLogger(level: string, destination?: DestinationStream): Logger {
  const log = pino(
    {
      level,
      base: undefined,
      messageKey: 'message',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: stdSerializers.err },
    },
    destination,
  );
  return {
    debug: (m, f) => log.debug(f ?? {}, m),
    info: (m, f) => log.info(f ?? {}, m),
    warn: (m, f) => log.warn(f ?? {}, m),
    error: (m, f) => log.error(f ?? {}, m),
  };
}

/** Discards everything (tests). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
