import { ErrorCode, OriginError } from '../errors.js';
import type { Logger } from '../logger.js';

/**
 * Turns a job's failure into an origin error: origin errors pass through, anything else is logged —
 * once, by the job, with its stack, however many requests wait for it — and becomes `internal`.
 */
export function failed(logger: Logger, what: string, key: string, err: unknown): never {
  if (err instanceof OriginError) throw err;
  logger.error(`${what} failed`, { key, err });
  throw new OriginError(ErrorCode.Internal, `${what} generation failed`, undefined, { cause: err });
}
