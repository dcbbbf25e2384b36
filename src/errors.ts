/**
 * The errors that cross layers. Code below the HTTP edge throws `OriginError` with a stable `code`;
 * only `http/error-response.ts` maps codes to status codes and cache headers. `UnusableSourceError`
 * says what is wrong with a source, and mint names the field it came from. (A failed ffmpeg run is
 * a `ProcessError` of src/media/process-runner.ts, classified by cause in src/media/process-failure.ts.)
 */
export const ErrorCode = {
  /** The request body is not JSON. */
  BadJson: 'bad_json',
  /** A field is missing, of the wrong type or out of range; `field` names it. */
  InvalidField: 'invalid_field',
  /** The request body is larger than the API accepts. */
  BodyTooLarge: 'body_too_large',
  /** Edits that cannot make a video: end before start, cuts outside the clip or overlapping, nothing left. */
  InvalidEdit: 'invalid_edit',
  /** A clip's source object does not exist. */
  SourceMissing: 'source_missing',
  /** A clip's source exists but is not media ffprobe can read, or has no video stream. */
  SourceUnusable: 'source_unusable',
  /** Missing or wrong bearer token. */
  Unauthorized: 'unauthorized',
  /** A playback request that did not come through the CDN (no or wrong `X-Origin-Verify`). */
  Forbidden: 'forbidden',
  /** No revision under this id (never minted, or expired). */
  RevisionNotFound: 'revision_not_found',
  /** A playback path that names no artifact: unknown rendition, index out of range, unknown file. */
  NotFound: 'not_found',
  /** A path segment of the wrong shape (non-numeric index, leading zeros, malformed id). */
  BadPath: 'bad_path',
  /** A Range header no byte of the artifact satisfies; `Content-Range: bytes *\/size` says its size. */
  RangeNotSatisfiable: 'range_not_satisfiable',
  /**
   * A source changed (ETag, or size and mtime) after the revision was minted: its segments would not be what was
   * minted.
   */
  SourceChanged: 'source_changed',
  /** The job queue is full; try again shortly. */
  Overloaded: 'overloaded',
  /** A job did not finish within its time limit. */
  Timeout: 'timeout',
  /** Redis or the object store did not answer, or a job's process was killed (out of memory, say): retry. */
  Unavailable: 'unavailable',
  /** ffmpeg or another internal step failed; the message is safe, details go to the log. */
  Internal: 'internal',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class OriginError extends Error {
  override readonly name = 'OriginError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Why a source cannot be used, thrown where that is found out (a store, a probe, a manifest); the
 * message is safe to show a client and reads after the source's field name ("clips[0].source: is not
 * a regular file"). Mint turns it into `source_unusable` naming the field.
 */
export class UnusableSourceError extends Error {
  override readonly name = 'UnusableSourceError';
}

/** True for failures that may succeed on retry (the HTTP edge answers 503 + no-store). */
export function isTransient(code: ErrorCode): boolean {
  return code === ErrorCode.Overloaded || code === ErrorCode.Timeout || code === ErrorCode.Unavailable;
}

/**
 * A write that failed for want of space (`ENOSPC`, or `noSpace` where the caller knows better: ffmpeg
 * says so on stderr) as a retryable
 * `unavailable`: nothing is wrong with the request or the source, and it works again once space is
 * freed. Undefined for any other error.
 */
export function diskFull(
  err: unknown,
  noSpace = (err as NodeJS.ErrnoException | undefined)?.code === 'ENOSPC',
): OriginError | undefined {
  if (!noSpace) return undefined;
  return new OriginError(ErrorCode.Unavailable, "the origin's work disk is full; retry shortly", undefined, {
    cause: err,
  });
}
