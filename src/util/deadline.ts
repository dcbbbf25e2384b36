import { ErrorCode, OriginError } from '../errors.js';

/**
 * Waits for `work` at most `ms`; past it, fails with `timeout` (a 503 the client may retry). The work
 * itself goes on — a job others wait on, or whose result the next request will find in the cache.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new OriginError(ErrorCode.Timeout, `${what} is still being made; retry shortly`)),
      ms,
    );
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
