import { ErrorCode, OriginError, UnusableSourceError } from '../errors.js';
import { ProcessError } from './process-runner.js';

/**
 * A process run's failure classified by its cause, not by where it surfaced (a probe, a mint's copy of
 * a chunked recording, a segment): killed from outside (the out-of-memory killer, an operator) or not
 * started is a retryable `unavailable`, out of time a retryable `timeout` — neither says anything about
 * the input — and a run that needed more than its memory ceiling means the source is too large for
 * the budget (UnusableSourceError: mint names the source). undefined for the input's own failures
 * (`exit`, `output-limit`), which the caller judges, and for anything that is not a ProcessError.
 */
export function processFailure(err: unknown, what: string): OriginError | UnusableSourceError | undefined {
  if (!(err instanceof ProcessError)) return undefined;
  switch (err.reason) {
    case 'killed':
    case 'spawn':
      return new OriginError(ErrorCode.Unavailable, `${what} was interrupted; retry shortly`, undefined, {
        cause: err,
      });
    case 'timeout':
      return new OriginError(ErrorCode.Timeout, `${what} took longer than its time limit; retry shortly`, undefined, {
        cause: err,
      });
    case 'memory':
      return new UnusableSourceError(
        `needs more memory than one run may use (${what}): a picture or an index too large for the budget`,
        { cause: err },
      );
    default:
      return undefined;
  }
}
