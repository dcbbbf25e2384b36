import { ErrorCode, OriginError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { FfmpegContext } from '../media/video-segment.js';
import type { ProcessRunner } from '../media/process-runner.js';

/** What a media job needs to run ffmpeg, from the service's dependencies. */
export function ffmpegContext(deps: { runner: ProcessRunner; ffmpegPath: string; jobTimeoutMs: number }): FfmpegContext {
  return { runner: deps.runner, ffmpegPath: deps.ffmpegPath, timeoutMs: deps.jobTimeoutMs };
}

/** Turns a job's failure into an origin error: origin errors pass through, anything else is logged and becomes `internal`. */
export function failed(logger: Logger, what: string, key: string, err: unknown): never {
  if (err instanceof OriginError) throw err;
  logger.error(`${what} failed`, { key, error: String(err) });
  throw new OriginError(ErrorCode.Internal, `${what} generation failed`, undefined, { cause: err });
}
