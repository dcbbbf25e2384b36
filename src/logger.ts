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

const LEVEL_COLOURS: Record<string, string> = {
  trace: '90',
  debug: '90',
  info: '32',
  warn: '33',
  error: '31',
  fatal: '35',
};

/**
 * One JSON log line as a person reads it in a terminal: `11:20:42.604 INFO  message key=value …`, a
 * request as `GET /path 200 12.3 ms`, an error's stack indented below it. Not JSON any more: for a
 * terminal only (log collectors get the JSON lines).
 */
export function prettyLine(json: string, colours: boolean): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const { level, time, message, err, ...rest } = entry;
  let fields = rest;
  const paint = (code: string, text: string) => (colours ? `\x1b[${code}m${text}\x1b[0m` : text);
  const label = String(level ?? 'info');
  const clock = typeof time === 'string' ? new Date(time).toTimeString().slice(0, 8) : '';
  let text = String(message ?? '');
  if (message === 'request' && typeof fields.method === 'string') {
    const { method, path, status, ms, ...others } = fields;
    text = `${String(method)} ${String(path)} ${String(status)} ${String(ms)} ms`;
    fields = others;
  }
  const pairs = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${paint('2', `${k}=`)}${typeof v === 'string' ? v : JSON.stringify(v)}`);
  const head = `${paint('2', clock)} ${paint(LEVEL_COLOURS[label] ?? '0', label.toUpperCase().padEnd(5))} ${text}`;
  const stack = (err as { stack?: string } | undefined)?.stack;
  return [head, ...pairs].join(' ') + (stack ? `\n    ${stack.split('\n').join('\n    ')}` : '');
}

/** A pino destination that writes `prettyLine`s to `out` (a terminal). */
export function prettyDestination(out: { write(text: string): unknown; hasColors?: () => boolean }): DestinationStream {
  const colours = out.hasColors?.() ?? false;
  return {
    write(chunk: string) {
      for (const line of chunk.split('\n')) if (line) out.write(`${prettyLine(line, colours)}\n`);
    },
  };
}
