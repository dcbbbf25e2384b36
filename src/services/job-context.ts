import { diskFull, ErrorCode, OriginError } from '../errors.js';
import type { Logger } from '../logger.js';
import { ProcessError } from '../media/process-runner.js';

/**
 * Turns a job's failure into an origin error: origin errors pass through; a process killed from
 * outside (the out-of-memory killer, an operator) is a retryable `unavailable`, not remembered, so the
 * retry runs it again at once; anything else is logged — once, by the job, with its stack, however
 * many requests wait for it — and becomes `internal`.
 */
export function failed(logger: Logger, what: string, key: string, err: unknown): never {
  if (err instanceof OriginError) throw err;
  const full = diskFull(err);
  if (full) {
    logger.error(`${what} failed: the work disk is full`, { key, err });
    throw full;
  }
  if (err instanceof ProcessError && err.reason === 'killed') {
    logger.warn(`${what} interrupted`, { key, err: err.message });
    throw new OriginError(ErrorCode.Unavailable, `${what} was interrupted; retry shortly`, undefined, { cause: err });
  }
  logger.error(`${what} failed`, { key, err });
  throw new OriginError(ErrorCode.Internal, `${what} generation failed`, undefined, { cause: err });
}
